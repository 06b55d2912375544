#!/usr/bin/env node
// Runs the Electronegativity scanner over electron/ and fails on any finding that is not
// explained in electron/security-findings.json (each explained finding names its check, its
// file and why it is acceptable). An explanation that no longer matches a finding fails too,
// so the list cannot go stale.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const scannerPackage = require.resolve('@doyensec/electronegativity/package.json');
const scanner = join(dirname(scannerPackage), JSON.parse(readFileSync(scannerPackage, 'utf8')).bin.electronegativity);
const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
const explained = JSON.parse(readFileSync(join(root, 'electron', 'security-findings.json'), 'utf8'));

const out = mkdtempSync(join(tmpdir(), 's3w-electronegativity-'));
let findings;
try {
  const sarif = join(out, 'findings.sarif');
  // -e: the Electron version we build with (the scanner cannot look it up offline).
  execFileSync(process.execPath, [scanner, '-i', join(root, 'electron'), '-e', electronVersion, '-r', '-o', sarif], {
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 180_000,
  });
  const results = JSON.parse(readFileSync(sarif, 'utf8')).runs[0].results;
  findings = results.map((r) => ({
    check: r.ruleId,
    file: r.locations[0].physicalLocation.artifactLocation.uri.replaceAll('\\', '/'),
    line: r.locations[0].physicalLocation.region?.startLine ?? 0,
  }));
} finally {
  rmSync(out, { recursive: true, force: true });
}

const key = (f) => `${f.check} ${f.file}`;
const reasons = new Map(explained.map((e) => [key(e), e.why]));
const unexplained = findings.filter((f) => !reasons.has(key(f)));
const found = new Set(findings.map(key));
const stale = explained.filter((e) => !found.has(key(e)));

for (const f of findings) {
  const why = reasons.get(key(f));
  console.log(`${why ? 'explained  ' : 'UNEXPLAINED'} ${f.check} electron/${f.file}:${f.line}${why ? ` - ${why}` : ''}`);
}
for (const e of stale) console.log(`STALE       ${e.check} electron/${e.file}: explained in electron/security-findings.json but no longer found; remove it`);
console.log(`electronegativity ${electronVersion ? `(Electron ${electronVersion})` : ''}: ${findings.length} findings, ${unexplained.length} unexplained, ${stale.length} stale explanations`);
process.exitCode = unexplained.length > 0 || stale.length > 0 ? 1 : 0;
