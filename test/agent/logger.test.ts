// The technician's log: lines appended with a UTC time and level, the token never written,
// and the file rotated by size keeping three old files.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createFileLogger } from '../../src/agent/index.js';
import { makeSite, type Site } from '../support/fixtures.js';

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
    expect(text).toContain('Bearer ***');
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
