// One writer per STATE_DIR. The lock is proper-lockfile's: a directory made with mkdir (atomic
// everywhere, network shares included) whose mtime the holder touches every heartbeat. Liveness is
// that heartbeat, never a pid: after a hard kill or a power cut the pid is soon another program's
// (Windows recycles pids; Wine numbers them from 32 again), but no other program touches our lock.
// A lock whose heartbeat stopped is taken over once it is stale, without a person.
// Who holds it (pid, host, when it started) is kept beside the lock, only to name the holder:
// proper-lockfile removes the lock with rmdir, which needs the directory empty.
// Readers (`status`) never lock.

import { readFile, rmdir, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { writeFileAtomic } from '../config/atomic-file.js';
import { describeWriteFailure, RecordWriteError } from './write-problem.js';
import { errorCode, errorMessage } from '../text/errors.js';
import { localDateTime } from '../text/local-time.js';

export const lockDirName = 'writer.lock';
export const lockHolderFileName = 'writer.lock.json';

/** The lock of versions before the heartbeat lock: a file holding a pid. Removed once we hold the new lock. */
const oldLockFileName = 'series3-watcher.lock';

/** A lock untouched this long belongs to a process that is gone (a crash, a kill, a power cut). */
export const defaultLockStaleMs = 10_000;
// proper-lockfile refuses less: mtime precision is a second on some file systems.
const minimumLockStaleMs = 2_000;
/** A touch of the lock's mtime a second: `status` tells a live agent within about a second. */
const longestHeartbeatMs = 1_000;
/** Beyond two heartbeats, how long a reader keeps watching a fresh lock: covers a late timer and
 * file systems that keep mtimes to 2 s (FAT32), where only every other heartbeat shows. */
const heartbeatWatchMarginMs = 1_000;
const lockPollMs = 100;

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** ISO 8601 UTC: when the holder took the lock. */
  readonly startedAt: string;
}

/** Thrown by `openLedger` when another live process holds STATE_DIR. Also tagged `kind: 'locked'`. */
export class LedgerLockedError extends Error {
  readonly kind = 'locked' as const;
  readonly dir: string;
  /** The holder's pid, when it could be read. */
  readonly pid: number | undefined;
  readonly holder: LockHolder | undefined;
  readonly lockPath: string;

  constructor(dir: string, holder: LockHolder | undefined, lockPath: string) {
    const who =
      holder === undefined
        ? 'another series3-watcher (its details are not readable yet)'
        : `another series3-watcher (pid ${holder.pid} on ${holder.host}, started ${localDateTime(holder.startedAt, true)})`;
    super(`${who} is using ${dir}; stop it first (a series3-watcher that crashed is taken over by itself)`);
    this.name = 'LedgerLockedError';
    this.dir = dir;
    this.pid = holder?.pid;
    this.holder = holder;
    this.lockPath = lockPath;
  }
}

export interface StateLock {
  readonly path: string;
  /** Removes the lock if it is still ours; idempotent. */
  release(): Promise<void>;
}

export interface StateLockOptions {
  /** Default `defaultLockStaleMs`; at least 2 s. */
  readonly staleMs?: number;
  /**
   * The lock was lost while held (its heartbeat was late by more than the stale time: a frozen
   * or sleeping machine; or someone removed or took it). Called once; the lock is no longer ours.
   */
  readonly onLost: (reason: string) => void;
}

// Locks held by this process: a second open in the same process is refused at once.
const heldLockPaths = new Set<string>();

export async function acquireStateLock(dir: string, options: StateLockOptions): Promise<StateLock> {
  const path = join(dir, lockDirName);
  const staleMs = Math.max(options.staleMs ?? defaultLockStaleMs, minimumLockStaleMs);
  // Several heartbeats per stale period, so one late timer never makes a live holder look dead.
  const heartbeatMs = Math.min(longestHeartbeatMs, staleMs / 2);
  let unchanged: { readonly mtimeMs: number; readonly sinceMs: number } | undefined;
  for (;;) {
    if (heldLockPaths.has(path)) throw new LedgerLockedError(dir, await readHolder(dir), path);
    const release = await tryLock(dir, path, staleMs, heartbeatMs, options.onLost);
    if (release !== undefined) return await holdLock(dir, path, release);
    const mtimeMs = await mtimeOf(path);
    if (mtimeMs === undefined) continue; // released meanwhile: try again at once
    const nowMs = performance.now();
    if (unchanged !== undefined && unchanged.mtimeMs !== mtimeMs) {
      // A heartbeat: the holder is alive, whatever its pid.
      throw new LedgerLockedError(dir, await readHolder(dir), path);
    }
    if (unchanged === undefined) {
      unchanged = { mtimeMs, sinceMs: nowMs };
    } else if (nowMs - unchanged.sinceMs >= staleMs) {
      // No heartbeat for a whole stale period on our own clock. proper-lockfile alone compares the
      // mtime with the wall clock, which never calls the lock stale if the clock went back after
      // the crash (a dead CMOS battery after a power cut).
      await rmdir(path).catch(ignoreCode('ENOENT'));
      unchanged = undefined;
      continue;
    }
    await new Promise((resolve) => setTimeout(resolve, lockPollMs));
  }
}

/** The release function, or undefined when the lock is held and not stale. */
async function tryLock(
  dir: string,
  path: string,
  staleMs: number,
  heartbeatMs: number,
  onLost: (reason: string) => void,
): Promise<(() => Promise<void>) | undefined> {
  try {
    return await lockfile.lock(dir, {
      lockfilePath: path,
      realpath: false, // STATE_DIR may not be resolvable the same way twice (network shares, subst drives)
      stale: staleMs,
      update: heartbeatMs,
      retries: 0, // waiting is ours: we tell a heartbeat (refuse) from silence (take over)
      // proper-lockfile's default throws from a timer, which would crash the agent.
      onCompromised: (error: Error) => {
        heldLockPaths.delete(path);
        onLost(`the lock ${path} was lost (${error.message})`);
      },
    });
  } catch (error) {
    if (errorCode(error) === 'ELOCKED') return undefined;
    // A full disk or a read-only folder at start: the same words (and kind) as a failed write.
    throw new RecordWriteError(`cannot take the lock ${path}: ${describeWriteFailure(dir, error)}`, dir, error);
  }
}

async function holdLock(dir: string, path: string, release: () => Promise<void>): Promise<StateLock> {
  const holder: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  const holderPath = join(dir, lockHolderFileName);
  // Only to name us to a second agent: a full disk must not keep the agent from starting (the
  // ledger then reports the problem as soon as a write fails), nor leave a previous holder named.
  await writeFileAtomic(holderPath, `${JSON.stringify(holder)}\n`).catch(() => unlink(holderPath).catch(() => undefined));
  heldLockPaths.add(path);
  await unlink(join(dir, oldLockFileName)).catch(() => undefined);
  let done: Promise<void> | undefined;
  return {
    path,
    release: () =>
      (done ??= (async () => {
        const stillOurs = heldLockPaths.delete(path);
        if (!stillOurs) return; // lost: whatever is there now is someone else's
        const current = await readHolder(dir);
        if (current?.pid === holder.pid && current.startedAt === holder.startedAt) {
          await unlink(join(dir, lockHolderFileName)).catch(() => undefined);
        }
        await release().catch(ignoreCode('ERELEASED'));
      })()),
  };
}

/**
 * Hands over the lock of a holder known to have exited (the tray app's worker, whose exit its
 * supervisor saw), so the next agent starts at once instead of waiting out the stale time.
 * Only when the holder file names that pid on this host: anyone else's lock is left alone.
 * True when a lock was removed.
 */
export async function releaseLockOfExited(dir: string, pid: number): Promise<boolean> {
  const holder = await readHolder(dir);
  if (holder === undefined || holder.pid !== pid || holder.host !== hostname()) return false;
  await unlink(join(dir, lockHolderFileName)).catch(ignoreCode('ENOENT'));
  await rmdir(join(dir, lockDirName)).catch(ignoreCode('ENOENT'));
  return true;
}

/** Who holds the lock, or undefined when the holder file is missing, half written or foreign. */
export async function readHolder(dir: string): Promise<LockHolder | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(join(dir, lockHolderFileName), 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { pid, host, startedAt } = parsed as Record<string, unknown>;
  if (typeof pid !== 'number' || typeof host !== 'string' || typeof startedAt !== 'string') return undefined;
  return { pid, host, startedAt };
}

/**
 * Whether an agent holds STATE_DIR now, judged by the lock's heartbeat (a pid alone is no proof:
 * after a crash or reboot another program may have it). A fresh lock is watched until it is touched
 * again (a live holder does so every heartbeat, so about a second) or stays still past two heartbeats
 * and a margin: so a reader such as `status` waits up to about 3 s for a just-killed agent, and never
 * calls it running.
 */
export async function liveLockHolder(dir: string, nowMs: () => number = Date.now, staleMs = defaultLockStaleMs): Promise<LockHolder | null> {
  const path = join(dir, lockDirName);
  const first = await mtimeOf(path).catch(() => undefined);
  if (first === undefined || Math.abs(nowMs() - first) > staleMs) return null;
  const watchUntilMs = nowMs() + 2 * longestHeartbeatMs + heartbeatWatchMarginMs;
  while (nowMs() < watchUntilMs) {
    await new Promise((resolve) => setTimeout(resolve, lockPollMs));
    const latest = await mtimeOf(path).catch(() => undefined);
    if (latest === undefined) return null;
    if (latest !== first) return (await readHolder(dir)) ?? { pid: 0, host: '', startedAt: '' };
  }
  return null;
}

async function mtimeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw new Error(`cannot read the lock ${path} (${errorMessage(error)}); check that STATE_DIR is readable`);
  }
}

function ignoreCode(code: string): (error: unknown) => void {
  return (error) => {
    if (errorCode(error) !== code) throw error;
  };
}


