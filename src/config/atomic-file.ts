// The durable-file primitives, in one place: writing every byte, a temp file written and fsynced
// then renamed over its target (a reader or a crash sees the old file or the new one, never
// half), a rename retried while Windows holds the target for a moment, a cut that is fsynced,
// and the fsync of a folder that makes a rename or a new file durable where the platform allows.
// Used for config.ini, the small state files and the record's journal (its appends, repair and
// compaction). It sits at the bottom with config so every module above may use it.
import { chmod, mkdir, open, rename, truncate, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

const RENAME_RETRY_DELAYS_MS: readonly number[] = [20, 50, 100, 250, 500];

// Errors from opening or fsyncing a folder that only say the platform cannot do it: Windows
// cannot open a folder for fsync (EPERM / EISDIR / EACCES) and journals the rename itself; some
// file systems refuse fsync on a folder (EINVAL).
const FOLDER_SYNC_UNSUPPORTED: ReadonlySet<string> = new Set(['EPERM', 'EISDIR', 'EINVAL', 'EACCES']);

/** Writes `data` to `filePath` so that a reader or a crash sees the old file or the new one, never half. */
export async function writeFileAtomic(filePath: string, data: string | Uint8Array, options: { readonly mode?: number } = {}): Promise<void> {
  const folder = dirname(filePath);
  const tempPath = join(folder, `.${basename(filePath)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  await mkdir(folder, { recursive: true });
  await writeTempFile(tempPath, (handle) => handle.writeFile(data), { exclusive: true, ...(options.mode === undefined ? {} : { mode: options.mode }) });
  await commitTempFile(tempPath, filePath);
  await syncFolder(folder);
}

export interface TempFileOptions {
  /** Refuse to reuse an existing file at the temp path ('wx'); otherwise it is truncated ('w'). */
  readonly exclusive?: boolean;
  /** Permission bits of the new file (set again after writing, past the umask). */
  readonly mode?: number;
}

/**
 * Creates `tempPath`, lets `fill` write it, fsyncs and closes it. On any failure the temp file is
 * closed and removed and the error rethrown, so the file it was to replace is left as it was.
 */
export async function writeTempFile(tempPath: string, fill: (handle: FileHandle) => Promise<void>, options: TempFileOptions = {}): Promise<void> {
  try {
    const handle = await open(tempPath, options.exclusive === true ? 'wx' : 'w', options.mode ?? 0o666);
    try {
      await fill(handle);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.mode !== undefined) await chmod(tempPath, options.mode);
  } catch (error) {
    await unlink(tempPath).catch(() => undefined);
    throw error;
  }
}

/** Renames a written temp file over `filePath`; if that fails the temp file is removed and the error rethrown. */
export async function commitTempFile(tempPath: string, filePath: string): Promise<void> {
  try {
    await renameWithRetry(tempPath, filePath);
  } catch (error) {
    await unlink(tempPath).catch(() => undefined);
    throw error;
  }
}

// On Windows a rename over a file that another process (a reader, an antivirus) has open
// fails for a moment with EPERM/EACCES/EBUSY; it succeeds shortly after.
export async function renameWithRetry(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const delayMs = RENAME_RETRY_DELAYS_MS[attempt];
      if (delayMs === undefined || (code !== 'EPERM' && code !== 'EACCES' && code !== 'EBUSY')) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/** Writes all of `bytes` at the handle's position (one write may take fewer bytes than asked). */
export async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}

/** Cuts `path` to `bytes` and fsyncs it, so the cut survives a crash. */
export async function truncateDurably(path: string, bytes: number): Promise<void> {
  await truncate(path, bytes);
  const handle = await open(path, 'r+');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/**
 * Fsyncs a folder so a rename or a new file in it is durable. Where the platform cannot (Windows,
 * some file systems) that is not an error; any other failure (EIO, the folder gone) is thrown.
 */
export async function syncDirectory(folder: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | null)?.code;
    if (code === undefined || !FOLDER_SYNC_UNSUPPORTED.has(code)) throw error;
  } finally {
    await handle?.close();
  }
}

/** Best effort: `syncDirectory` for callers whose file is already in place and that must not fail after it. */
export async function syncFolder(folder: string): Promise<void> {
  await syncDirectory(folder).catch(() => undefined);
}
