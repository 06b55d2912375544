// One writer per STATE_DIR: a lock file holding the owner's pid, created with 'wx' so only one
// process can create it. A lock whose pid is no longer alive (a crash, a power cut) is taken over.
// Readers (`status`) never lock.

import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export const lockFileName = 'series3-watcher.lock';

/** Thrown by `openLedger` when another live process holds STATE_DIR. Also tagged `kind: 'locked'`. */
export class LedgerLockedError extends Error {
  readonly kind = 'locked' as const;
  readonly dir: string;
  readonly pid: number;
  readonly lockPath: string;

  constructor(dir: string, pid: number, lockPath: string) {
    super(
      `another series3-watcher (pid ${pid}) is using ${dir}; stop it first ` +
        `(if no series3-watcher is running, delete ${lockPath})`,
    );
    this.name = 'LedgerLockedError';
    this.dir = dir;
    this.pid = pid;
    this.lockPath = lockPath;
  }
}

export interface StateLock {
  readonly path: string;
  /** Removes the lock file if it is still ours; idempotent. */
  release(): Promise<void>;
}

// Lock paths held by this process. A lock file naming our own pid that is not in here is a
// leftover of an earlier process that had the same pid (pids repeat after a reboot): stale.
const heldLockPaths = new Set<string>();

// A lock file that exists but has no pid yet is being written by its creator right now:
// give it this long before calling it stale.
const emptyLockGraceMs = 1_000;
const emptyLockPollMs = 50;
const takeOverAttempts = 5;

export async function acquireStateLock(dir: string): Promise<StateLock> {
  const path = join(dir, lockFileName);
  for (let attempt = 0; attempt < takeOverAttempts; attempt++) {
    if (await tryCreate(path)) {
      heldLockPaths.add(path);
      return { path, release: onceOnly(() => releaseLock(path)) };
    }
    const owner = await readOwnerPid(path);
    if (owner === 'gone') continue; // released between our create and our read: try again
    if (owner !== 'none' && isAlive(owner, path)) throw new LedgerLockedError(dir, owner, path);
    await unlink(path).catch(ignoreCode('ENOENT'));
  }
  throw new Error(
    `could not take the lock ${path}: another process keeps creating it; ` +
      'make sure only one series3-watcher uses this STATE_DIR',
  );
}

async function tryCreate(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx');
  } catch (error) {
    if (codeOf(error) === 'EEXIST') return false;
    throw new Error(`cannot create the lock file ${path} (${messageOf(error)}); check that STATE_DIR is writable`);
  }
  try {
    await handle.writeFile(`${process.pid}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

/** The pid in the lock file, 'none' when it never got one (stale), 'gone' when the file vanished. */
async function readOwnerPid(path: string): Promise<number | 'none' | 'gone'> {
  for (let waitedMs = 0; ; waitedMs += emptyLockPollMs) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return 'gone';
      throw new Error(`cannot read the lock file ${path} (${messageOf(error)})`);
    }
    const pid = Number.parseInt(text.trim(), 10);
    if (Number.isSafeInteger(pid) && pid > 0) return pid;
    if (text.trim() !== '' || waitedMs >= emptyLockGraceMs) return 'none';
    await new Promise((resolve) => setTimeout(resolve, emptyLockPollMs));
  }
}

function isAlive(pid: number, path: string): boolean {
  if (pid === process.pid) return heldLockPaths.has(path);
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return codeOf(error) === 'EPERM';
  }
}

async function releaseLock(path: string): Promise<void> {
  heldLockPaths.delete(path);
  const owner = await readFile(path, 'utf8').catch(() => '');
  if (Number.parseInt(owner.trim(), 10) === process.pid) await unlink(path).catch(ignoreCode('ENOENT'));
}

function onceOnly(run: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= run());
}

function ignoreCode(code: string): (error: unknown) => void {
  return (error) => {
    if (codeOf(error) !== code) throw error;
  };
}

function codeOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
