// Writing the journal: opening it for appends (lock, repair, header), the queue of writes, the
// shared fsync (group commit: everything queued while one write + fsync runs goes out in the
// next), the lines of failed writes kept and written first next time, the one `writeProblem`,
// the lost lock that stops writing, and when a compaction is due. The lines' format is in
// journal-reader.ts; the snapshot a compaction writes is journal-compaction.ts; the check at the
// start of a pass is journal-check.ts. Everything here runs one job at a time, in queue order.
import { mkdir, open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { syncDirectory, truncateDurably, writeAll } from '../config/atomic-file.js';
import type { DeliveryIndex } from './delivery-index.js';
import { compactJournal } from './journal-compaction.js';
import { hashedLine, headerLine, loadJournal, removeStaleTemp, repairJournal } from './journal-reader.js';
import type { LoadedJournal } from './journal-reader.js';
import { acquireStateLock } from './state-lock.js';
import type { StateLock } from './state-lock.js';
import { describeWriteFailure, RecordWriteError } from './write-problem.js';
import { errorMessage } from '../text/errors.js';

// Auto-compaction waits until the journal is worth it and then until more than half of it is
// superseded or cache lines that a snapshot would fold away.
export const compactMinLines = 1_000;

export interface LockState {
  /** Set (by the lock's heartbeat) when the lock was lost while held. */
  lostReason: string | null;
}

interface Settle {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** A queued write: appends next to each other share one write + fsync; any other job runs alone. */
type Job =
  | { readonly kind: 'append'; readonly text: string; readonly lineCount: number; readonly settle: Settle }
  | { readonly kind: 'exclusive'; readonly run: () => Promise<void> };

type AppendJob = Extract<Job, { kind: 'append' }>;

/** The journal being written, and everything about its writing that outlives one write. */
export interface JournalWriter {
  /** STATE_DIR, absolute; named in every problem. */
  readonly dir: string;
  /** STATE_DIR/delivered.jsonl */
  readonly journalPath: string;
  /** The record in memory: a compaction writes it whole. */
  readonly index: DeliveryIndex;
  /** Whether the lock was lost while held (set by the lock's heartbeat). */
  readonly lockState: LockState;
  /** Takes the lock again after it was lost (waits out a crashed holder, refuses a live one). */
  readonly takeLock: () => Promise<StateLock>;
  /** The lock held on STATE_DIR; released by close. */
  lock: StateLock;
  /** The journal open for appends; undefined between a compaction's close and its reopen. */
  handle: FileHandle | undefined;
  /** Bytes up to the end of the last line known written: a failed append is cut back to here. */
  goodBytes: number;
  /** Lines in the journal (header excluded). */
  journalLines: number;
  /** Lines of the journal a snapshot would drop (superseded, corrupt, folded cache lines). */
  wasteLines: number;
  /** Auto-compaction waits for at least this many lines (raised after one failed). */
  autoCompactFloor: number;
  /**
   * A failed write may have left half a line that could not be cut off: the next append starts
   * with '\n' so that half line stays a separate (skipped) line instead of gluing onto a good one.
   */
  tailMayBeDirty: boolean;
  /**
   * Lines of appends that failed (a full disk): kept in order and written first by the next append
   * or flush, so a delivery the server acknowledged is never dropped from the record.
   */
  unwritten: string;
  /** How many lines `unwritten` holds. */
  unwrittenLines: number;
  /** The last write failure in plain words (see write-problem.ts); null while writes succeed. */
  problem: string | null;
  /** The failure was a compaction: a flush with nothing to append tries the compaction again. */
  compactionFailed: boolean;
  /** Why the lock was first lost, kept while taking it back fails (the reason shown grows a cause). */
  firstLostReason: string | null;
  /** Names whose cache entry changed and has no line in the journal yet. */
  readonly pendingHashNames: Set<string>;
  /** Jobs waiting for the one running. */
  readonly queue: Job[];
  /** A job is running. */
  pumping: boolean;
  /** The queue is to be run on the next turn. */
  pumpScheduled: boolean;
  /** close() began: a check still queued does nothing. */
  closing: boolean;
}

/**
 * Locks STATE_DIR, reads the journal (removing a leftover compaction temp file first), repairs a
 * torn tail and opens the journal for appends, writing a header into a new or empty one.
 */
export async function openJournalWriter(
  dir: string,
  journalPath: string,
  lockStaleMs: number | undefined,
): Promise<{ readonly writer: JournalWriter; readonly loaded: LoadedJournal }> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new Error(`cannot create STATE_DIR ${dir} (${errorMessage(error)}); check the path and its permissions`);
  }
  // The lock can be lost while held (a machine that slept past the stale time): from then on the
  // ledger refuses writes rather than write beside another agent.
  const lockState: LockState = { lostReason: null };
  const takeLock = (): Promise<StateLock> =>
    acquireStateLock(dir, {
      ...(lockStaleMs === undefined ? {} : { staleMs: lockStaleMs }),
      onLost: (reason) => {
        lockState.lostReason = reason;
      },
    });
  const lock = await takeLock();
  try {
    await removeStaleTemp(journalPath);
    const loaded = await loadJournal(journalPath);
    await repairJournal(journalPath, loaded);
    const handle = await openForAppend(journalPath);
    const goodBytes = loaded.goodBytes === 0 ? await writeHeader(handle, dir, loaded.exists) : loaded.goodBytes;
    const writer = newWriter({ dir, journalPath, index: loaded.index, lockState, takeLock, lock, handle, goodBytes });
    writer.journalLines = loaded.report.lines;
    writer.wasteLines = loaded.wasteLines;
    return { writer, loaded };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

type WriterStart = Pick<JournalWriter, 'dir' | 'journalPath' | 'index' | 'lockState' | 'takeLock' | 'lock' | 'handle' | 'goodBytes'>;

function newWriter(start: WriterStart): JournalWriter {
  return {
    ...start,
    journalLines: 0,
    wasteLines: 0,
    autoCompactFloor: compactMinLines,
    tailMayBeDirty: false,
    unwritten: '',
    unwrittenLines: 0,
    problem: null,
    compactionFailed: false,
    firstLostReason: null,
    pendingHashNames: new Set(),
    queue: [],
    pumping: false,
    pumpScheduled: false,
    closing: false,
  };
}

async function openForAppend(journalPath: string): Promise<FileHandle> {
  try {
    return await open(journalPath, 'a');
  } catch (error) {
    throw new Error(`cannot open the delivery record ${journalPath} for writing (${errorMessage(error)}); check its permissions`);
  }
}

/** Writes the header into an empty journal; returns its byte length. Closes the handle if it fails. */
async function writeHeader(handle: FileHandle, dir: string, existed: boolean): Promise<number> {
  try {
    const header = Buffer.from(headerLine());
    await writeAll(handle, header);
    await handle.datasync();
    if (!existed) await syncDirectory(dir);
    return header.length;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// The queue

/** Queues lines; resolves once they are on disk (fsync). An empty append resolves after everything queued before it. */
export function appendLines(writer: JournalWriter, text: string, lineCount: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    writer.queue.push({ kind: 'append', text, lineCount, settle: { resolve, reject } });
    schedulePump(writer);
  });
}

/** Runs `task` alone, after everything queued before it. */
export function runExclusive<T>(writer: JournalWriter, task: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    writer.queue.push({ kind: 'exclusive', run: () => task().then(resolve, reject) });
    schedulePump(writer);
  });
}

/** Queues the cache lines not yet written (the next append or flush carries them). */
export function flushPending(writer: JournalWriter): Promise<void> {
  const hashes = drainPendingHashLines(writer);
  return appendLines(writer, hashes.text, hashes.lineCount);
}

/** The lines for the cache entries that changed since the last write; clears the pending set. */
export function drainPendingHashLines(writer: JournalWriter): { text: string; lineCount: number } {
  const { cache, entries } = writer.index;
  let text = '';
  let lineCount = 0;
  for (const name of writer.pendingHashNames) {
    const cached = cache.get(name);
    if (cached === undefined) continue;
    text += hashedLine(name, cached);
    lineCount++;
    // A cache line that repeats a delivery's own file is folded into it by a snapshot.
    if (entries.get(cached.sha256)?.filename === name) writer.wasteLines++;
  }
  writer.pendingHashNames.clear();
  return { text, lineCount };
}

// Starting the writer on the next turn, not at once, lets records issued in the same turn
// (uploads finishing together, callers woken by the previous fsync) share one fsync.
function schedulePump(writer: JournalWriter): void {
  if (writer.pumping || writer.pumpScheduled) return;
  writer.pumpScheduled = true;
  setImmediate(() => {
    writer.pumpScheduled = false;
    void pump(writer);
  });
}

// Group commit: everything queued while one write + fsync runs goes out in the next one.
async function pump(writer: JournalWriter): Promise<void> {
  if (writer.pumping) return;
  writer.pumping = true;
  const { queue } = writer;
  try {
    while (queue.length > 0) {
      const head = queue[0];
      if (head?.kind === 'exclusive') {
        queue.shift();
        await head.run();
        continue;
      }
      const batch: AppendJob[] = [];
      while (queue[0]?.kind === 'append') batch.push(queue.shift() as AppendJob);
      await appendBatch(writer, batch);
    }
  } finally {
    writer.pumping = false;
  }
}

/**
 * Writes the batch's lines after those of earlier failed appends, with one fsync. With nothing to
 * write it retries a failed compaction. Settles every job of the batch; never throws.
 */
export async function appendBatch(writer: JournalWriter, batch: readonly AppendJob[]): Promise<void> {
  const text = writer.unwritten + batch.map((job) => job.text).join('');
  const lineCount = batch.reduce((sum, job) => sum + job.lineCount, writer.unwrittenLines);
  try {
    refuseIfLockLost(writer);
    if (text !== '') await appendDurably(writer, text);
    else if (writer.problem !== null && writer.compactionFailed) await compactJournal(writer);
  } catch (error) {
    writer.unwritten = text;
    writer.unwrittenLines = lineCount;
    const failure = writeFailure(writer, error);
    for (const job of batch) job.settle.reject(failure);
    return;
  }
  writtenAll(writer);
  writer.journalLines += lineCount;
  for (const job of batch) job.settle.resolve();
  if (autoCompactDue(writer)) {
    // A failed automatic compaction leaves the journal as it was; try again when it has doubled
    // (or at the next flush or checkJournal, which retry whatever failed last).
    await runCompaction(writer).catch(() => {
      writer.autoCompactFloor = writer.journalLines * 2;
    });
  }
}

async function appendDurably(writer: JournalWriter, text: string): Promise<void> {
  writer.handle ??= await open(writer.journalPath, 'a');
  const bytes = Buffer.from(writer.tailMayBeDirty ? `\n${text}` : text);
  try {
    await writeAll(writer.handle, bytes);
    await writer.handle.datasync();
    writer.goodBytes += bytes.length;
    writer.tailMayBeDirty = false;
  } catch (error) {
    try {
      await truncateDurably(writer.journalPath, writer.goodBytes);
    } catch {
      writer.tailMayBeDirty = true;
    }
    throw error;
  }
}

/** Compacts now (the caller is the running job); on failure remembers it as the writeProblem. */
export async function runCompaction(writer: JournalWriter): Promise<void> {
  try {
    refuseIfLockLost(writer);
    await compactJournal(writer);
  } catch (error) {
    writer.compactionFailed = true;
    throw writeFailure(writer, error);
  }
  // The snapshot holds all of memory, the lines of failed appends included.
  writtenAll(writer);
}

/** Everything in memory is in the journal: nothing kept to retry, no problem. */
function writtenAll(writer: JournalWriter): void {
  writer.unwritten = '';
  writer.unwrittenLines = 0;
  writer.problem = null;
  writer.compactionFailed = false;
}

/** Whether the journal is worth compacting: long enough, and more than half of it would be dropped. */
export function autoCompactDue(writer: Pick<JournalWriter, 'journalLines' | 'wasteLines' | 'autoCompactFloor'>): boolean {
  const { journalLines } = writer;
  return journalLines >= Math.max(compactMinLines, writer.autoCompactFloor) && writer.wasteLines * 2 > journalLines;
}

// ---------------------------------------------------------------------------------------------
// Problems

/** The failure as the one error callers see, and remembered as the writer's problem. */
export function writeFailure(writer: JournalWriter, error: unknown): RecordWriteError {
  if (error instanceof RecordWriteError) return error;
  writer.problem = describeWriteFailure(writer.dir, error);
  return new RecordWriteError(writer.problem, writer.dir, error);
}

/** The lost lock in plain words, or null while the lock is held. */
export function lockProblem(writer: JournalWriter): string | null {
  const { lostReason } = writer.lockState;
  if (lostReason === null) return null;
  return (
    `${lostReason}: this series3-watcher stopped writing the record in STATE_DIR ${writer.dir} ` +
    'so that two agents never write one record; sending is stopped until it holds the lock again'
  );
}

function refuseIfLockLost(writer: JournalWriter): void {
  const lost = lockProblem(writer);
  if (lost === null) return;
  writer.problem = lost;
  throw new RecordWriteError(lost, writer.dir);
}

/** Writes what is pending, then closes the journal and releases the lock. */
export async function closeWriter(writer: JournalWriter): Promise<void> {
  writer.closing = true;
  try {
    await flushPending(writer);
  } finally {
    await writer.handle?.close().catch(() => undefined);
    writer.handle = undefined;
    await writer.lock.release();
  }
}

