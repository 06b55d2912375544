// Small state files (status.json, held-back.json) are replaced whole: temp file + fsync + rename,
// so a reader or a crash never sees half a file.
import { open, rename, rm } from 'node:fs/promises';

let counter = 0;

export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.${++counter}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
