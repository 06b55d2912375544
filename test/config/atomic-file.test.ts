// The durable-file primitives (src/config/atomic-file.ts) that config.ini, the state files and the
// record's journal all use: a replaced file is the old one or the new one, never half, and a failed
// replacement leaves no temp file behind.
import { mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  commitTempFile,
  syncDirectory,
  syncFolder,
  truncateDurably,
  writeAll,
  writeFileAtomic,
  writeTempFile,
} from '../../src/config/atomic-file.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'series3-atomic-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('item 3: one durable-file helper', () => {
  it('writeFileAtomic replaces a file whole and leaves no temp file, creating its folder', async () => {
    const path = join(dir, 'nested', 'config.ini');
    await writeFileAtomic(path, 'first');
    await writeFileAtomic(path, 'second');
    expect(await readFile(path, 'utf8')).toBe('second');
    expect(await readdir(join(dir, 'nested'))).toEqual(['config.ini']);
  });

  it.runIf(process.platform !== 'win32')('writeFileAtomic gives the new file the mode asked for', async () => {
    const path = join(dir, 'secret.ini');
    await writeFileAtomic(path, 'x', { mode: 0o600 });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('writeTempFile removes the temp file and rethrows when filling it fails; the target is untouched', async () => {
    const target = join(dir, 'journal');
    const temp = `${target}.tmp`;
    await writeFile(target, 'old');
    const failure = new Error('disk full');
    await expect(
      writeTempFile(temp, async (handle) => {
        await handle.writeFile('half');
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await readdir(dir)).toEqual(['journal']);
    expect(await readFile(target, 'utf8')).toBe('old');
  });

  it('writeTempFile refuses an existing temp file when exclusive, and overwrites it otherwise', async () => {
    const temp = join(dir, 'x.tmp');
    await writeFile(temp, 'left over from a crash');
    await expect(writeTempFile(temp, (handle) => handle.writeFile('new'), { exclusive: true })).rejects.toMatchObject({ code: 'EEXIST' });
    await writeFile(temp, 'left over from a crash');
    await writeTempFile(temp, (handle) => handle.writeFile('new'));
    expect(await readFile(temp, 'utf8')).toBe('new');
  });

  it('commitTempFile renames over the target, and removes the temp file when the rename fails', async () => {
    const target = join(dir, 'journal');
    await writeFile(target, 'old');
    await writeFile(`${target}.tmp`, 'new');
    await commitTempFile(`${target}.tmp`, target);
    expect(await readFile(target, 'utf8')).toBe('new');

    await writeFile(`${target}.tmp`, 'newer');
    await expect(commitTempFile(`${target}.tmp`, join(dir, 'missing', 'journal'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual(['journal']);
  });

  it('writeAll writes every byte even when the system writes fewer than asked', async () => {
    const path = join(dir, 'short-writes');
    const handle = await open(path, 'w');
    type WriteBytes = (this: FileHandle, buffer: Uint8Array, offset: number, length: number) => Promise<{ bytesWritten: number }>;
    const prototype = Object.getPrototypeOf(handle) as { write: WriteBytes };
    const realWrite = prototype.write;
    const write = vi.spyOn(prototype, 'write').mockImplementation(function (this: FileHandle, buffer, offset, length) {
      return realWrite.call(this, buffer, offset, Math.min(length, 3));
    });
    let writes = 0;
    try {
      await writeAll(handle, Buffer.from('0123456789'));
      writes = write.mock.calls.length;
    } finally {
      write.mockRestore();
      await handle.close();
    }
    expect(await readFile(path, 'utf8')).toBe('0123456789');
    expect(writes).toBe(4);
  });

  it('truncateDurably cuts a file back to a byte count', async () => {
    const path = join(dir, 'journal');
    await writeFile(path, 'good line\ntorn');
    await truncateDurably(path, 10);
    expect(await readFile(path, 'utf8')).toBe('good line\n');
  });

  it('syncDirectory fsyncs a folder and throws for one that is gone; syncFolder never throws', async () => {
    await syncDirectory(dir);
    await expect(syncDirectory(join(dir, 'gone'))).rejects.toMatchObject({ code: 'ENOENT' });
    await syncFolder(join(dir, 'gone'));
  });
});
