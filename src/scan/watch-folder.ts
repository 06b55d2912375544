// The chokidar wrapper: it only says "look again". Watcher events are hints, the scan is the truth:
// a missed event, a rename storm or a network share that reports nothing only delays a pass until
// the periodic one; nothing here decides what is in the folder.
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { watch } from 'chokidar';

/** Long enough to fold Blastware's binary + report writes into one hint, short enough not to be felt. */
export const DEFAULT_HINT_DEBOUNCE_MS = 200;

export interface WatchFolderOptions {
  /** Hints within this window after the first one are folded into one call (default 200 ms). */
  readonly debounceMs?: number;
  /** Poll instead of OS events: needed for some network shares. */
  readonly usePolling?: boolean;
  /** Watcher errors (including the folder being removed) land here; they never throw. */
  readonly onError?: (err: Error) => void;
}

export interface FolderWatcher {
  /** Settles once the initial walk is done; events from then on produce hints. */
  readonly ready: Promise<void>;
  /** Stops the watcher; no hint is delivered after this resolves (or after it is called). */
  close(): Promise<void>;
}

/**
 * Watch the files directly in `dir` (depth 0: sub-folders' contents are not watched) and call
 * `onHint` when something was added, changed or removed. Existing files produce no hint
 * (ignoreInitial), and there is no awaitWriteFinish: whether a file is finished is the pairing
 * step's quiescence rule, applied on the pass the hint triggers.
 *
 * Hints are coalesced in a fixed window rather than a sliding debounce, so a continuous stream of
 * writes (a large copy into the folder) still yields a hint every `debounceMs` instead of none.
 *
 * Cost to know about: chokidar keeps one OS watch per file and re-lists (and lstats) the whole
 * folder on every change; with 20,000 files that measured ~95 MB, ~1 s to ready, and ~0.2 s of CPU
 * per change on Linux.
 */
export function watchFolder(
  dir: string,
  onHint: (reason: string) => void,
  options: WatchFolderOptions = {},
): FolderWatcher {
  const folder = resolve(dir);
  const debounceMs = Math.max(0, options.debounceMs ?? DEFAULT_HINT_DEBOUNCE_MS);
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let pending: string[] = [];
  let pendingCount = 0;
  let checkFolder = false;
  let folderGone = false;

  const reportError = (err: Error): void => {
    if (closed) return;
    try {
      options.onError?.(err);
    } catch {
      // An error handler that throws must not take the agent down with it.
    }
  };

  const deliver = (reason: string): void => {
    try {
      onHint(reason);
    } catch (err) {
      reportError(err instanceof Error ? err : new Error(String(err)));
    }
  };

  // chokidar reports a removed watch folder inconsistently (sometimes unlinkDir, sometimes only a
  // raw event, never an error) and then goes silent, so the folder itself is checked after any
  // event on it. The agent's pass will say the same through listFolder's FolderError.
  const noticeIfFolderGone = async (atStart: boolean): Promise<void> => {
    try {
      await stat(folder);
      folderGone = false;
    } catch {
      if (closed || folderGone) return;
      folderGone = true;
      const what = atStart ? 'does not exist or cannot be reached' : 'was removed or cannot be reached';
      reportError(
        new Error(
          `SERIES3_PATH folder ${folder} ${what}: it is not being watched; check the path in config.ini ` +
            '(new events are only seen by the periodic pass until the watcher is restarted)',
        ),
      );
      // A pass now lets the scan report the folder problem without waiting for the interval.
      if (!atStart) deliver(`folder ${basename(folder)} removed`);
    }
  };

  const flush = (): void => {
    timer = undefined;
    if (closed) return;
    if (checkFolder) {
      checkFolder = false;
      void noticeIfFolderGone(false);
    }
    if (pendingCount === 0) return;
    const reason = describe(pending, pendingCount);
    pending = [];
    pendingCount = 0;
    deliver(reason);
  };

  const arm = (): void => {
    timer ??= setTimeout(flush, debounceMs);
  };

  const hint = (event: string, path: string): void => {
    if (closed) return;
    pendingCount += 1;
    if (pending.length < MAX_NAMED_IN_REASON) pending.push(`${event} ${basename(path)}`);
    arm();
  };

  const folderEvent = (): void => {
    if (closed) return;
    checkFolder = true;
    arm();
  };

  const watcher = watch(folder, {
    depth: 0,
    ignoreInitial: true,
    awaitWriteFinish: false,
    persistent: true,
    usePolling: options.usePolling ?? false,
  });

  watcher.on('add', (path) => hint('add', path));
  watcher.on('change', (path) => hint('change', path));
  watcher.on('unlink', (path) => hint('unlink', path));
  watcher.on('unlinkDir', (path) => {
    if (resolve(path) === folder) folderEvent();
  });
  watcher.on('raw', (_event, _path, details) => {
    const watchedPath = (details as { watchedPath?: unknown } | undefined)?.watchedPath;
    if (typeof watchedPath === 'string' && resolve(watchedPath) === folder) folderEvent();
  });
  // Without an 'error' listener an EventEmitter throws; every error goes to onError instead.
  watcher.on('error', (err) => reportError(err instanceof Error ? err : new Error(String(err))));

  let settleReady: () => void = () => undefined;
  const ready = new Promise<void>((resolveReady) => {
    settleReady = resolveReady;
  });
  watcher.once('ready', () => {
    settleReady();
    // chokidar watches a missing folder silently and never notices it appear: say so once.
    void noticeIfFolderGone(true);
  });

  return {
    ready,
    async close(): Promise<void> {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      settleReady();
      await watcher.close();
    },
  };
}

const MAX_NAMED_IN_REASON = 3;

function describe(named: readonly string[], count: number): string {
  const more = count - named.length;
  return more > 0 ? `${named.join(', ')} and ${more} more` : named.join(', ');
}
