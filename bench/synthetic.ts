// The synthetic ACH folder the benchmarks run on: Blastware-like event binaries (`M529LK44.AB0`,
// 8–64 KB of random bytes, each with a unique header so every sha256 differs) and their
// `<name>.TXT` reports (~300 bytes), with modification times spread over past months.
// Fast on purpose: one random pool reused for every file (a unique header makes the content
// unique), written with writev, many files at once, mtimes set on the open handle.
import { randomBytes } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { isEventBinaryName } from '../src/pair/index.js';

export interface SyntheticEvent {
  readonly name: string;
  readonly reportName: string;
  readonly path: string;
  readonly reportPath: string;
  readonly size: number;
  readonly reportSize: number;
  /** As stat reports them. */
  readonly mtimeMs: number;
  readonly reportMtimeMs: number;
}

export interface SyntheticFolder {
  readonly dir: string;
  /** Oldest first. */
  readonly events: readonly SyntheticEvent[];
  readonly binaryBytes: number;
  readonly reportBytes: number;
  readonly writeMs: number;
}

export interface FolderOptions {
  /** Index of the first event; names stay unique across calls with disjoint ranges. */
  readonly firstIndex?: number;
  readonly minBytes?: number;
  readonly maxBytes?: number;
  /** Binaries are between minAgeSeconds and spreadDays old (default 2 hours .. 150 days). */
  readonly spreadDays?: number;
  readonly minAgeSeconds?: number;
  /** Files written at once (default 32). */
  readonly parallel?: number;
  /** Seed of the pseudo-random sizes, names and times, so runs are comparable. */
  readonly seed?: number;
}

const HEADER_BYTES = 64;
const POOL_BYTES = 1024 * 1024;
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

// One pool per process: content is random, uniqueness comes from the header.
let pool: Buffer | undefined;
const runNonce = randomBytes(16);
const poolBuffer = (): Buffer => (pool ??= randomBytes(POOL_BYTES + 64 * 1024));

/** Small, seedable PRNG (mulberry32): sizes, names and times repeat from run to run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = (alphabet: string, random: () => number): string => alphabet[Math.floor(random() * alphabet.length)]!;

/**
 * A realistic, unique event name for `index`: a letter, three digits, four letters-or-digits that
 * encode the index in base 36 (unique for 1.6 million events), a dot and a three-character extension.
 */
export function eventName(index: number, random: () => number): string {
  let serial = '';
  let rest = index;
  for (let i = 0; i < 4; i++) {
    serial = ALNUM[rest % 36]! + serial;
    rest = Math.floor(rest / 36);
  }
  if (rest > 0) throw new RangeError(`event index ${index} does not fit four base-36 characters`);
  for (;;) {
    const name =
      pick(LETTERS, random) +
      String(Math.floor(random() * 1000)).padStart(3, '0') +
      serial +
      '.' +
      pick(LETTERS, random) +
      pick(ALNUM, random) +
      pick(ALNUM, random);
    // The extension must not be one of the never-an-event ones (TXT, LOG, INI, ...).
    if (isEventBinaryName(name)) return name;
  }
}

export function reportText(name: string, mtimeMs: number, random: () => number): string {
  const when = new Date(mtimeMs).toISOString().replace('T', ' ').slice(0, 19);
  const ppv = (axis: string): string => `${axis} ${(random() * 5).toFixed(3)} mm/s @ ${Math.floor(5 + random() * 60)} Hz`;
  return (
    `Instantel Series III Event Report\r\n` +
    `File: ${name}\r\n` +
    `Serial: BE${String(10000 + Math.floor(random() * 9000))}  Date/Time: ${when}\r\n` +
    `Trigger: Geo 0.508 mm/s  Record Time: 5.0 s  Sample Rate: 1024 sps\r\n` +
    `PPV ${ppv('Tran')}; ${ppv('Vert')}; ${ppv('Long')}\r\n` +
    `Peak Vector Sum: ${(random() * 8).toFixed(3)} mm/s  Mic: ${(100 + random() * 30).toFixed(1)} dB(L)\r\n` +
    `Battery: 6.${Math.floor(random() * 9)} V  Calibration: 2025-03-14\r\n`
  );
}

/** The binary's content for `index`: a unique header, then a slice of the shared random pool. */
function binaryParts(index: number, size: number, random: () => number): [Buffer, Buffer] {
  const header = Buffer.alloc(HEADER_BYTES);
  header.write('S3BENCH', 0, 'latin1');
  runNonce.copy(header, 8);
  header.writeUInt32LE(index, 24);
  header.writeDoubleLE(random(), 28);
  const offset = Math.floor(random() * POOL_BYTES);
  return [header, poolBuffer().subarray(offset, offset + size - HEADER_BYTES)];
}

/** Writes the file, sets its mtime (null: leave the write's own), returns the mtime as stat reports it. */
async function writeWithTime(path: string, parts: readonly Buffer[], mtimeMs: number | null): Promise<number> {
  const handle = await open(path, 'w');
  try {
    await handle.writev(parts as Buffer[]);
    if (mtimeMs !== null) {
      const when = new Date(mtimeMs);
      await handle.utimes(when, when);
    }
    // Not simply mtimeMs: the disk keeps ns, and 1715162400123 may read back as 1715162400122.999.
    return (await handle.stat()).mtimeMs;
  } finally {
    await handle.close();
  }
}

/** Writes `count` events (binary + report) into `dir`, which must exist. */
export async function makeEventFolder(dir: string, count: number, options: FolderOptions = {}): Promise<SyntheticFolder> {
  const random = prng(options.seed ?? 20260508);
  const firstIndex = options.firstIndex ?? 0;
  const minBytes = options.minBytes ?? 8 * 1024;
  const maxBytes = options.maxBytes ?? 64 * 1024;
  const minAgeMs = (options.minAgeSeconds ?? 2 * 3600) * 1000;
  const spreadMs = (options.spreadDays ?? 150) * 86_400_000 - minAgeMs;
  const nowMs = Date.now();

  const plans = Array.from({ length: count }, (_, i) => {
    const index = firstIndex + i;
    const name = eventName(index, random);
    const size = minBytes + Math.floor(random() * (maxBytes - minBytes + 1));
    // Whole milliseconds: what utimes can store exactly.
    const mtimeMs = Math.floor(nowMs - minAgeMs - random() * spreadMs);
    const report = Buffer.from(reportText(name, mtimeMs, random), 'latin1');
    return { index, name, size, mtimeMs, report, seedValue: random() };
  });

  let next = 0;
  let binaryBytes = 0;
  let reportBytes = 0;
  const events: SyntheticEvent[] = new Array(count);
  const started = Date.now();
  const worker = async (): Promise<void> => {
    while (next < plans.length) {
      const i = next++;
      const plan = plans[i]!;
      const path = join(dir, plan.name);
      const reportName = `${plan.name}.TXT`;
      const reportPath = join(dir, reportName);
      const parts = binaryParts(plan.index, plan.size, prng(Math.floor(plan.seedValue * 2 ** 32)));
      const mtimeMs = await writeWithTime(path, parts, plan.mtimeMs);
      // Blastware writes the report a moment after the binary.
      const reportMtimeMs = await writeWithTime(reportPath, [plan.report], plan.mtimeMs + 1500);
      binaryBytes += plan.size;
      reportBytes += plan.report.length;
      events[i] = { name: plan.name, reportName, path, reportPath, size: plan.size, reportSize: plan.report.length, mtimeMs, reportMtimeMs };
    }
  };
  await Promise.all(Array.from({ length: options.parallel ?? 32 }, worker));
  events.sort((a, b) => a.mtimeMs - b.mtimeMs);
  return { dir, events, binaryBytes, reportBytes, writeMs: Date.now() - started };
}

/**
 * Writes one new event as Blastware would, now: the binary, then its report a moment later.
 * Returns the event with the modification times the disk actually recorded.
 */
export async function writeFreshEvent(dir: string, index: number, options: { reportDelayMs?: number; size?: number } = {}): Promise<SyntheticEvent> {
  const random = prng(index * 7919 + 17);
  const name = eventName(index, random);
  const size = options.size ?? 8 * 1024 + Math.floor(random() * 56 * 1024);
  const path = join(dir, name);
  const reportName = `${name}.TXT`;
  const reportPath = join(dir, reportName);
  const mtimeMs = await writeWithTime(path, binaryParts(index, size, random), null);
  await new Promise((resolve) => setTimeout(resolve, options.reportDelayMs ?? 100));
  const report = Buffer.from(reportText(name, Date.now(), random), 'latin1');
  const reportMtimeMs = await writeWithTime(reportPath, [report], null);
  return { name, reportName, path, reportPath, size, reportSize: report.length, mtimeMs, reportMtimeMs };
}

/** Reads every file of the folder once, so the timed runs that follow all start with a warm page cache. */
export async function warmPageCache(events: readonly SyntheticEvent[], parallel = 8): Promise<number> {
  let next = 0;
  let bytes = 0;
  const worker = async (): Promise<void> => {
    while (next < events.length) {
      const event = events[next++]!;
      bytes += (await readFile(event.path)).length + (await readFile(event.reportPath)).length;
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return bytes;
}

/**
 * Flushes dirty pages to disk (`sync`), so the writeback of a freshly written folder (hundreds of
 * MB) does not run in the background of the timed runs that follow and blur them.
 */
export async function settleDisk(): Promise<void> {
  await promisify(execFile)('sync').catch(() => undefined);
}
