import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { journalFileName, openLedger } from '../../src/record/index.js';
import { entryFor, makeTempDir, shaOf } from './helpers.js';

// The child runs the compiled ledger; `npm test` builds it first (tsc -p tsconfig.json).
const here = dirname(fileURLToPath(import.meta.url));
const childScript = join(here, '..', 'fixtures', 'record-kill-child.mjs');
const compiledLedger = join(here, '..', '..', 'dist', 'src', 'record', 'index.js');

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
});

afterEach(async () => {
  await cleanup();
});

/** Runs the child until it has acknowledged `acknowledged` records, then SIGKILLs it mid-flight. */
async function killAfter(acknowledged: number, inFlight: number, compactEvery: number): Promise<string[]> {
  if (!existsSync(compiledLedger)) {
    throw new Error(`${compiledLedger} is missing: run \`npm run build\` (or \`npx tsc -p tsconfig.json\`) first`);
  }
  const child = spawn(process.execPath, [childScript, dir, String(inFlight), String(compactEvery)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit');
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  const printed: string[] = [];
  let partial = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line !== 'ready') printed.push(line);
      if (printed.length >= acknowledged && child.exitCode === null) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`the child ended by itself (code ${String(code)}): ${stderr}`)));
  });
  await exited;
  // Whatever it printed before dying was acknowledged too.
  for (const line of partial.split('\n')) if (/^[0-9a-f]{64}$/.test(line)) printed.push(line);
  return printed;
}

describe('a kill at any moment loses no acknowledged record', () => {
  it.each([
    { acknowledged: 5, inFlight: 1, compactEvery: 0, compacting: 'never' },
    { acknowledged: 150, inFlight: 6, compactEvery: 0, compacting: 'never' },
    { acknowledged: 600, inFlight: 8, compactEvery: 0, compacting: 'never' },
    { acknowledged: 120, inFlight: 6, compactEvery: 25, compacting: 'every 25th record' },
    { acknowledged: 400, inFlight: 4, compactEvery: 7, compacting: 'every 7th record' },
  ])(
    'after $acknowledged records, $inFlight in flight, compacting $compacting',
    async ({ acknowledged, inFlight, compactEvery }) => {
      const printed = await killAfter(acknowledged, inFlight, compactEvery);
      expect(printed.length).toBeGreaterThanOrEqual(acknowledged);

      // Takes over the dead child's lock once its heartbeat has been silent for the stale time.
      const ledger = await openLedger(dir, { lockStaleMs: 2_000 });
      expect(ledger.loadReport.corruptLines).toBe(0);
      const missing = printed.filter((sha) => !ledger.has(sha));
      expect(missing).toEqual([]);
      expect(await readdir(dir)).not.toContain(`${journalFileName}.tmp`);

      // The repaired file takes appends and reopens cleanly.
      await ledger.record([{ entry: entryFor('after the kill') }]);
      await ledger.close();
      const again = await openLedger(dir, { readOnly: true });
      expect(again.loadReport.tornTail).toBe(false);
      expect(again.loadReport.corruptLines).toBe(0);
      expect(again.has(shaOf('after the kill'))).toBe(true);
      expect(printed.every((sha) => again.has(sha))).toBe(true);
      const text = await readFile(join(dir, journalFileName), 'utf8');
      expect(text.endsWith('\n')).toBe(true);
    },
    20_000,
  );
});
