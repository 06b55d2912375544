import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFile, mkdir, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { watchFolder, type FolderWatcher, type WatchFolderOptions } from '../../src/scan/watch-folder.js';
import { makeSite, sleep, waitFor, type Site } from '../support/fixtures.js';

/** Long enough for the OS to deliver an event and the debounce to pass on a busy 2-core machine. */
const QUIET_PERIOD_MS = 700;

describe('watchFolder', () => {
  let site: Site;
  let watcher: FolderWatcher | undefined;
  let hints: string[];
  let errors: Error[];

  const start = async (options: WatchFolderOptions = {}, dir = site.watchDir): Promise<FolderWatcher> => {
    watcher = watchFolder(dir, (reason) => hints.push(reason), { onError: (e) => errors.push(e), ...options });
    await watcher.ready;
    return watcher;
  };

  beforeEach(async () => {
    site = await makeSite('s3w-watch-');
    hints = [];
    errors = [];
    watcher = undefined;
  });
  afterEach(async () => {
    await watcher?.close();
    await site.cleanup();
  });

  it('hints within a second when a file is created', async () => {
    await start({ debounceMs: 50 });
    const createdAt = Date.now();
    await writeFile(join(site.watchDir, 'M529LK44.AB0'), 'binary');
    await waitFor(() => hints.length > 0, 'a hint', 1_000);
    expect(Date.now() - createdAt).toBeLessThan(1_000);
    expect(hints[0]).toContain('M529LK44.AB0');
    expect(errors).toEqual([]);
  });

  it('hints when a file changes and when one is removed', async () => {
    await writeFile(join(site.watchDir, 'M529LK44.AB0'), 'binary');
    await writeFile(join(site.watchDir, 'M529LK45.AB0'), 'binary');
    await start({ debounceMs: 50 });

    await appendFile(join(site.watchDir, 'M529LK44.AB0'), ' more');
    await waitFor(() => hints.some((h) => h.includes('change M529LK44.AB0')), 'a change hint', 2_000);

    await unlink(join(site.watchDir, 'M529LK45.AB0'));
    await waitFor(() => hints.some((h) => h.includes('M529LK45.AB0')), 'a hint for the removed file', 2_000);
  });

  it('does not hint for the files already there when it starts', async () => {
    await writeFile(join(site.watchDir, 'M529LK44.AB0'), 'binary');
    await writeFile(join(site.watchDir, 'M529LK44.AB0.TXT'), 'report');
    await start({ debounceMs: 50 });
    await sleep(QUIET_PERIOD_MS);
    expect(hints).toEqual([]);
  });

  it('folds several quick writes into few hints', async () => {
    await start({ debounceMs: 300 });
    for (let i = 0; i < 10; i++) {
      await writeFile(join(site.watchDir, `M529LK4${i}.AB0`), 'binary');
      await writeFile(join(site.watchDir, `M529LK4${i}.AB0.TXT`), 'report');
    }
    await sleep(300 + QUIET_PERIOD_MS);
    expect(hints.length).toBeGreaterThanOrEqual(1);
    expect(hints.length).toBeLessThanOrEqual(3);
    // One reason names a few files and counts the rest, so a log line stays short.
    expect(hints.join(' ')).toMatch(/and \d+ more/);
  });

  it('keeps hinting during a long stream of writes instead of waiting for it to stop', async () => {
    await start({ debounceMs: 100 });
    const streamUntil = Date.now() + 800;
    let i = 0;
    while (Date.now() < streamUntil) {
      await writeFile(join(site.watchDir, `S${String(i++ % 1000).padStart(3, '0')}L4H0.3M0W`), 'x');
      await sleep(20);
    }
    // A sliding debounce would give one hint after the stream; the fixed window gives several during it.
    expect(hints.length).toBeGreaterThanOrEqual(2);
  });

  it('stops hinting once closed', async () => {
    const w = await start({ debounceMs: 50 });
    await writeFile(join(site.watchDir, 'M529LK44.AB0'), 'binary');
    // Closing inside the debounce window drops the pending hint too.
    await w.close();
    await writeFile(join(site.watchDir, 'M529LK45.AB0'), 'binary');
    await sleep(QUIET_PERIOD_MS);
    expect(hints).toEqual([]);
  });

  it('does not hint for a file in a sub-folder, but does for one beside it', async () => {
    await mkdir(join(site.watchDir, 'archive'));
    await start({ debounceMs: 50 });

    await writeFile(join(site.watchDir, 'archive', 'M529LK44.AB0'), 'binary');
    await sleep(QUIET_PERIOD_MS);
    expect(hints).toEqual([]);

    // The control: the watcher was alive all along.
    await writeFile(join(site.watchDir, 'M529LK45.AB0'), 'binary');
    await waitFor(() => hints.length > 0, 'a hint for the top-level file', 2_000);
    expect(hints.join(' ')).not.toContain('archive');
  });

  it('hints in polling mode too (for network shares)', async () => {
    await start({ debounceMs: 50, usePolling: true, pollIntervalMs: 100 });
    await writeFile(join(site.watchDir, 'M529LK44.AB0'), 'binary');
    await waitFor(() => hints.length > 0, 'a hint while polling', 2_000);
  });

  it('reports a removed watch folder through onError, once, and hints so a pass can say so', async () => {
    await writeFile(join(site.watchDir, 'M529LK44.AB0'), 'binary');
    await start({ debounceMs: 50 });
    await rm(site.watchDir, { recursive: true });
    await waitFor(() => errors.length > 0, 'an error for the removed folder', 3_000);
    await sleep(QUIET_PERIOD_MS);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain(`SERIES3_PATH folder ${site.watchDir} was removed`);
    expect(hints.some((h) => h.includes('removed'))).toBe(true);
  });

  it('reports an empty watch folder being removed too', async () => {
    await start({ debounceMs: 50 });
    await rm(site.watchDir, { recursive: true });
    await waitFor(() => errors.length > 0, 'an error for the removed folder', 3_000);
  });

  it('reports a watch folder that does not exist at start through onError, without throwing', async () => {
    const missing = join(site.root, 'not there');
    await start({ debounceMs: 50 }, missing);
    await waitFor(() => errors.length > 0, 'an error for the missing folder', 2_000);
    expect(errors[0]!.message).toContain(`SERIES3_PATH folder ${missing} does not exist`);
    expect(hints).toEqual([]);
  });

  it('routes an exception thrown by onHint to onError instead of crashing', async () => {
    watcher = watchFolder(
      site.watchDir,
      () => {
        throw new Error('pass scheduler broke');
      },
      { debounceMs: 50, onError: (e) => errors.push(e) },
    );
    await watcher.ready;
    await writeFile(join(site.watchDir, 'M529LK44.AB0'), 'binary');
    await waitFor(() => errors.length > 0, 'the hint error', 2_000);
    expect(errors[0]!.message).toBe('pass scheduler broke');
  });

  it('resolves ready even when closed before it started', async () => {
    const w = watchFolder(site.watchDir, (reason) => hints.push(reason));
    await w.close();
    await expect(w.ready).resolves.toBeUndefined();
  });
});
