// The check at the start of a pass: is the journal on disk still the file this writer appends to?
// A journal deleted, replaced or cut short (a person, a cleaner, an antivirus) is written again
// from memory; a lost lock is taken back when nobody else wrote the record meanwhile; a write that
// failed is retried (nothing else retries it while sending is stopped). Runs as a writer job.
import { mkdir, stat } from 'node:fs/promises';
import { appendBatch, runCompaction, writeFailure } from './journal-writer.js';
import type { JournalWriter } from './journal-writer.js';
import { LedgerLockedError } from './state-lock.js';
import type { StateLock } from './state-lock.js';

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

/** How the journal differs from the file written: why, and whether someone wrote to it. */
interface JournalChange {
  readonly reason: string;
  readonly written: boolean;
}

/** The check itself; the caller runs it as the writer's job. Rejects with a RecordWriteError. */
export async function checkJournalNow(writer: JournalWriter): Promise<JournalCheck> {
  if (writer.closing) return { kind: 'ok' };
  let change: JournalChange | undefined;
  try {
    if (writer.lockState.lostReason !== null) await regainLock(writer);
    change = await journalChange(writer);
    if (change !== undefined) {
      await mkdir(writer.dir, { recursive: true }); // the folder may have gone with it
      await runCompaction(writer);
    }
  } catch (error) {
    throw writeFailure(writer, error);
  }
  if (change !== undefined) {
    return { kind: 'rewritten', reason: change.reason, path: writer.journalPath, events: writer.index.entries.size };
  }
  // Nothing is sent while a write fails, so nothing would retry it: try again here, once a pass,
  // and writeProblem clears as soon as the disk has room again.
  if (writer.problem !== null) await appendBatch(writer, []);
  return { kind: 'ok' };
}

/** How the journal at its path differs from the file we write, or undefined when it is ours. */
async function journalChange(writer: JournalWriter): Promise<JournalChange | undefined> {
  let onDisk;
  try {
    onDisk = await stat(writer.journalPath, { bigint: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | null)?.code;
    if (code === 'ENOENT') return { reason: 'was deleted', written: false };
    // Windows: a file deleted while we hold it open lingers, "delete pending", until we close it.
    if (code === 'EPERM') return { reason: 'was deleted (Windows keeps it until it is closed)', written: false };
    throw error;
  }
  if (writer.handle === undefined) return undefined; // nothing open to compare with: the next append opens it
  const held = await writer.handle.stat({ bigint: true });
  const { goodBytes } = writer;
  // Some network file systems report no file ids (0): then only the size can tell.
  const idsKnown = onDisk.ino !== 0n || held.ino !== 0n;
  if (idsKnown && (onDisk.ino !== held.ino || onDisk.dev !== held.dev)) {
    return { reason: 'was replaced by another file', written: true };
  }
  if (onDisk.size < BigInt(goodBytes)) {
    return { reason: `was cut short (${onDisk.size} bytes left of ${goodBytes})`, written: true };
  }
  if (onDisk.size > BigInt(goodBytes) && writer.lockState.lostReason !== null) {
    return { reason: 'was written by another process', written: true };
  }
  return undefined;
}

// The lock was lost (a machine that slept past the stale time, or STATE_DIR deleted with the
// lock in it). Take it again, but keep going only if nobody wrote the record meanwhile: then
// memory is still the whole record. Otherwise stay stopped: a restart loads the other's lines.
async function regainLock(writer: JournalWriter): Promise<void> {
  const { lockState } = writer;
  writer.firstLostReason ??= lockState.lostReason ?? 'the lock was lost';
  const lost = writer.firstLostReason;
  await mkdir(writer.dir, { recursive: true }); // STATE_DIR may have been deleted, lock and all
  let regained: StateLock;
  try {
    regained = await writer.takeLock();
  } catch (error) {
    // Another agent took it: say who, and stay stopped.
    if (error instanceof LedgerLockedError) lockState.lostReason = `${lost}, and ${error.message}`;
    throw error;
  }
  // Checked while lostReason is still set, so a grown journal counts as another's writing.
  const change = await journalChange(writer);
  if (change?.written === true) {
    await regained.release();
    lockState.lostReason = `${lost}, and meanwhile the record ${change.reason}; restart series3-watcher to load it`;
    return;
  }
  writer.lock = regained;
  lockState.lostReason = null;
  writer.firstLostReason = null;
}
