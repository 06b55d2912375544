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

/**
 * A unit's monitor log as Blastware leaves it in the watch folder: an 8.3 name with the .MLG
 * extension (M529LK44.MLG, the same shape as the unit's events) and a binary file whose start
 * names the unit's serial number (BE12345, BA1234) among other header fields, followed by
 * monitoring records. The layout is made up; what the agent relies on is only that the serial
 * number is in the first 2 KB (`unitAt` moves it, `unit: null` leaves it out).
 */
export async function writeMonitorLog(
  dir: string,
  name: string,
  unit: string | null,
  options: { ageSeconds?: number; unitAt?: number; size?: number } = {},
): Promise<Uint8Array> {
  const size = Math.max(options.size ?? 6144, 4096);
  const bytes = Buffer.alloc(size);
  // A fixed binary preamble, then text header fields separated by NULs, then records.
  Buffer.from([0x4d, 0x4c, 0x47, 0x03, 0x00, 0x01, 0x00, 0x00, 0x9c, 0x02]).copy(bytes, 0);
  Buffer.from('Instantel\0Minimate Plus\0Blastware 10.74\0Monitor Log\0', 'latin1').copy(bytes, 16);
  for (let at = 512; at + 16 <= size; at += 16) randomBytes(16).map((b) => b & 0x7f & ~0x20).forEach((b, i) => (bytes[at + i] = b < 0x30 ? b : 0));
  if (unit !== null) Buffer.from(`\0Serial\0${unit}\0`, 'latin1').copy(bytes, options.unitAt ?? 96);
  await writeAged(dir, name, bytes, options.ageSeconds ?? 600);
  return bytes;
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
