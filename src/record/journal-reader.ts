// Reading the journal back, and repairing it after a crash. This file also owns the journal's
// format, both ways (the writer builds its lines with the encoders at the bottom), so the format
// is written down once, here:
//
// The journal is STATE_DIR/delivered.jsonl: UTF-8 text, one JSON object per line, each line ended
// by '\n', only ever appended to (and replaced whole by a compaction). Three kinds of line:
//
//   {"ledger":"series3-watcher","version":1}                                       the header
//   {"sha256":"…","filename":"…","size":4400,"forwardedAt":"…","withReport":true,
//    "source":"sent","lateReport":true,"mtimeMs":1715162400123.4}                    a delivery
//   {"hashed":"<sha256>","name":"…","size":4400,"mtimeMs":1715162400123.4}           a cache line
//
// - The header is the first line of a journal this agent wrote. A header with another `version`
//   stops the load with an error (a newer agent's record is never misread); a journal without a
//   header is read as version 1.
// - A delivery line (it has a string `forwardedAt`): `sha256` 64 hex digits, `filename` the
//   event binary's name, `size` its byte count, `forwardedAt` ISO 8601 UTC, `withReport` whether
//   the report went with it, `source` one of sent | seeded | legacy. It may carry the identity of
//   the file the bytes were read from: `mtimeMs`, plus `fileName` / `fileSize` only when they
//   differ from `filename` / `size`; that identity goes into the hash cache.
// - `lateReport` on a delivery line (only ever written as true, absent otherwise): the delivery of
//   a report that came late, the binary having gone alone before. A line without it (all lines of
//   a journal written before the mark existed) counts as a late report when it is a sent delivery
//   with its report superseding a sent one without (delivery-index.ts isLateReport); the mark is
//   what keeps this once a compaction has dropped the earlier line. Unknown fields are ignored, so
//   the mark needs no new format version and an older series3-watcher reads such a journal.
// - A cache line (it has `hashed`): the file `name` with that `size` and `mtimeMs` has that sha256
//   (a file hashed but not, or not yet, delivered).
// - Later lines supersede earlier ones: a delivery for a sha256 already read replaces it, a cache
//   line (or a delivery's identity) for a name already cached replaces that cache entry.
// - Repair: a line that is not one of these (not JSON, a missing or wrong field) is skipped and
//   counted as corrupt when a good line follows it. Bad lines at the very end are a torn tail (a
//   crash mid-write): they are dropped and the file is cut back to the end of the last good line,
//   so the next append does not glue onto them. A tail over 4 KiB is more than one torn line (a
//   disk fault, a foreign edit): a copy is kept beside the journal (`delivered.jsonl.dropped-<ms>`)
//   before the cut. Blank lines are ignored. A `delivered.jsonl.tmp` is a compaction that never
//   reached its rename: it is removed, the journal itself is whole.
import { open, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { truncateDurably, writeAll } from '../config/atomic-file.js';
import { createIndex, isSize, sha256Pattern, sourceOf, storeDelivery } from './delivery-index.js';
import type { CachedHash, DeliveryIndex, FileIdentity, Stored } from './delivery-index.js';
import { errorCode, errorMessage } from '../text/errors.js';

export const journalFileName = 'delivered.jsonl';
export const ledgerFormatVersion = 1;

export interface LoadReport {
  /** Journal lines kept (header excluded), including the corrupt ones counted below. */
  readonly lines: number;
  /** Unreadable lines in the middle of the journal: skipped, reported, not fatal. */
  readonly corruptLines: number;
  /** The last line was cut off (a crash mid-write): dropped, and the file cut back before it. */
  readonly tornTail: boolean;
}

/** A journal as read: the index it holds and what the writer needs to carry on after it. */
export interface LoadedJournal {
  readonly index: DeliveryIndex;
  readonly report: LoadReport;
  /** Bytes up to the end of the last good line: where the next append must start. */
  readonly goodBytes: number;
  readonly fileBytes: number;
  readonly exists: boolean;
  /** Lines a compacted snapshot would drop (superseded, corrupt, cache lines folded into a delivery). */
  readonly wasteLines: number;
}

// Small: 4 MB chunks raised the load's peak memory by ~25 MB for 100k entries.
const readChunkBytes = 256 * 1024;
// A crash tears at most the line being written; more than this at the end is something else.
const tornTailKeepAboveBytes = 4096;

export function tempPathOf(journalPath: string): string {
  return `${journalPath}.tmp`;
}

type LineOutcome = 'good' | 'bad' | 'blank';

/** Counts kept while lines are read; lives for one load. */
interface LoadTally {
  /** Lines kept (header and blanks excluded), bad ones followed by a good one included. */
  lines: number;
  /** Bad lines followed by a good one. */
  corruptLines: number;
  /** Lines a snapshot would drop. */
  wasteLines: number;
  /** Bad lines since the last good one: corrupt if a good line follows, else the torn tail. */
  badRun: number;
  /** Bytes of the lines since the last good one (only counted once a bad one was seen). */
  badRunBytes: number;
}

/** Reads the journal in chunks (memory stays flat), keeps the last good line, notes a torn tail. */
export async function loadJournal(journalPath: string): Promise<LoadedJournal> {
  const index = createIndex();
  let handle: FileHandle;
  try {
    handle = await open(journalPath, 'r');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') {
      return { index, report: { lines: 0, corruptLines: 0, tornTail: false }, goodBytes: 0, fileBytes: 0, exists: false, wasteLines: 0 };
    }
    throw new Error(`cannot read the delivery record ${journalPath} (${errorMessage(error)}); check its permissions`);
  }
  const tally: LoadTally = { lines: 0, corruptLines: 0, wasteLines: 0, badRun: 0, badRunBytes: 0 };
  let read: { readonly completeBytes: number; readonly fileBytes: number };
  try {
    read = await readLines(handle, (line) => tallyLine(tally, line, applyLine(index, line, journalPath, tally)));
  } finally {
    await handle.close();
  }
  const goodBytes = read.completeBytes - tally.badRunBytes;
  return {
    index,
    report: { lines: tally.lines, corruptLines: tally.corruptLines, tornTail: goodBytes < read.fileBytes },
    goodBytes,
    fileBytes: read.fileBytes,
    exists: true,
    wasteLines: tally.wasteLines,
  };
}

/** Calls `onLine` for every '\n'-ended line; returns the bytes up to the last '\n' and the file's bytes. */
async function readLines(handle: FileHandle, onLine: (line: string) => void): Promise<{ completeBytes: number; fileBytes: number }> {
  const buffer = Buffer.allocUnsafe(readChunkBytes);
  let carry = Buffer.alloc(0);
  let completeBytes = 0;
  let fileBytes = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, fileBytes);
    if (bytesRead === 0) break;
    fileBytes += bytesRead;
    const chunk = carry.length === 0 ? buffer.subarray(0, bytesRead) : Buffer.concat([carry, buffer.subarray(0, bytesRead)]);
    const lastNewline = chunk.lastIndexOf(0x0a);
    if (lastNewline < 0) {
      carry = Buffer.from(chunk);
      continue;
    }
    // '\n' never occurs inside a multi-byte UTF-8 character, so cutting at it is safe.
    const text = chunk.toString('utf8', 0, lastNewline + 1);
    completeBytes += lastNewline + 1;
    carry = Buffer.from(chunk.subarray(lastNewline + 1));
    const parts = text.split('\n');
    parts.pop(); // the empty string after the final '\n'
    for (const line of parts) onLine(line);
  }
  return { completeBytes, fileBytes };
}

function tallyLine(tally: LoadTally, line: string, outcome: LineOutcome): void {
  if (outcome === 'good') {
    tally.lines += 1 + tally.badRun;
    tally.corruptLines += tally.badRun;
    tally.wasteLines += tally.badRun;
    tally.badRun = 0;
    tally.badRunBytes = 0;
  } else if (outcome === 'bad' || tally.badRun > 0) {
    // Byte lengths are only needed for lines that may have to be cut off.
    if (outcome === 'bad') tally.badRun++;
    tally.badRunBytes += Buffer.byteLength(line) + 1;
  }
}

/**
 * Applies one line to the index: 'good' (a delivery or a cache line, stored), 'bad' (skipped) or
 * 'blank' (a blank line or the header). Throws on a header of another format version. Counts in
 * `waste` a line that supersedes an earlier one. Exported for the table of line rules in the tests.
 */
export function applyLine(index: DeliveryIndex, line: string, journalPath: string, waste: { wasteLines: number }): LineOutcome {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return line.trim() === '' ? 'blank' : 'bad';
  }
  if (typeof parsed !== 'object' || parsed === null) return 'bad';
  const record = parsed as Record<string, unknown>;
  if (typeof record['forwardedAt'] === 'string') return applyDelivery(index, record, waste);
  if (typeof record['hashed'] === 'string') return applyCacheLine(index, record, waste);
  if (record['ledger'] === 'series3-watcher') {
    checkVersion(record['version'], journalPath);
    return 'blank';
  }
  return 'bad';
}

function applyDelivery(index: DeliveryIndex, record: Record<string, unknown>, waste: { wasteLines: number }): LineOutcome {
  const parsed = parseDelivered(record);
  if (parsed === undefined) return 'bad';
  if (storeDelivery(index, parsed, record['lateReport'] === true)) waste.wasteLines++;
  const stored = index.entries.get(parsed.sha256)!;
  const mtimeMs = record['mtimeMs'];
  if (typeof mtimeMs === 'number' && Number.isFinite(mtimeMs)) {
    const fileName = typeof record['fileName'] === 'string' ? record['fileName'] : stored.filename;
    const fileSize = typeof record['fileSize'] === 'number' ? record['fileSize'] : stored.size;
    index.cache.set(fileName, { size: fileSize, mtimeMs, sha256: stored.sha256 });
  }
  return 'good';
}

function applyCacheLine(index: DeliveryIndex, record: Record<string, unknown>, waste: { wasteLines: number }): LineOutcome {
  const sha = record['hashed'] as string;
  const { name, size, mtimeMs } = record;
  if (!sha256Pattern.test(sha) || typeof name !== 'string' || name === '') return 'bad';
  if (!isSize(size) || typeof mtimeMs !== 'number' || !Number.isFinite(mtimeMs)) return 'bad';
  const entry = index.entries.get(sha);
  // A name cached before, or the delivery's own file, is folded away by a snapshot.
  if (index.cache.has(name) || entry?.filename === name) waste.wasteLines++;
  index.cache.set(name, { size, mtimeMs, sha256: entry?.sha256 ?? sha });
  return 'good';
}

function checkVersion(version: unknown, journalPath: string): void {
  if (version === ledgerFormatVersion) return;
  throw new Error(
    `the delivery record ${journalPath} has format version ${String(version)}, this series3-watcher ` +
      `reads version ${ledgerFormatVersion}; use a newer series3-watcher or another STATE_DIR`,
  );
}

// Lines were checked when written; the length check keeps loading 100,000 lines cheap.
function parseDelivered(record: Record<string, unknown>): Stored | undefined {
  const { sha256, filename, size, forwardedAt, withReport, source } = record;
  if (typeof sha256 !== 'string' || sha256.length !== 64) return undefined;
  if (typeof filename !== 'string' || !isSize(size) || typeof withReport !== 'boolean') return undefined;
  const atMs = Date.parse(forwardedAt as string);
  if (!Number.isFinite(atMs)) return undefined;
  const knownSource = sourceOf(source);
  if (knownSource === undefined) return undefined;
  return { sha256, filename, size, atMs, withReport, source: knownSource };
}

/**
 * Makes the journal on disk fit to append to: removes a leftover compaction temp file, and cuts a
 * torn tail off (keeping a copy first when it is larger than one torn line).
 */
export async function repairJournal(journalPath: string, loaded: Pick<LoadedJournal, 'goodBytes' | 'fileBytes'>): Promise<void> {
  if (loaded.goodBytes >= loaded.fileBytes) return;
  await keepLargeTail(journalPath, loaded.goodBytes, loaded.fileBytes);
  await truncateDurably(journalPath, loaded.goodBytes);
}

/** Removes the temp file of a compaction that never reached its rename (before the journal is read). */
export async function removeStaleTemp(journalPath: string): Promise<void> {
  await unlink(tempPathOf(journalPath)).catch((error: unknown) => {
    if (errorCode(error) !== 'ENOENT') throw error;
  });
}

async function keepLargeTail(journalPath: string, fromByte: number, toByte: number): Promise<void> {
  if (toByte - fromByte <= tornTailKeepAboveBytes) return;
  const source = await open(journalPath, 'r');
  try {
    const bytes = Buffer.alloc(toByte - fromByte);
    await source.read(bytes, 0, bytes.length, fromByte);
    const copy = await open(`${journalPath}.dropped-${Date.now()}`, 'wx');
    try {
      await writeAll(copy, bytes);
      await copy.datasync();
    } finally {
      await copy.close();
    }
  } finally {
    await source.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The encoders: the lines the writer appends and a compaction writes, in the format above.

export function headerLine(): string {
  return `${JSON.stringify({ ledger: 'series3-watcher', version: ledgerFormatVersion })}\n`;
}

/** A delivery line; with `file`, it carries the identity the bytes were read from. */
export function deliveredLine(entry: Stored, file: FileIdentity | undefined, lateReport = false): string {
  const line: Record<string, unknown> = {
    sha256: entry.sha256,
    filename: entry.filename,
    size: entry.size,
    forwardedAt: new Date(entry.atMs).toISOString(),
    withReport: entry.withReport,
    source: entry.source,
  };
  if (lateReport) line['lateReport'] = true;
  if (file !== undefined) {
    line['mtimeMs'] = file.mtimeMs;
    if (file.name !== entry.filename) line['fileName'] = file.name;
    if (file.size !== entry.size) line['fileSize'] = file.size;
  }
  return `${JSON.stringify(line)}\n`;
}

export function hashedLine(name: string, cached: CachedHash): string {
  return `${JSON.stringify({ hashed: cached.sha256, name, size: cached.size, mtimeMs: cached.mtimeMs })}\n`;
}


