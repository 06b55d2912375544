// The sha256 ledger: which event binaries were delivered (keyed by the sha256 of the bytes that
// were sent) plus a cache "file identity -> sha256" so an unchanged file is never hashed twice.
// This module owns the `Ledger` that the rest of the agent uses, and only that: it checks what
// callers hand it, keeps the index (delivery-index.ts) and hands lines to the writer
// (journal-writer.ts). The journal's format and its repair after a crash are in
// journal-reader.ts; compaction in journal-compaction.ts; the start-of-pass check in
// journal-check.ts.
import { join, resolve } from 'node:path';
import { cacheHash, checkEntry, checkIdentity, checkSha256, countSince, entryOf, knownHash, lastSentAtMs, recentDeliveries, storeDelivery } from './delivery-index.js';
import type { DeliveryFacts, DeliveryIndex, FileIdentity, Stored } from './delivery-index.js';
import { checkJournalNow } from './journal-check.js';
import type { JournalCheck } from './journal-check.js';
import { deliveredLine, journalFileName, loadJournal } from './journal-reader.js';
import type { LoadReport } from './journal-reader.js';
import { appendLines, closeWriter, drainPendingHashLines, flushPending, lockProblem, openJournalWriter, runCompaction, runExclusive } from './journal-writer.js';
import type { JournalWriter } from './journal-writer.js';
import type { DeliveredEntry, RecentDelivery } from './types.js';

export type { DeliveryFacts, FileIdentity } from './delivery-index.js';
export type { JournalCheck } from './journal-check.js';
export type { LoadReport } from './journal-reader.js';
export { journalFileName, ledgerFormatVersion } from './journal-reader.js';

export interface LedgerRecordItem {
  readonly entry: DeliveredEntry;
  /** The file the bytes were read from; remembered so it is not hashed again. */
  readonly file?: FileIdentity;
}

export interface Ledger {
  readonly dir: string;
  /** Number of distinct delivered sha256. */
  readonly size: number;
  has(sha256: string): boolean;
  get(sha256: string): DeliveredEntry | undefined;
  /** What a pass needs to know of a delivery, without building an entry (no allocation). */
  deliveryOf(sha256: string): DeliveryFacts | undefined;
  knownHash(file: FileIdentity): string | undefined;
  /** Cached at once; persisted by the next record()/flush(). */
  rememberHash(file: FileIdentity, sha256: string): void;
  /** Resolves once the lines are on disk (fsync). */
  record(items: readonly LedgerRecordItem[]): Promise<void>;
  /** Sent by this agent (not seeded, not imported) with forwardedAt >= epochMs: "sent today". */
  countSince(epochMs: number): number;
  /** When an event was last sent (not seeded or imported), or null; walks the record once. */
  lastSentAtMs(): number | null;
  /** The events this agent sent most recently (at most 50, each once), newest first. */
  recent(): readonly RecentDelivery[];
  compact(): Promise<void>;
  /** Persists remembered hashes and waits for pending writes. */
  flush(): Promise<void>;
  /** flush + release the lock; idempotent. */
  close(): Promise<void>;
  /**
   * Null while the record is written; after a failed append or compaction, what is wrong in plain
   * words naming STATE_DIR (the disk is full, no permission, the folder is gone, the lock was lost).
   * Cleared by the next write that succeeds; `flush()` retries. Nothing may be sent while set.
   */
  readonly writeProblem: string | null;
  /**
   * At the start of a pass: is the journal still the file this ledger writes? If it was deleted,
   * replaced or cut short (a person, a cleaner, an antivirus), it is written again from memory
   * (temp + fsync + rename) and reopened. Also takes a lost lock back when nobody else wrote the
   * record meanwhile, and retries a write that failed (so `writeProblem` clears once the disk has
   * room again). Rejects with a RecordWriteError when the journal cannot be written.
   */
  checkJournal(): Promise<JournalCheck>;
  readonly loadReport: LoadReport;
}

export interface OpenLedgerOptions {
  /** Load without locking and never write (for `status`); a missing dir is an empty ledger. */
  readonly readOnly?: boolean;
  /**
   * How long a lock with no heartbeat is waited out before it is taken over (the holder crashed).
   * Default `defaultLockStaleMs` (10 s); at least 2 s. Tests shorten it.
   */
  readonly lockStaleMs?: number;
}

/** One open ledger; lives until close(). */
interface LedgerState {
  /** STATE_DIR, absolute. */
  readonly dir: string;
  /** The record in memory. */
  readonly index: DeliveryIndex;
  /** What the load found; fixed after open. */
  readonly loadReport: LoadReport;
  /** The journal's writer; undefined when opened read-only. */
  readonly writer: JournalWriter | undefined;
  /** Set by the first close(); every later close() returns it. */
  closing: Promise<void> | undefined;
}

export async function openLedger(dir: string, options: OpenLedgerOptions = {}): Promise<Ledger> {
  const absoluteDir = resolve(dir);
  const journalPath = join(absoluteDir, journalFileName);
  if (options.readOnly === true) {
    const loaded = await loadJournal(journalPath);
    return ledgerOf({ dir: absoluteDir, index: loaded.index, loadReport: loaded.report, writer: undefined, closing: undefined });
  }
  const { writer, loaded } = await openJournalWriter(absoluteDir, journalPath, options.lockStaleMs);
  return ledgerOf({ dir: absoluteDir, index: loaded.index, loadReport: loaded.report, writer, closing: undefined });
}

function ledgerOf(state: LedgerState): Ledger {
  const { index } = state;
  return {
    dir: state.dir,
    loadReport: state.loadReport,
    get size() {
      return index.entries.size;
    },
    get writeProblem() {
      // A lost lock shows at once, before any write tries.
      return state.writer === undefined ? null : (lockProblem(state.writer) ?? state.writer.problem);
    },
    has: (sha256) => index.entries.has(sha256),
    get: (sha256) => entryOf(index, sha256),
    deliveryOf: (sha256) => index.entries.get(sha256),
    knownHash: (file) => knownHash(index, file),
    countSince: (epochMs) => countSince(index, epochMs),
    lastSentAtMs: () => lastSentAtMs(index),
    recent: () => recentDeliveries(index),
    rememberHash: (file, sha256) => rememberHash(state, file, sha256),
    record: (items) => record(state, items),
    compact: () => {
      const writer = writableOrThrow(state, 'compact');
      return writer instanceof Error ? Promise.reject(writer) : runExclusive(writer, () => runCompaction(writer));
    },
    checkJournal: () => {
      const { writer } = state;
      // Queued even when closing: it resolves after the writes queued before it.
      if (writer === undefined) return Promise.resolve({ kind: 'ok' });
      return runExclusive(writer, () => checkJournalNow(writer));
    },
    flush: () => {
      if (state.closing !== undefined || state.writer === undefined) return state.closing ?? Promise.resolve();
      return flushPending(state.writer);
    },
    close: () => {
      state.closing ??= state.writer === undefined ? Promise.resolve() : closeWriter(state.writer);
      return state.closing;
    },
  };
}

/** The writer, or the error that says why nothing may be written (closed, read-only). */
function writableOrThrow(state: LedgerState, what: string): JournalWriter | Error {
  if (state.closing !== undefined) return new Error(`the ledger in ${state.dir} is closed; cannot ${what}`);
  if (state.writer === undefined) return new Error(`the ledger in ${state.dir} was opened read-only; cannot ${what}`);
  return state.writer;
}

function rememberHash(state: LedgerState, file: FileIdentity, sha256: string): void {
  const writer = writableOrThrow(state, 'remember a hash');
  if (writer instanceof Error) throw writer;
  checkIdentity(file, 'rememberHash');
  checkSha256(sha256, 'rememberHash');
  if (cacheHash(state.index, file, sha256)) writer.pendingHashNames.add(file.name);
}

function record(state: LedgerState, items: readonly LedgerRecordItem[]): Promise<void> {
  const writer = writableOrThrow(state, 'record deliveries');
  if (writer instanceof Error) return Promise.reject(writer);
  let checked: Stored[];
  try {
    checked = items.map((item, index) => {
      if (item.file !== undefined) checkIdentity(item.file, `record item ${index}`);
      return checkEntry(item.entry, index);
    });
  } catch (error) {
    return Promise.reject(error);
  }
  if (checked.length === 0) return Promise.resolve();
  const { index } = state;
  let text = '';
  checked.forEach((next, position) => {
    if (storeDelivery(index, next)) writer.wasteLines++;
    const stored = index.entries.get(next.sha256) ?? next;
    const file = items[position]?.file;
    if (file !== undefined) {
      // The delivery's own name is kept as its one string, not a second copy.
      const name = file.name === stored.filename ? stored.filename : file.name;
      cacheHash(index, { name, size: file.size, mtimeMs: file.mtimeMs }, stored.sha256);
      // This line carries the identity: a pending cache line for it would only repeat it.
      writer.pendingHashNames.delete(name);
    }
    text += deliveredLine(stored, file, index.lateReports.has(stored.sha256));
  });
  const hashes = drainPendingHashLines(writer);
  return appendLines(writer, text + hashes.text, checked.length + hashes.lineCount);
}
