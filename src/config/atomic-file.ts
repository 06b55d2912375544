// Replacing a file whole, safely: temp file in the same folder + fsync + rename (+ fsync of the
// folder where the platform allows). Used for config.ini, the record's compaction and the small
// state files. It sits at the bottom with config so every module above may use it.
import { chmod, mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

const RENAME_RETRY_DELAYS_MS: readonly number[] = [20, 50, 100, 250, 500];

/** Writes `data` to `filePath` so that a reader or a crash sees the old file or the new one, never half. */
export async function writeFileAtomic(filePath: string, data: string | Uint8Array, options: { readonly mode?: number } = {}): Promise<void> {
  const folder = dirname(filePath);
  const tempPath = join(folder, `.${basename(filePath)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(folder, { recursive: true });
    const handle = await open(tempPath, 'wx', options.mode ?? 0o666);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.mode !== undefined) await chmod(tempPath, options.mode);
    await renameWithRetry(tempPath, filePath);
  } catch (error) {
    await unlink(tempPath).catch(() => undefined);
    throw error;
  }
  await syncFolder(folder);
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

/** Makes a rename durable on POSIX; Windows cannot open a folder, which is fine. */
export async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort
  }
}
