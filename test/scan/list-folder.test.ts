import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmod, mkdir, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FolderError, folderErrorFrom, listFolder } from '../../src/scan/list-folder.js';
import type { FileErrorKind } from '../../src/scan/types.js';
import { makeSite, writeAged, type Site } from '../support/fixtures.js';

const runningAsRoot = process.getuid?.() === 0;

describe.each(['sync', 'parallel'] as const)('listFolder (%s stats)', (statMode) => {
  let site: Site;
  beforeEach(async () => {
    site = await makeSite('s3w-list-');
  });
  afterEach(async () => {
    await site.cleanup();
  });

  it('lists every regular file with its name, absolute path, size and mtime', async () => {
    await writeAged(site.watchDir, 'M529LK44.AB0', 'binary!', 120);
    await writeAged(site.watchDir, 'M529LK44.AB0.TXT', 'report', 60);
    await writeAged(site.watchDir, 'notes.txt', '', 0);

    const entries = await listFolder(site.watchDir, { statMode });

    const byName = new Map(entries.map((e) => [e.name, e]));
    expect([...byName.keys()].sort()).toEqual(['M529LK44.AB0', 'M529LK44.AB0.TXT', 'notes.txt']);
    for (const [name, e] of byName) {
      const s = await stat(join(site.watchDir, name));
      expect(e).toEqual({ name, path: join(site.watchDir, name), size: s.size, mtimeMs: s.mtimeMs });
    }
    expect(byName.get('M529LK44.AB0')?.size).toBe(7);
  });

  it('lists only the names `include` accepts', async () => {
    await writeAged(site.watchDir, 'M529LK44.AB0', 'binary!', 120);
    await writeAged(site.watchDir, 'M529LK44.AB0.TXT', 'report', 60);
    const entries = await listFolder(site.watchDir, { statMode, include: (name) => !name.endsWith('.TXT') });
    expect(entries.map((e) => e.name)).toEqual(['M529LK44.AB0']);
  });

  it('keeps the case of names as they are on disk', async () => {
    await writeAged(site.watchDir, 'm529lk44.Ab0', 'x', 0);
    expect((await listFolder(site.watchDir, { statMode })).map((e) => e.name)).toEqual(['m529lk44.Ab0']);
  });

  it('returns an empty list for an empty folder', async () => {
    expect(await listFolder(site.watchDir, { statMode })).toEqual([]);
  });

  it('neither lists sub-folders nor enters them', async () => {
    await mkdir(join(site.watchDir, 'archive', 'deeper'), { recursive: true });
    await writeAged(join(site.watchDir, 'archive'), 'M529LK44.AB0', 'x', 600);
    await writeAged(site.watchDir, 'M529LK45.AB0', 'x', 600);
    expect((await listFolder(site.watchDir, { statMode })).map((e) => e.name)).toEqual(['M529LK45.AB0']);
  });

  it('follows a symbolic link to a file (reporting the target) and skips links to folders and dangling links', async () => {
    const outside = join(site.root, 'outside.bin');
    await writeFile(outside, 'twelve bytes');
    await mkdir(join(site.root, 'a-folder'));
    await symlink(outside, join(site.watchDir, 'LINKED01.AB0'));
    await symlink(join(site.root, 'a-folder'), join(site.watchDir, 'FOLDER01.AB0'));
    await symlink(join(site.root, 'gone.bin'), join(site.watchDir, 'DANGLE01.AB0'));

    const entries = await listFolder(site.watchDir, { statMode });

    expect(entries).toEqual([
      { name: 'LINKED01.AB0', path: join(site.watchDir, 'LINKED01.AB0'), size: 12, mtimeMs: (await stat(outside)).mtimeMs },
    ]);
  });

  it('silently skips a file that vanishes between readdir and stat (a dangling link is exactly that case)', async () => {
    await symlink(join(site.root, 'renamed-away.bin'), join(site.watchDir, 'M529LK44.AB0'));
    const skipped: string[] = [];
    expect(await listFolder(site.watchDir, { statMode, onSkipped: (name) => skipped.push(name) })).toEqual([]);
    expect(skipped).toEqual([]);
  });

  it.skipIf(runningAsRoot)('leaves out a file it may not stat, and says so through onSkipped', async () => {
    // A folder one may read but not search: readdir gives names, stat of each one is denied.
    const dir = join(site.root, 'no-search');
    await mkdir(dir);
    await writeFile(join(dir, 'M529LK44.AB0'), 'x');
    await chmod(dir, 0o444);
    try {
      const skipped: [string, FileErrorKind][] = [];
      expect(await listFolder(dir, { statMode, onSkipped: (name, kind) => skipped.push([name, kind]) })).toEqual([]);
      expect(skipped).toEqual([['M529LK44.AB0', 'permission']]);
    } finally {
      await chmod(dir, 0o755);
    }
  });

  it.each([1, 7, 64, 1000])('lists every one of 600 files with %i stats in flight, in readdir order', async (concurrency) => {
    const names = Array.from({ length: 600 }, (_, i) => `M${String(i % 1000).padStart(3, '0')}${i.toString(36).toUpperCase().padStart(4, '0')}.AB0`);
    await Promise.all(names.map((name) => writeFile(join(site.watchDir, name), name)));
    const readdirOrder = (await readdir(site.watchDir, { withFileTypes: true })).map((d) => d.name);

    const entries = await listFolder(site.watchDir, { statMode, concurrency });

    expect(entries.map((e) => e.name)).toEqual(readdirOrder);
    expect(entries.every((e) => e.size === 12)).toBe(true);
  });

  it('item 8 of issue 9: gives the event loop a turn while it lists a large folder', async () => {
    const names = Array.from({ length: 1200 }, (_, i) => `M${String(i % 1000).padStart(3, '0')}${i.toString(36).toUpperCase().padStart(4, '0')}.AB0`);
    await Promise.all(names.map((name) => writeFile(join(site.watchDir, name), 'x')));
    let turns = 0;
    const tick = (): void => {
      turns++;
      if (turns < 1000) setImmediate(tick);
    };
    setImmediate(tick);
    const entries = await listFolder(site.watchDir, { statMode });
    const turnsDuring = turns;
    turns = 1000;
    expect(entries).toHaveLength(1200);
    expect(turnsDuring).toBeGreaterThan(0);
  });

  it('changes nothing in the folder', async () => {
    await writeAged(site.watchDir, 'M529LK44.AB0', 'binary', 120);
    await mkdir(join(site.watchDir, 'sub'));
    const before = await snapshot(site.watchDir);
    await listFolder(site.watchDir, { statMode });
    expect(await snapshot(site.watchDir)).toEqual(before);
  });

  describe('a folder that cannot be listed', () => {
    it('throws FolderError missing, naming the folder and config.ini, when it does not exist', async () => {
      const missing = join(site.root, 'no such folder');
      const error = await listFolder(missing, { statMode }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(FolderError);
      expect(error).toMatchObject({ kind: 'missing', folder: missing });
      expect((error as Error).message).toBe(`SERIES3_PATH folder ${missing} does not exist: check the path in config.ini`);
    });

    it('throws FolderError other, saying it is a file, when the path is a file', async () => {
      const file = join(site.root, 'a-file');
      await writeFile(file, 'x');
      await expect(listFolder(file, { statMode })).rejects.toMatchObject({
        name: 'FolderError',
        kind: 'other',
        message: expect.stringMatching(/a-file is a file, not a folder: set SERIES3_PATH in config\.ini/),
      });
    });

    it.skipIf(runningAsRoot)('throws FolderError permission for a folder this user may not read', async () => {
      const dir = join(site.root, 'locked-away');
      await mkdir(dir);
      await chmod(dir, 0o000);
      try {
        await expect(listFolder(dir, { statMode })).rejects.toMatchObject({ kind: 'permission' });
      } finally {
        await chmod(dir, 0o755);
      }
    });

    it.each([
      ['ENOENT', 'missing', /does not exist: check the path in config\.ini/],
      ['ENOTDIR', 'other', /is a file, not a folder/],
      ['EACCES', 'permission', /permission denied\): give this user read access/],
      ['EPERM', 'permission', /permission denied\)/],
      ['EBUSY', 'locked', /cannot be listed \(.*\): check that the folder, its drive or network share is reachable/],
      ['EIO', 'other', /cannot be listed/],
      ['UNKNOWN', 'other', /cannot be listed/],
    ] as const)('classifies %s as %s with a message that says what to do', (code, kind, message) => {
      const folder = 'C:\\Blastware 10\\Event\\autocall home';
      const error = folderErrorFrom(folder, Object.assign(new Error(`${code}: failed`), { code }));
      expect(error).toBeInstanceOf(FolderError);
      expect(error.kind).toBe(kind);
      expect(error.message).toContain(`SERIES3_PATH folder ${folder}`);
      expect(error.message).toMatch(message);
    });
  });
});

async function snapshot(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  const rows = await Promise.all(
    names.map(async (name) => {
      const s = await stat(join(dir, name));
      return `${name} ${s.size} ${s.mtimeMs} ${s.mode}`;
    }),
  );
  const self = await stat(dir);
  return [`. ${self.mtimeMs} ${self.mode}`, ...rows.sort()];
}
