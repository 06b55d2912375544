// The technician's log: lines appended with a UTC time and level, the token never written,
// and the file rotated by size keeping three old files.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile, readdir, stat } from 'node:fs/promises';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileLogger } from '../../src/agent/index.js';
import { makeSite, sleep, type Site } from '../support/fixtures.js';

let site: Site;
beforeEach(async () => {
  site = await makeSite('s3w-log-');
});
afterEach(async () => {
  await site.cleanup();
});

describe('the log file', () => {
  it('appends one line per message with its UTC time and level, creating the folder', async () => {
    const file = join(site.root, 'logs', 'series3-watcher.log');
    const log = createFileLogger({ file, maxBytes: 1024 * 1024, now: () => Date.parse('2026-11-22T10:00:00.000Z') });
    log.info('delivered M529LK44.AB0');
    log.error('refused B000BADD.AB0: not a Series 3 event');
    log.close?.();
    expect(await readFile(file, 'utf8')).toBe(
      '2026-11-22T10:00:00.000Z INFO  delivered M529LK44.AB0\n2026-11-22T10:00:00.000Z ERROR refused B000BADD.AB0: not a Series 3 event\n',
    );
  });

  it('never writes the token, even when a message carries it', async () => {
    const file = join(site.root, 'series3-watcher.log');
    const log = createFileLogger({ file, maxBytes: 1024 * 1024, secrets: ['tok-3f9a1c'] });
    log.warn('HTTP 401 for Bearer tok-3f9a1c at http://sfm:8000');
    log.close?.();
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('tok-3f9a1c');
    expect(text).toContain('Bearer [token]');
  });

  it('rotates past LOG_MAX_KB and keeps three old files', async () => {
    const file = join(site.root, 'series3-watcher.log');
    const log = createFileLogger({ file, maxBytes: 200 });
    for (let i = 0; i < 40; i++) log.info(`line ${String(i).padStart(2, '0')} ${'x'.repeat(40)}`);
    log.close?.();
    const names = (await readdir(site.root)).filter((n) => n.startsWith('series3-watcher.log')).sort();
    expect(names).toEqual(['series3-watcher.log', 'series3-watcher.log.1', 'series3-watcher.log.2', 'series3-watcher.log.3']);
    for (const name of names) expect((await readFile(join(site.root, name))).length).toBeLessThanOrEqual(200);
    // The newest line is in the current file, the one before it in .1.
    expect(await readFile(file, 'utf8')).toContain('line 39');
    expect(await readFile(`${file}.1`, 'utf8')).not.toContain('line 39');
  });
});

// A file that can still be appended to but neither renamed nor replaced, the way a Windows viewer,
// backup or antivirus leaves a log it opened without FILE_SHARE_DELETE. On Windows (the Wine lane)
// it is exactly that: a second process holds the file open with share mode 0 (UV_FS_O_EXLOCK),
// so renaming it, replacing it or even reading it fails with EBUSY. On Linux it is the append-only
// attribute (chattr +a: no rename, no replace), which needs root and a file system that keeps
// attributes (ext4, not tmpfs); where that is not possible these tests are skipped.
const onWindows = process.platform === 'win32';
const HOLDER = `
  const fs = require('node:fs');
  fs.openSync(process.argv[1], fs.constants.O_RDONLY | 0x10000000 /* UV_FS_O_EXLOCK: share mode 0 */);
  fs.writeFileSync(process.argv[2], 'held');
  setInterval(() => {}, 60000);
`;

async function hold(path: string): Promise<() => Promise<void>> {
  if (!onWindows) {
    execFileSync('chattr', ['+a', path], { stdio: 'ignore' });
    return async () => void execFileSync('chattr', ['-a', path], { stdio: 'ignore' });
  }
  const marker = `${path}.holder-ready`;
  const holder = spawn(process.execPath, ['-e', HOLDER, path, marker], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => holder.once('exit', () => resolve()));
  for (let i = 0; i < 200 && !existsSync(marker); i++) await sleep(50);
  rmSync(marker, { force: true });
  return async () => {
    holder.kill();
    await exited;
  };
}
const canHold = await (async (): Promise<boolean> => {
  if (onWindows) return true;
  const dir = mkdtempSync(join(tmpdir(), 's3w-hold-'));
  try {
    writeFileSync(join(dir, 'probe'), 'x');
    await (await hold(join(dir, 'probe')))();
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})();

describe('item 5: log rotation when another program holds a log file', () => {
  const releases: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const release of releases.splice(0)) await release();
  });
  const holdUntilReleased = async (path: string): Promise<() => Promise<void>> => {
    const release = await hold(path);
    releases.push(release);
    return async () => {
      releases.splice(releases.indexOf(release), 1);
      await release();
    };
  };

  const lineOf = (tag: string, i: number): string => `${tag} ${String(i).padStart(2, '0')} ${'x'.repeat(40)}`;

  /** A log with .1 .. .3 already there (two lines in each), written with a clock we move. */
  function fullLog(options: { rotationRetryBytes?: number; rotationRetryMs?: number } = {}) {
    const file = join(site.root, 'series3-watcher.log');
    let nowMs = Date.parse('2026-11-22T10:00:00.000Z');
    const stderr: string[] = [];
    const log = createFileLogger({ file, maxBytes: 200, now: () => nowMs, stderr: (t) => stderr.push(t), ...options });
    for (let i = 0; i < 40; i++) log.info(lineOf('line', i));
    return { file, log, stderr, advance: (ms: number) => (nowMs += ms) };
  }
  const names = async (): Promise<string[]> => (await readdir(site.root)).filter((n) => n.startsWith('series3-watcher.log')).sort();
  /** The four files' text; a file held with share mode 0 (Windows) cannot be read: 'held'. */
  const contents = async (file: string, held: string | null = null): Promise<string[]> =>
    Promise.all(['', '.1', '.2', '.3'].map((suffix) => (suffix === held && onWindows ? 'held' : readFile(`${file}${suffix}`, 'utf8'))));
  const count = (text: string, what: string): number => text.split(what).length - 1;

  // The current log held: on Windows a share-mode-0 holder also stops our own writes (Node cannot open
  // a file sharing read and write but not delete), which the next describe block covers instead.
  it.skipIf(!canHold).each(onWindows ? ['.1', '.3'] : ['.1', '.3', ''])(
    'item 5: with series3-watcher.log%s held, rotation deletes nothing, says so once, writes on, and rotates when it is free',
    async (heldSuffix) => {
      const { file, log, stderr, advance } = fullLog({ rotationRetryBytes: 1e9, rotationRetryMs: 60_000 });
      const before = await contents(file);
      const release = await holdUntilReleased(`${file}${heldSuffix}`);

      for (let i = 0; i < 10; i++) log.info(lineOf('held', i));
      const during = await contents(file, heldSuffix);
      // Every old file is where it was, with what it had; the current log grew past the cap with every line.
      expect(await names()).toEqual(['series3-watcher.log', 'series3-watcher.log.1', 'series3-watcher.log.2', 'series3-watcher.log.3']);
      for (const i of [1, 2, 3]) if (during[i] !== 'held') expect(during[i]).toBe(before[i]);
      expect(during[0]!.startsWith(before[0]!)).toBe(true);
      for (let i = 0; i < 10; i++) expect(during[0]).toContain(lineOf('held', i));
      // Said once, in the log and on stderr, naming the file that would not move.
      expect(count(during[0]!, 'cannot rotate the log')).toBe(1);
      expect(stderr).toHaveLength(1);
      expect(stderr[0]).toContain('cannot rotate the log');
      expect(stderr[0]).toContain(`series3-watcher.log${heldSuffix}`);

      // Freed, but the retry waits for its time: no rename on every line.
      await release();
      log.info('freed');
      expect((await contents(file)).slice(1)).toEqual(before.slice(1));
      expect(await readFile(file, 'utf8')).toContain('freed');

      advance(61_000);
      log.info('after the retry time');
      log.close?.();
      const after = await contents(file);
      // One full shift: the grown log is .1, the old .1 is .2, the old .2 is .3; only the old .3 is gone.
      expect(after[1]).toContain('freed');
      expect(after[1]).toContain(lineOf('held', 9));
      expect(after[2]).toBe(before[1]);
      expect(after[3]).toBe(before[2]);
      expect(after[0]).toContain('log rotation works again');
      expect(after[0]).toContain('after the retry time');
      expect(await names()).toEqual(['series3-watcher.log', 'series3-watcher.log.1', 'series3-watcher.log.2', 'series3-watcher.log.3']);
      expect(stderr).toHaveLength(1);
    },
  );

  it.skipIf(!canHold)('item 5: a blocked rotation is tried again after the log grows by another chunk', async () => {
    const { file, log, stderr } = fullLog({ rotationRetryBytes: 800, rotationRetryMs: 1e12 });
    const before = await contents(file);
    const release = await holdUntilReleased(`${file}.1`);
    // The log held two lines (160 bytes) when this line found rotation blocked: retry from 960 bytes
    // (the notice and the lines after it count as growth).
    log.info(lineOf('held', 0));
    await release();
    const sizesWhenWritten: number[] = [];
    let rotatedAt = -1;
    for (let i = 1; i <= 20 && rotatedAt < 0; i++) {
      sizesWhenWritten.push((await stat(file)).size);
      log.info(lineOf('held', i));
      if ((await readFile(`${file}.1`, 'utf8')) !== before[1]) rotatedAt = i;
    }
    log.close?.();
    expect(rotatedAt).toBeGreaterThan(1);
    expect(sizesWhenWritten[rotatedAt - 1]).toBeGreaterThanOrEqual(960);
    expect(sizesWhenWritten[rotatedAt - 2]).toBeLessThan(960);
    const after = await contents(file);
    expect(after[2]).toBe(before[1]);
    expect(count(after.join(''), 'cannot rotate the log')).toBe(1);
    expect(stderr).toHaveLength(1);
  });
});

describe('item 5: a log file that cannot be written', () => {
  it('item 5: is said once on stderr, tried again later (not given up until restart), and the gap is logged', async () => {
    const file = join(site.root, 'series3-watcher.log');
    // A directory standing at the log's name: opening it for append fails, as a log held by a
    // program that shares nothing does on Windows.
    mkdirSync(join(file, 'obstacle'), { recursive: true });
    let nowMs = Date.parse('2026-11-22T10:00:00.000Z');
    const stderr: string[] = [];
    const log = createFileLogger({ file, maxBytes: 1024 * 1024, now: () => nowMs, stderr: (t) => stderr.push(t), rotationRetryMs: 60_000 });
    log.info('first');
    log.info('second');
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toContain(file);
    rmSync(file, { recursive: true, force: true });
    log.info('third, before the retry time');
    nowMs += 61_000;
    log.info('fourth, after it');
    log.close?.();
    const text = await readFile(file, 'utf8');
    expect(text).toContain('3 lines could not be written to this log from 2026-11-22T10:00:00.000Z');
    expect(text).toContain('fourth, after it');
    expect(text).not.toContain('third');
    expect(stderr).toHaveLength(1);
  });
});
