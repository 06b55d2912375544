import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFile, chmod, mkdir, readdir, readlink, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { changeBetween, classifyFileError, hashWhole, readWhole } from '../../src/scan/read-file.js';
import { listFolder } from '../../src/scan/list-folder.js';
import { makeSite, type Site } from '../support/fixtures.js';

const runningAsRoot = process.getuid?.() === 0;
const canCountHandles = process.platform === 'linux';

/** Open descriptors of this process that point at `path` (Linux: /proc/self/fd). */
async function handlesOn(path: string): Promise<number> {
  let count = 0;
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (target === path) count++;
  }
  return count;
}

describe('readWhole', () => {
  let site: Site;
  let path: string;
  beforeEach(async () => {
    site = await makeSite('s3w-read-');
    path = join(site.watchDir, 'M529LK44.AB0');
  });
  afterEach(async () => {
    await site.cleanup();
  });

  it('reads the whole file and reports the size and mtime it had while being read', async () => {
    const bytes = randomBytes(200_000);
    await writeFile(path, bytes);
    const s = await stat(path);

    const outcome = await readWhole(path);

    expect(outcome).toEqual({ kind: 'read', bytes, size: 200_000, mtimeMs: s.mtimeMs });
  });

  it('reads an empty file', async () => {
    await writeFile(path, '');
    expect(await readWhole(path)).toMatchObject({ kind: 'read', size: 0, bytes: Buffer.alloc(0) });
  });

  it('reads when the listing it was given still holds', async () => {
    await writeFile(path, 'binary');
    const [entry] = await listFolder(site.watchDir);
    expect(await readWhole(path, { size: entry!.size, mtimeMs: entry!.mtimeMs })).toMatchObject({ kind: 'read', size: 6 });
  });

  it('says missing, naming the file, for a file that is not there (vanished since the listing)', async () => {
    const outcome = await readWhole(path);
    expect(outcome).toMatchObject({ kind: 'failed', error: 'missing' });
    expect(outcome.kind === 'failed' && outcome.reason).toContain(path);
  });

  it('says other for a folder', async () => {
    await mkdir(path);
    expect(await readWhole(path)).toMatchObject({ kind: 'failed', error: 'other' });
  });

  it.skipIf(runningAsRoot)('says permission for a file this user may not read', async () => {
    // As root (CI containers) chmod 000 does not stop reads; classifyFileError's table covers it there.
    await writeFile(path, 'secret');
    await chmod(path, 0o000);
    const outcome = await readWhole(path);
    expect(outcome).toMatchObject({ kind: 'failed', error: 'permission' });
    expect(outcome.kind === 'failed' && outcome.reason).toMatch(/permission denied/);
  });

  describe('a file still being written is changed, not read', () => {
    it.each([
      ['a different size', { size: 5, mtimeMs: 0 }],
      ['a different mtime', { size: 6, mtimeMs: -1 }],
    ])('when the listing said %s', async (_case, delta) => {
      await writeFile(path, 'binary');
      const s = await stat(path);
      const expected = { size: delta.size, mtimeMs: s.mtimeMs + delta.mtimeMs };
      const outcome = await readWhole(path, expected);
      expect(outcome).toMatchObject({ kind: 'failed', error: 'changed' });
      expect(outcome.kind === 'failed' && outcome.reason).toContain(path);
    });

    it('when Blastware appended to it after it was listed', async () => {
      await writeFile(path, 'first half');
      const [listed] = await listFolder(site.watchDir);
      await appendFile(path, ' and second half');
      const outcome = await readWhole(path, { size: listed!.size, mtimeMs: listed!.mtimeMs });
      expect(outcome).toMatchObject({ kind: 'failed', error: 'changed' });
    });

    it('when only its mtime moved since the listing (rewritten with the same size)', async () => {
      await writeFile(path, 'AAAA');
      const [listed] = await listFolder(site.watchDir);
      await writeFile(path, 'BBBB');
      const later = new Date(listed!.mtimeMs + 2_000);
      await utimes(path, later, later);
      expect(await readWhole(path, { size: listed!.size, mtimeMs: listed!.mtimeMs })).toMatchObject({
        kind: 'failed',
        error: 'changed',
      });
    });

    it('never returns torn bytes while another writer keeps appending (read outcomes are whole and consistent)', async () => {
      await writeFile(path, Buffer.alloc(4 * 1024 * 1024, 1));
      let writing = true;
      const writer = (async () => {
        while (writing) await appendFile(path, Buffer.alloc(64 * 1024, 2));
      })();
      const outcomes: string[] = [];
      try {
        for (let i = 0; i < 20; i++) {
          const outcome = await readWhole(path);
          outcomes.push(outcome.kind === 'read' ? 'read' : outcome.error);
          if (outcome.kind === 'read') expect(outcome.bytes.length).toBe(outcome.size);
        }
      } finally {
        writing = false;
        await writer;
      }
      expect(outcomes.every((o) => o === 'read' || o === 'changed')).toBe(true);
    });
  });

  describe.skipIf(!canCountHandles)('holds no handle after it returns', () => {
    it.each([
      ['a read', async (p: string) => writeFile(p, 'x'), undefined],
      ['a change', async (p: string) => writeFile(p, 'x'), { size: 99, mtimeMs: 0 }],
    ] as const)('after %s', async (_case, prepare, expected) => {
      await prepare(path);
      await readWhole(path, expected);
      expect(await handlesOn(path)).toBe(0);
    });

    it('after a failure while reading (a folder)', async () => {
      await mkdir(path);
      await readWhole(path);
      expect(await handlesOn(path)).toBe(0);
    });
  });

  it('never throws for file problems, even a path Node rejects', async () => {
    await expect(readWhole(`${path}\0bad`)).resolves.toMatchObject({ kind: 'failed', error: 'other' });
  });
});

describe('changeBetween', () => {
  const was = { size: 100, mtimeMs: 1_000 };
  it.each([
    ['nothing moved', was, undefined, null],
    ['nothing moved and every byte was read', was, 100, null],
    ['the size moved', { size: 101, mtimeMs: 1_000 }, undefined, 'size 100 -> 101'],
    ['the mtime moved', { size: 100, mtimeMs: 1_001 }, undefined, 'mtime 1000 -> 1001'],
    ['more bytes were read than were there', was, 164, 'read 164 of 100 bytes'],
    ['fewer bytes were read (truncated)', was, 50, 'read 50 of 100 bytes'],
    ['everything moved', { size: 0, mtimeMs: 2_000 }, 0, 'size 100 -> 0, mtime 1000 -> 2000, read 0 of 100 bytes'],
  ] as const)('%s', (_case, now, bytesRead, expected) => {
    expect(changeBetween(was, now, bytesRead)).toBe(expected);
  });
});

describe('classifyFileError', () => {
  const withCode = (code: string): Error => Object.assign(new Error(`${code}: something`), { code });

  it.each([
    ['ENOENT', 'linux', 'missing'],
    ['ENOENT', 'win32', 'missing'],
    ['EBUSY', 'linux', 'locked'],
    ['EBUSY', 'win32', 'locked'],
    // libuv maps ERROR_ACCESS_DENIED to EPERM; on Windows in Blastware's folder that is usually a
    // sharing or delete-pending conflict.
    ['EPERM', 'win32', 'locked'],
    ['EPERM', 'linux', 'permission'],
    ['EPERM', 'darwin', 'permission'],
    ['EACCES', 'linux', 'permission'],
    ['EACCES', 'win32', 'permission'],
    ['EISDIR', 'linux', 'other'],
    ['EISDIR', 'win32', 'other'],
    ['EIO', 'linux', 'other'],
    ['EMFILE', 'win32', 'other'],
    ['ENOTDIR', 'linux', 'other'],
  ] as const)('%s on %s is %s', (code, platform, kind) => {
    expect(classifyFileError(withCode(code), platform)).toBe(kind);
  });

  it.each([
    ['an error without a code', new Error('boom')],
    ['a string', 'ENOENT'],
    ['null', null],
    ['undefined', undefined],
    ['a numeric code', { code: 2 }],
  ])('calls %s other', (_what, err) => {
    expect(classifyFileError(err, 'linux')).toBe('other');
  });

  it('classifies the error a real failed read raises', async () => {
    const site = await makeSite('s3w-classify-');
    try {
      const err = await stat(join(site.watchDir, 'nothing-here')).catch((e: unknown) => e);
      expect(classifyFileError(err)).toBe('missing');
    } finally {
      await site.cleanup();
    }
  });
});

describe('item 8: hashWhole hashes a large file without holding it', () => {
  let site: Site;
  let path: string;
  beforeEach(async () => {
    site = await makeSite('s3w-hash-');
    path = join(site.watchDir, 'M529LK44.AB0');
  });
  afterEach(async () => {
    await site.cleanup();
  });

  it('gives the sha256 of the whole file (across many chunks), its size and mtime, and closes it', async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 5);
    await writeFile(path, bytes);
    const s = await stat(path);
    const outcome = await hashWhole(path, { size: s.size, mtimeMs: s.mtimeMs });
    expect(outcome).toEqual({ kind: 'hashed', sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, mtimeMs: s.mtimeMs });
    if (canCountHandles) expect(await handlesOn(path)).toBe(0);
  });

  it('says changed, not a hash of part of it, when the file moved since it was listed', async () => {
    await writeFile(path, randomBytes(10_000));
    const s = await stat(path);
    await appendFile(path, 'more');
    const outcome = await hashWhole(path, { size: s.size, mtimeMs: s.mtimeMs });
    expect(outcome).toMatchObject({ kind: 'failed', error: 'changed' });
  });

  it('says missing, naming the file, when it is gone', async () => {
    const outcome = await hashWhole(path);
    expect(outcome).toMatchObject({ kind: 'failed', error: 'missing' });
    expect(outcome.kind === 'failed' && outcome.reason).toContain(path);
  });
});
