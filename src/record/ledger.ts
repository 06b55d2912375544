// The sha256 ledger: which event binaries were delivered (keyed by the sha256 of the bytes that
// were sent) plus a cache "file identity -> sha256" so an unchanged file is never hashed twice.
// It owns the journal in STATE_DIR: an append-only JSON-lines file, one line per delivered event,
// group-committed with fsync, repaired on open after a crash, compacted by temp + fsync + rename.
//
// Journal lines (one JSON object per line, unknown or broken lines are skipped and counted):
//   {"ledger":"series3-watcher","version":1}                                       header
//   {"sha256":"…","filename":"…","size":4400,"forwardedAt":"…","withReport":true,
//    "source":"sent","mtimeMs":1715162400123.4}                                      a delivery
//   {"hashed":"<sha256>","name":"…","size":4400,"mtimeMs":1715162400123.4}           a cache line
// A delivery line carries the file identity it was read from: `mtimeMs`, with `fileName` /
// `fileSize` only when they differ from `filename` / `size`. A later line for the same sha256
// (or the same cached name) supersedes the earlier one.

import { mkdir, open, stat, truncate as truncatePath, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { renameWithRetry } from '../config/atomic-file.js';
import { acquireStateLock, LedgerLockedError } from './state-lock.js';
import type { StateLock } from './state-lock.js';
import { describeWriteFailure, RecordWriteError } from './write-problem.js';
import type { DeliveredEntry } from './types.js';

export interface FileIdentity {
  readonly name: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export interface LedgerRecordItem {
  readonly entry: DeliveredEntry;
  /** The file the bytes were read from; remembered so it is not hashed again. */
  readonly file?: FileIdentity;
}

export interface DeliveryFacts {
  readonly withReport: boolean;
  readonly source: DeliveredEntry['source'];
}

export interface LoadReport {
  /** Journal lines kept (header excluded), including the corrupt ones counted below. */
  readonly lines: number;
  /** Unreadable lines in the middle of the journal: skipped, reported, not fatal. */
  readonly corruptLines: number;
  /** The last line was cut off (a crash mid-write): dropped, and the file cut back before it. */
  readonly tornTail: boolean;
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

/** What `checkJournal()` found at the start of a pass. */
export type JournalCheck =
  | { readonly kind: 'ok' }
  | {
      readonly kind: 'rewritten';
      /** Why, in plain words: "it was deleted", "it was replaced by another file", … */
      readonly reason: string;
      /** The journal written again. */
      readonly path: string;
      /** Delivered events written back from memory. */
      readonly events: number;
    };

export const journalFileName = 'delivered.jsonl';
export const ledgerFormatVersion = 1;

// Auto-compaction waits until the journal is worth it and then until more than half of it is
// superseded or cache lines that a snapshot would fold away.
const compactMinLines = 1_000;
const readChunkBytes = 256 * 1024; // small: 4 MB chunks raised the load's peak memory by ~25 MB for 100k entries
const snapshotChunkChars = 1024 * 1024;

const sha256Pattern = /^[0-9a-f]{64}$/;

// Seeding marks thousands of events "delivered" at once; they were never sent, so they must not
// show up as "sent today".
const countsAsSent = (stored: { readonly atMs: number; readonly source: string }, sinceMs: number): boolean =>
  stored.source === 'sent' && stored.atMs >= sinceMs;
type Source = DeliveredEntry['source'];

// Returns the one shared string for each source, so 100,000 entries do not hold 100,000 copies.
function sourceOf(value: unknown): Source | undefined {
  switch (value) {
    case 'sent':
      return 'sent';
    case 'seeded':
      return 'seeded';
    case 'legacy':
      return 'legacy';
    default:
      return undefined;
  }
}

// What is kept per sha256. forwardedAt is kept as epoch ms (cheap countSince, no string kept)
// and turned back into ISO text by get(); the sha256 string is the Map key's own string.
interface Stored {
  readonly sha256: string;
  readonly filename: string;
  readonly size: number;
  readonly atMs: number;
  readonly withReport: boolean;
  readonly source: Source;
}

interface CachedHash {
  readonly size: number;
  readonly mtimeMs: number;
  readonly sha256: string;
}

interface Settle {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

type Job =
  | { readonly kind: 'append'; readonly text: string; readonly lineCount: number; readonly settle: Settle }
  | { readonly kind: 'compact'; readonly settle: Settle }
  | { readonly kind: 'check'; readonly resolve: (check: JournalCheck) => void; readonly reject: (error: unknown) => void };

interface LoadedState {
  readonly entries: Map<string, Stored>;
  readonly cache: Map<string, CachedHash>;
  readonly report: LoadReport;
  /** Bytes up to the end of the last good line: where the next append must start. */
  readonly goodBytes: number;
  readonly fileBytes: number;
  readonly exists: boolean;
  readonly wasteLines: number;
}

export async function openLedger(dir: string, options: OpenLedgerOptions = {}): Promise<Ledger> {
  const absoluteDir = resolve(dir);
  const journalPath = join(absoluteDir, journalFileName);
  if (options.readOnly === true) {
    const loaded = await loadJournal(journalPath);
    return createLedger(absoluteDir, journalPath, loaded, {
      lock: undefined,
      lockState: { lostReason: null },
      takeLock: () => Promise.reject(new Error('read-only')),
      handle: undefined,
      goodBytes: loaded.goodBytes,
    });
  }
  try {
    await mkdir(absoluteDir, { recursive: true });
  } catch (error) {
    throw new Error(`cannot create STATE_DIR ${absoluteDir} (${messageOf(error)}); check the path and its permissions`);
  }
  // The lock can be lost while held (a machine that slept past the stale time): from then on the
  // ledger refuses writes rather than write beside another agent.
  const lockState: LockState = { lostReason: null };
  const takeLock = (): Promise<StateLock> =>
    acquireStateLock(absoluteDir, {
      ...(options.lockStaleMs === undefined ? {} : { staleMs: options.lockStaleMs }),
      onLost: (reason) => {
        lockState.lostReason = reason;
      },
    });
  const lock = await takeLock();
  try {
    // A temp file is a compaction that never reached its rename: the journal is still whole.
    await unlink(tempPathOf(journalPath)).catch(ignoreMissing);
    const loaded = await loadJournal(journalPath);
    if (loaded.goodBytes < loaded.fileBytes) {
      // Cut the torn tail off, or the next line would be glued onto it.
      await keepLargeTail(journalPath, loaded.goodBytes, loaded.fileBytes);
      await truncateDurably(journalPath, loaded.goodBytes);
    }
    const handle = await openForAppend(journalPath);
    let goodBytes = loaded.goodBytes;
    if (goodBytes === 0) {
      try {
        const header = Buffer.from(headerLine());
        await writeAll(handle, header);
        await handle.datasync();
        if (!loaded.exists) await syncDirectory(absoluteDir);
        goodBytes = header.length;
      } catch (error) {
        await handle.close();
        throw error;
      }
    }
    return createLedger(absoluteDir, journalPath, loaded, { lock, lockState, takeLock, handle, goodBytes });
  } catch (error) {
    await lock.release();
    throw error;
  }
}

interface LockState {
  /** Set (by the lock's heartbeat) when the lock was lost while held. */
  lostReason: string | null;
}

interface Writer {
  /** undefined: read-only. */
  readonly lock: StateLock | undefined;
  readonly lockState: LockState;
  /** Takes the lock again after it was lost (waits out a crashed holder, refuses a live one). */
  readonly takeLock: () => Promise<StateLock>;
  readonly handle: FileHandle | undefined;
  readonly goodBytes: number;
}

function createLedger(dir: string, journalPath: string, loaded: LoadedState, writer: Writer): Ledger {
  const { entries, cache } = loaded;
  const { lockState } = writer;
  const readOnly = writer.lock === undefined;
  let lock = writer.lock;
  let handle = writer.handle;
  let goodBytes = writer.goodBytes;
  // Journal bookkeeping for auto-compaction: lines in the file and how many of them a snapshot drops.
  let journalLines = loaded.report.lines;
  let wasteLines = loaded.wasteLines;
  let autoCompactFloor = compactMinLines;
  // After a failed write the file may end in half a line: the next append starts with '\n' so
  // that half line stays a separate (skipped) line instead of gluing onto a good one.
  let tailMayBeDirty = false;
  // Lines of appends that failed (a full disk): kept in order and written first by the next append
  // or flush, so a delivery the server acknowledged is never dropped from the record.
  let unwritten = '';
  let unwrittenLines = 0;
  // The last write failure in plain words (see write-problem.ts); null while writes succeed.
  let problem: string | null = null;
  // The failure was a compaction: a flush with nothing to append tries the compaction again.
  let compactionFailed = false;
  // Why the lock was first lost, kept while taking it back fails (the reason shown grows a cause).
  let firstLostReason: string | null = null;
  const pendingHashNames = new Set<string>();
  const queue: Job[] = [];
  let pumping = false;
  let pumpScheduled = false;
  let closing: Promise<void> | undefined;
  let sinceCache: { sinceMs: number; count: number } | undefined;

  function refuseWrites(what: string): Error | undefined {
    if (closing !== undefined) return new Error(`the ledger in ${dir} is closed; cannot ${what}`);
    if (readOnly) return new Error(`the ledger in ${dir} was opened read-only; cannot ${what}`);
    return undefined;
  }

  function store(next: Stored): void {
    const previous = entries.get(next.sha256);
    entries.set(next.sha256, previous === undefined ? next : { ...next, sha256: previous.sha256 });
    if (previous !== undefined) wasteLines++;
    if (sinceCache !== undefined) {
      if (previous !== undefined && countsAsSent(previous, sinceCache.sinceMs)) sinceCache.count--;
      if (countsAsSent(next, sinceCache.sinceMs)) sinceCache.count++;
    }
  }

  function cacheHash(name: string, size: number, mtimeMs: number, sha256: string): boolean {
    const known = cache.get(name);
    if (known !== undefined && known.size === size && known.mtimeMs === mtimeMs && known.sha256 === sha256) {
      return false;
    }
    cache.set(name, { size, mtimeMs, sha256: entries.get(sha256)?.sha256 ?? sha256 });
    return true;
  }

  function drainPendingHashLines(): { text: string; lineCount: number } {
    let text = '';
    let lineCount = 0;
    for (const name of pendingHashNames) {
      const cached = cache.get(name);
      if (cached === undefined) continue;
      text += hashedLine(name, cached);
      lineCount++;
      // A cache line that repeats a delivery's own file is folded into it by a snapshot.
      if (entries.get(cached.sha256)?.filename === name) wasteLines++;
    }
    pendingHashNames.clear();
    return { text, lineCount };
  }

  function enqueue(job: (settle: Settle) => Job): Promise<void> {
    return new Promise<void>((resolvePromise, rejectPromise) => {
      queue.push(job({ resolve: resolvePromise, reject: rejectPromise }));
      schedulePump();
    });
  }

  // Starting the writer on the next turn, not at once, lets records issued in the same turn
  // (uploads finishing together, callers woken by the previous fsync) share one fsync.
  function schedulePump(): void {
    if (pumping || pumpScheduled) return;
    pumpScheduled = true;
    setImmediate(() => {
      pumpScheduled = false;
      void pump();
    });
  }

  // Group commit: everything queued while one write + fsync runs goes out in the next one.
  async function pump(): Promise<void> {
    if (pumping) return;
    pumping = true;
    try {
      while (queue.length > 0) {
        const head = queue[0];
        if (head?.kind === 'compact') {
          queue.shift();
          await runCompaction().then(head.settle.resolve, head.settle.reject);
          continue;
        }
        if (head?.kind === 'check') {
          queue.shift();
          await checkNow().then(head.resolve, head.reject);
          continue;
        }
        const batch: Extract<Job, { kind: 'append' }>[] = [];
        while (queue[0]?.kind === 'append') batch.push(queue.shift() as Extract<Job, { kind: 'append' }>);
        await appendBatch(batch);
      }
    } finally {
      pumping = false;
    }
  }

  async function appendBatch(batch: readonly Extract<Job, { kind: 'append' }>[]): Promise<void> {
    const text = unwritten + batch.map((job) => job.text).join('');
    const lineCount = batch.reduce((sum, job) => sum + job.lineCount, unwrittenLines);
    try {
      refuseIfLockLost();
      if (text !== '') await appendDurably(text);
      else if (problem !== null && compactionFailed) await compactNow();
    } catch (error) {
      unwritten = text;
      unwrittenLines = lineCount;
      const failure = writeFailure(error);
      for (const job of batch) job.settle.reject(failure);
      return;
    }
    unwritten = '';
    unwrittenLines = 0;
    problem = null;
    compactionFailed = false;
    journalLines += lineCount;
    for (const job of batch) job.settle.resolve();
    if (autoCompactDue()) {
      // A failed automatic compaction leaves the journal as it was; try again when it has doubled
      // (or at the next flush or checkJournal, which retry whatever failed last).
      await runCompaction().catch(() => {
        autoCompactFloor = journalLines * 2;
      });
    }
  }

  /** The failure as the one error callers see, and remembered as the ledger's writeProblem. */
  function writeFailure(error: unknown): RecordWriteError {
    if (error instanceof RecordWriteError) return error;
    problem = describeWriteFailure(dir, error);
    return new RecordWriteError(problem, dir, error);
  }

  function lockProblem(): string | null {
    if (lockState.lostReason === null) return null;
    return (
      `${lockState.lostReason}: this series3-watcher stopped writing the record in STATE_DIR ${dir} ` +
      'so that two agents never write one record; sending is stopped until it holds the lock again'
    );
  }

  function refuseIfLockLost(): void {
    const lost = lockProblem();
    if (lost === null) return;
    problem = lost;
    throw new RecordWriteError(lost, dir);
  }

  async function appendDurably(text: string): Promise<void> {
    handle ??= await open(journalPath, 'a');
    const bytes = Buffer.from(tailMayBeDirty ? `\n${text}` : text);
    try {
      await writeAll(handle, bytes);
      await handle.datasync();
      goodBytes += bytes.length;
      tailMayBeDirty = false;
    } catch (error) {
      try {
        await truncateDurably(journalPath, goodBytes);
      } catch {
        tailMayBeDirty = true;
      }
      throw error;
    }
  }

  async function runCompaction(): Promise<void> {
    try {
      refuseIfLockLost();
      await compactNow();
    } catch (error) {
      compactionFailed = true;
      throw writeFailure(error);
    }
    // The snapshot holds all of memory, the lines of failed appends included.
    unwritten = '';
    unwrittenLines = 0;
    problem = null;
    compactionFailed = false;
  }

  function autoCompactDue(): boolean {
    return journalLines >= Math.max(compactMinLines, autoCompactFloor) && wasteLines * 2 > journalLines;
  }

  async function compactNow(): Promise<void> {
    const tempPath = tempPathOf(journalPath);
    // Cache entries for a delivery's own file ride on its line; the rest get lines of their own.
    const identityBySha = new Map<string, { name: string; cached: CachedHash }>();
    const separateHashes: [string, CachedHash][] = [];
    for (const [name, cached] of cache) {
      const entry = entries.get(cached.sha256);
      if (entry !== undefined && entry.filename === name && !identityBySha.has(cached.sha256)) {
        identityBySha.set(cached.sha256, { name, cached });
      } else {
        separateHashes.push([name, cached]);
      }
    }
    pendingHashNames.clear(); // the snapshot holds the whole cache as it is now
    let written = 0;
    let lines = 0;
    const temp = await open(tempPath, 'w');
    try {
      let chunk = headerLine();
      const flushChunk = async (): Promise<void> => {
        const bytes = Buffer.from(chunk);
        chunk = '';
        await writeAll(temp, bytes);
        written += bytes.length;
      };
      for (const [name, cached] of separateHashes) {
        chunk += hashedLine(name, cached);
        lines++;
        if (chunk.length >= snapshotChunkChars) await flushChunk();
      }
      for (const entry of entries.values()) {
        const identity = identityBySha.get(entry.sha256);
        chunk += deliveredLine(entry, identity === undefined ? undefined : { name: identity.name, ...identity.cached });
        lines++;
        if (chunk.length >= snapshotChunkChars) await flushChunk();
      }
      await flushChunk();
      await temp.datasync();
    } catch (error) {
      await temp.close().catch(() => undefined);
      await unlink(tempPath).catch(() => undefined);
      throw error; // the journal is unchanged
    }
    await temp.close();
    // Windows will not rename over a file we hold open (nor finish deleting one we hold open).
    await handle?.close();
    handle = undefined;
    try {
      await renameWithRetry(tempPath, journalPath);
    } catch (error) {
      await unlink(tempPath).catch(() => undefined);
      throw error; // the journal is unchanged; the next append opens it again
    }
    handle = await open(journalPath, 'a');
    goodBytes = written;
    tailMayBeDirty = false;
    journalLines = lines;
    wasteLines = 0;
    autoCompactFloor = compactMinLines;
    await syncDirectory(dir);
  }

  async function checkNow(): Promise<JournalCheck> {
    if (closing !== undefined || readOnly) return { kind: 'ok' };
    let change: Awaited<ReturnType<typeof journalChange>>;
    try {
      if (lockState.lostReason !== null) await regainLock();
      change = await journalChange();
      if (change !== undefined) {
        await mkdir(dir, { recursive: true }); // the folder may have gone with it
        await runCompaction();
      }
    } catch (error) {
      throw writeFailure(error);
    }
    if (change !== undefined) return { kind: 'rewritten', reason: change.reason, path: journalPath, events: entries.size };
    // Nothing is sent while a write fails, so nothing would retry it: try again here, once a pass,
    // and writeProblem clears as soon as the disk has room again.
    if (problem !== null) await appendBatch([]);
    return { kind: 'ok' };
  }

  /** How the journal at its path differs from the file we write, or undefined when it is ours. */
  async function journalChange(): Promise<{ readonly reason: string; readonly written: boolean } | undefined> {
    let onDisk;
    try {
      onDisk = await stat(journalPath, { bigint: true });
    } catch (error) {
      const code = codeOf(error);
      if (code === 'ENOENT') return { reason: 'was deleted', written: false };
      // Windows: a file deleted while we hold it open lingers, "delete pending", until we close it.
      if (code === 'EPERM') return { reason: 'was deleted (Windows keeps it until it is closed)', written: false };
      throw error;
    }
    if (handle === undefined) return undefined; // nothing open to compare with: the next append opens it
    const held = await handle.stat({ bigint: true });
    // Some network file systems report no file ids (0): then only the size can tell.
    const idsKnown = onDisk.ino !== 0n || held.ino !== 0n;
    if (idsKnown && (onDisk.ino !== held.ino || onDisk.dev !== held.dev)) {
      return { reason: 'was replaced by another file', written: true };
    }
    if (onDisk.size < BigInt(goodBytes)) {
      return { reason: `was cut short (${onDisk.size} bytes left of ${goodBytes})`, written: true };
    }
    if (onDisk.size > BigInt(goodBytes) && lockState.lostReason !== null) {
      return { reason: 'was written by another process', written: true };
    }
    return undefined;
  }

  // The lock was lost (a machine that slept past the stale time, or STATE_DIR deleted with the
  // lock in it). Take it again, but keep going only if nobody wrote the record meanwhile: then
  // memory is still the whole record. Otherwise stay stopped: a restart loads the other's lines.
  async function regainLock(): Promise<void> {
    firstLostReason ??= lockState.lostReason ?? 'the lock was lost';
    const lost = firstLostReason;
    await mkdir(dir, { recursive: true }); // STATE_DIR may have been deleted, lock and all
    let regained: StateLock;
    try {
      regained = await writer.takeLock();
    } catch (error) {
      // Another agent took it: say who, and stay stopped.
      if (error instanceof LedgerLockedError) lockState.lostReason = `${lost}, and ${error.message}`;
      throw error;
    }
    // Checked while lostReason is still set, so a grown journal counts as another's writing.
    const change = await journalChange();
    if (change?.written === true) {
      await regained.release();
      lockState.lostReason = `${lost}, and meanwhile the record ${change.reason}; restart series3-watcher to load it`;
      return;
    }
    lock = regained;
    lockState.lostReason = null;
    firstLostReason = null;
  }

  const ledger: Ledger = {
    dir,
    get writeProblem() {
      // A lost lock shows at once, before any write tries.
      return lockProblem() ?? problem;
    },

    checkJournal() {
      return new Promise<JournalCheck>((resolvePromise, rejectPromise) => {
        queue.push({ kind: 'check', resolve: resolvePromise, reject: rejectPromise });
        schedulePump();
      });
    },

    get size() {
      return entries.size;
    },
    loadReport: loaded.report,

    has(sha256) {
      return entries.has(sha256);
    },

    deliveryOf(sha256) {
      return entries.get(sha256);
    },

    get(sha256) {
      const stored = entries.get(sha256);
      if (stored === undefined) return undefined;
      return {
        sha256: stored.sha256,
        filename: stored.filename,
        size: stored.size,
        forwardedAt: new Date(stored.atMs).toISOString(),
        withReport: stored.withReport,
        source: stored.source,
      };
    },

    knownHash(file) {
      const cached = cache.get(file.name);
      if (cached === undefined || cached.size !== file.size || cached.mtimeMs !== file.mtimeMs) return undefined;
      return cached.sha256;
    },

    rememberHash(file, sha256) {
      const refusal = refuseWrites('remember a hash');
      if (refusal !== undefined) throw refusal;
      checkIdentity(file, 'rememberHash');
      if (!sha256Pattern.test(sha256)) throw new TypeError(`rememberHash: "${sha256}" is not a lowercase hex sha256`);
      if (cacheHash(file.name, file.size, file.mtimeMs, sha256)) pendingHashNames.add(file.name);
    },

    record(items) {
      const refusal = refuseWrites('record deliveries');
      if (refusal !== undefined) return Promise.reject(refusal);
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
      let text = '';
      checked.forEach((next, index) => {
        store(next);
        const stored = entries.get(next.sha256) ?? next;
        const file = items[index]?.file;
        if (file !== undefined) {
          const name = file.name === stored.filename ? stored.filename : file.name;
          cacheHash(name, file.size, file.mtimeMs, stored.sha256);
          // This line carries the identity: a pending cache line for it would only repeat it.
          pendingHashNames.delete(name);
        }
        text += deliveredLine(stored, file);
      });
      const hashes = drainPendingHashLines();
      const lineCount = checked.length + hashes.lineCount;
      return enqueue((settle) => ({ kind: 'append', text: text + hashes.text, lineCount, settle }));
    },

    countSince(epochMs) {
      if (sinceCache?.sinceMs !== epochMs) {
        let count = 0;
        for (const stored of entries.values()) if (countsAsSent(stored, epochMs)) count++;
        sinceCache = { sinceMs: epochMs, count };
      }
      return sinceCache.count;
    },

    compact() {
      const refusal = refuseWrites('compact');
      if (refusal !== undefined) return Promise.reject(refusal);
      return enqueue((settle) => ({ kind: 'compact', settle }));
    },

    flush() {
      if (closing !== undefined || readOnly) return closing ?? Promise.resolve();
      return flushPending();
    },

    close() {
      closing ??= (async () => {
        if (readOnly) return;
        try {
          await flushPending();
        } finally {
          await handle?.close().catch(() => undefined);
          handle = undefined;
          await lock?.release();
        }
      })();
      return closing;
    },
  };

  function flushPending(): Promise<void> {
    const hashes = drainPendingHashLines();
    // An empty append still waits its turn: it resolves after everything queued before it.
    return enqueue((settle) => ({ kind: 'append', text: hashes.text, lineCount: hashes.lineCount, settle }));
  }

  return ledger;
}

// ---------------------------------------------------------------------------------------------
// Loading: read in chunks (memory stays flat), keep the last good newline, drop a torn tail.

async function loadJournal(journalPath: string): Promise<LoadedState> {
  const entries = new Map<string, Stored>();
  const cache = new Map<string, CachedHash>();
  let handle: FileHandle;
  try {
    handle = await open(journalPath, 'r');
  } catch (error) {
    if (codeOf(error) === 'ENOENT') {
      return {
        entries,
        cache,
        report: { lines: 0, corruptLines: 0, tornTail: false },
        goodBytes: 0,
        fileBytes: 0,
        exists: false,
        wasteLines: 0,
      };
    }
    throw new Error(`cannot read the delivery record ${journalPath} (${messageOf(error)}); check its permissions`);
  }

  let lines = 0;
  let corruptLines = 0;
  let wasteLines = 0;
  // Bad lines seen since the last good one: corrupt if a good line follows, else the torn tail.
  let badRun = 0;
  let badRunBytes = 0;
  let completeBytes = 0; // up to the last '\n' read
  let fileBytes = 0;

  const applyLine = (line: string): 'good' | 'bad' | 'blank' => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return line.trim() === '' ? 'blank' : 'bad';
    }
    if (typeof parsed !== 'object' || parsed === null) return 'bad';
    const record = parsed as Record<string, unknown>;
    if (typeof record['forwardedAt'] === 'string') {
      let superseding = false;
      const stored = parseDelivered(record, (sha) => {
        const previous = entries.get(sha);
        superseding = previous !== undefined;
        return previous?.sha256 ?? sha;
      });
      if (stored === undefined) return 'bad';
      if (superseding) wasteLines++;
      entries.set(stored.sha256, stored);
      if (typeof record['mtimeMs'] === 'number' && Number.isFinite(record['mtimeMs'])) {
        const fileName = typeof record['fileName'] === 'string' ? record['fileName'] : stored.filename;
        const fileSize = typeof record['fileSize'] === 'number' ? record['fileSize'] : stored.size;
        cache.set(fileName, { size: fileSize, mtimeMs: record['mtimeMs'], sha256: stored.sha256 });
      }
      return 'good';
    }
    if (typeof record['hashed'] === 'string') {
      const sha = record['hashed'];
      const name = record['name'];
      const size = record['size'];
      const mtimeMs = record['mtimeMs'];
      if (!sha256Pattern.test(sha) || typeof name !== 'string' || name === '') return 'bad';
      if (!isSize(size) || typeof mtimeMs !== 'number' || !Number.isFinite(mtimeMs)) return 'bad';
      const entry = entries.get(sha);
      if (cache.has(name) || entry?.filename === name) wasteLines++;
      cache.set(name, { size, mtimeMs, sha256: entry?.sha256 ?? sha });
      return 'good';
    }
    if (record['ledger'] === 'series3-watcher') {
      const version = record['version'];
      if (version !== ledgerFormatVersion) {
        throw new Error(
          `the delivery record ${journalPath} has format version ${String(version)}, this series3-watcher ` +
            `reads version ${ledgerFormatVersion}; use a newer series3-watcher or another STATE_DIR`,
        );
      }
      return 'blank';
    }
    return 'bad';
  };

  try {
    const buffer = Buffer.allocUnsafe(readChunkBytes);
    let carry = Buffer.alloc(0);
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
      for (const line of parts) {
        const outcome = applyLine(line);
        if (outcome === 'good') {
          lines += 1 + badRun;
          corruptLines += badRun;
          wasteLines += badRun;
          badRun = 0;
          badRunBytes = 0;
        } else if (outcome === 'bad' || badRun > 0) {
          // Byte lengths are only needed for lines that may have to be cut off.
          if (outcome === 'bad') badRun++;
          badRunBytes += Buffer.byteLength(line) + 1;
        }
      }
    }
  } finally {
    await handle.close();
  }
  const goodBytes = completeBytes - badRunBytes;
  return {
    entries,
    cache,
    report: { lines, corruptLines, tornTail: goodBytes < fileBytes },
    goodBytes,
    fileBytes,
    exists: true,
    wasteLines,
  };
}

function parseDelivered(record: Record<string, unknown>, canonicalSha: (sha256: string) => string): Stored | undefined {
  const { sha256, filename, size, forwardedAt, withReport, source } = record;
  // Lines were checked when written; the length check keeps loading 100,000 lines cheap.
  if (typeof sha256 !== 'string' || sha256.length !== 64) return undefined;
  if (typeof filename !== 'string' || !isSize(size) || typeof withReport !== 'boolean') return undefined;
  const atMs = Date.parse(forwardedAt as string);
  if (!Number.isFinite(atMs)) return undefined;
  const knownSource = sourceOf(source);
  if (knownSource === undefined) return undefined;
  return { sha256: canonicalSha(sha256), filename, size, atMs, withReport, source: knownSource };
}

// ---------------------------------------------------------------------------------------------
// Lines and checks

function headerLine(): string {
  return `${JSON.stringify({ ledger: 'series3-watcher', version: ledgerFormatVersion })}\n`;
}

function deliveredLine(entry: Stored, file: FileIdentity | undefined): string {
  const line: Record<string, unknown> = {
    sha256: entry.sha256,
    filename: entry.filename,
    size: entry.size,
    forwardedAt: new Date(entry.atMs).toISOString(),
    withReport: entry.withReport,
    source: entry.source,
  };
  if (file !== undefined) {
    line['mtimeMs'] = file.mtimeMs;
    if (file.name !== entry.filename) line['fileName'] = file.name;
    if (file.size !== entry.size) line['fileSize'] = file.size;
  }
  return `${JSON.stringify(line)}\n`;
}

function hashedLine(name: string, cached: CachedHash): string {
  return `${JSON.stringify({ hashed: cached.sha256, name, size: cached.size, mtimeMs: cached.mtimeMs })}\n`;
}

function checkEntry(entry: DeliveredEntry, index: number): Stored {
  const where = `record item ${index}`;
  if (typeof entry.sha256 !== 'string' || !sha256Pattern.test(entry.sha256)) {
    throw new TypeError(`${where}: sha256 "${String(entry.sha256)}" is not 64 lowercase hex digits`);
  }
  if (typeof entry.filename !== 'string' || entry.filename === '') throw new TypeError(`${where}: filename is empty`);
  if (!isSize(entry.size)) throw new TypeError(`${where}: size ${String(entry.size)} is not a byte count`);
  const atMs = Date.parse(entry.forwardedAt);
  if (!Number.isFinite(atMs)) throw new TypeError(`${where}: forwardedAt "${entry.forwardedAt}" is not an ISO date`);
  if (typeof entry.withReport !== 'boolean') throw new TypeError(`${where}: withReport is not a boolean`);
  const source = sourceOf(entry.source);
  if (source === undefined) throw new TypeError(`${where}: source "${String(entry.source)}" is not sent, seeded or legacy`);
  return { sha256: entry.sha256, filename: entry.filename, size: entry.size, atMs, withReport: entry.withReport, source };
}

function checkIdentity(file: FileIdentity, where: string): void {
  if (typeof file.name !== 'string' || file.name === '') throw new TypeError(`${where}: the file name is empty`);
  if (!isSize(file.size)) throw new TypeError(`${where}: file size ${String(file.size)} is not a byte count`);
  if (typeof file.mtimeMs !== 'number' || !Number.isFinite(file.mtimeMs)) {
    throw new TypeError(`${where}: mtimeMs ${String(file.mtimeMs)} is not a number`);
  }
}

function isSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

// ---------------------------------------------------------------------------------------------
// Files

function tempPathOf(journalPath: string): string {
  return `${journalPath}.tmp`;
}

async function openForAppend(journalPath: string): Promise<FileHandle> {
  try {
    return await open(journalPath, 'a');
  } catch (error) {
    throw new Error(`cannot open the delivery record ${journalPath} for writing (${messageOf(error)}); check its permissions`);
  }
}

async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}

// A crash tears at most the line being written. A longer unreadable tail is something else
// (a disk fault, a foreign edit): keep a copy beside the journal before cutting it off.
const tornTailKeepAboveBytes = 4096;

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

async function truncateDurably(path: string, bytes: number): Promise<void> {
  await truncatePath(path, bytes);
  const handle = await open(path, 'r+');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

// A rename or a new file is only durable once its directory is; Windows cannot open a
// directory for fsync (EPERM / EISDIR) and journals the rename itself.
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    const code = codeOf(error);
    if (code !== 'EPERM' && code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EACCES') throw error;
  } finally {
    await handle?.close();
  }
}


function ignoreMissing(error: unknown): void {
  if (codeOf(error) !== 'ENOENT') throw error;
}

function codeOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
