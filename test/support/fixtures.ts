// Real temp folders with real event files and modification times, and configs pointing at them.
import { mkdtemp, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Config } from '../../src/config/types.js';

export interface Site {
  /** Temp root holding the watch folder, the state folder and the config. */
  readonly root: string;
  readonly watchDir: string;
  readonly stateDir: string;
  cleanup(): Promise<void>;
}

export async function makeSite(prefix = 's3w-'): Promise<Site> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  const watchDir = join(root, 'autocall home');
  const stateDir = join(root, 'state');
  await mkdir(watchDir, { recursive: true });
  return { root, watchDir, stateDir, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** Writes a file and sets its modification time to `ageSeconds` ago. Returns its content. */
export async function writeAged(dir: string, name: string, content: Uint8Array | string, ageSeconds: number): Promise<Uint8Array> {
  const path = join(dir, name);
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  await writeFile(path, bytes);
  const when = new Date(Date.now() - ageSeconds * 1000);
  await utimes(path, when, when);
  return bytes;
}

/** An event binary (random content, so every one has its own sha256) and optionally its report. */
export async function writeEvent(
  dir: string,
  name: string,
  options: { ageSeconds?: number; report?: boolean | string; reportAgeSeconds?: number; size?: number } = {},
): Promise<{ binary: Uint8Array; report: Uint8Array | null }> {
  const age = options.ageSeconds ?? 600;
  const binary = await writeAged(dir, name, randomBytes(options.size ?? 4400), age);
  let report: Uint8Array | null = null;
  if (options.report) {
    const reportName = typeof options.report === 'string' ? options.report : `${name}.TXT`;
    report = await writeAged(dir, reportName, `Event report for ${name}\r\nPeak: 1.23 mm/s\r\n`, options.reportAgeSeconds ?? age);
  }
  return { binary, report };
}

export function testConfig(site: Site, overrides: Partial<Config> = {}): Config {
  return {
    series3Path: site.watchDir,
    scanIntervalSeconds: 60,
    maxEventAgeDays: 365,
    forwardEnabled: true,
    sfmUrl: 'http://127.0.0.1:9',
    maxForwardsPerPass: 0,
    quiescenceSeconds: 0.2,
    missingReportGraceSeconds: 1,
    unitLateHours: 12,
    unitMissingHours: 24,
    unitMissingNotify: true,
    httpTimeoutSeconds: 5,
    concurrency: 4,
    apiToken: '',
    caFile: '',
    proxy: '',
    stateDir: site.stateDir,
    legacyStateFile: '',
    logFile: join(site.stateDir, 'series3-watcher.log'),
    logMaxKb: 1024,
    retryBaseSeconds: 0.2,
    retryMaxSeconds: 2,
    holdBackAfterFailures: 3,
    ...overrides,
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until check() is truthy, failing with `what` after timeoutMs. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}
