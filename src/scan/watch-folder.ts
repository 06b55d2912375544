// The folder watcher: it only says "look again". Watcher events are hints, the scan is the truth:
// a missed event, a rename storm or a network share that reports nothing only delays a pass until
// the periodic one; nothing here decides what is in the folder.
//
// It is one OS watch on the folder itself (Node's fs.watch: inotify on Linux,
// ReadDirectoryChangesW on Windows, FSEvents on macOS), which reports files added, changed,
// renamed or removed directly in it. chokidar was measured here first and left out: it keeps one
// OS watch per file and re-lists and lstats the whole folder on every change, so on an ACH folder
// of 20,000 events it cost 40,000 inotify watches, +130-175 MB of memory, >1 s to start and about
// 0.2 s of CPU per new file (on Windows, 20,000 directory handles), against one watch, ~0 MB and
// a few ms here. Per-file events normalised across platforms are what chokidar does well; a
// "look again" hint does not need them.
import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';

/** Long enough to fold Blastware's binary + report writes into one hint, short enough not to be felt. */
export const DEFAULT_HINT_DEBOUNCE_MS = 200;
/** How often polling mode looks at the folder's modification time. */
export const DEFAULT_POLL_INTERVAL_MS = 1000;

/** The timers the watcher uses: the agent's shared clock (tests: a fake one), else the system's. */
export interface WatchTimers {
  setTimeout(fn: () => void, ms: number): object;
  clearTimeout(handle: object): void;
}

const systemTimers: WatchTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface WatchFolderOptions {
  /** Debounce and polling timers (default: the system's). */
  readonly clock?: WatchTimers;
  /** Hints within this window after the first one are folded into one call (default 200 ms). */
  readonly debounceMs?: number;
  /** Poll the folder's modification time instead of OS events: for shares that report nothing. */
  readonly usePolling?: boolean;
  readonly pollIntervalMs?: number;
  /** Watcher errors (including the folder being removed) land here; they never throw. */
  readonly onError?: (err: Error) => void;
}

export interface FolderWatcher {
  /** Settles once the watch is in place; changes from then on produce hints. */
  readonly ready: Promise<void>;
  /** Stops the watcher; no hint is delivered after this resolves (or after it is called). */
  close(): Promise<void>;
}

/**
 * Watch the files directly in `dir` (sub-folders' contents are not watched) and call `onHint` when
 * something was added, changed or removed. Existing files produce no hint, and nothing waits for a
 * write to finish: whether a file is finished is the pairing step's quiescence rule, applied on the
 * pass the hint triggers.
 *
 * Hints are coalesced in a fixed window rather than a sliding debounce, so a continuous stream of
 * writes (a large copy into the folder) still yields a hint every `debounceMs` instead of none.
 */
export function watchFolder(
  dir: string,
  onHint: (reason: string) => void,
  options: WatchFolderOptions = {},
): FolderWatcher {
  const folder = resolve(dir);
  const debounceMs = Math.max(0, options.debounceMs ?? DEFAULT_HINT_DEBOUNCE_MS);
  let closed = false;
  const timers = options.clock ?? systemTimers;
  let timer: object | undefined;
  let pending: string[] = [];
  let pendingCount = 0;
  let checkFolder = false;
  let folderGone = false;
  let osWatcher: FSWatcher | undefined;
  let polling: object | undefined;

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

  const stopWatching = (): void => {
    osWatcher?.close();
    osWatcher = undefined;
    if (polling !== undefined) timers.clearTimeout(polling);
    polling = undefined;
  };

  // A removed folder shows as a rename of the folder itself, an error, or silence, depending on the
  // platform; so the folder is checked after events. The agent's pass says the same through
  // listFolder's FolderError, and the agent makes a new watcher once the folder is back.
  const noticeIfFolderGone = async (atStart: boolean): Promise<void> => {
    try {
      await stat(folder);
      folderGone = false;
    } catch {
      if (closed || folderGone) return;
      folderGone = true;
      stopWatching();
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
    timer ??= timers.setTimeout(flush, debounceMs);
  };

  const hint = (what: string): void => {
    if (closed) return;
    pendingCount += 1;
    if (pending.length < MAX_NAMED_IN_REASON) pending.push(what);
    checkFolder = true;
    arm();
  };

  const ready = (async () => {
    // A folder that is missing at start cannot be watched: say so once; the agent retries.
    await noticeIfFolderGone(true);
    if (closed || folderGone) return;
    try {
      if (options.usePolling) {
        // Our own baseline, taken before `ready` settles, so a file added right after start is
        // seen (fs.watchFile takes its first look later and would fold such a file into it).
        let last = await stat(folder);
        const intervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
        // A chain of timeouts rather than setInterval, so the shared clock drives it too.
        const poll = (): void => {
          polling = timers.setTimeout(() => {
            stat(folder).then(
              (now) => {
                if (now.mtimeMs !== last.mtimeMs || now.ino !== last.ino) hint('folder changed');
                last = now;
              },
              () => {
                checkFolder = true;
                arm();
              },
            ).finally(() => {
              if (polling !== undefined && !closed) poll();
            });
          }, intervalMs);
        };
        poll();
      } else {
        osWatcher = watch(folder, { persistent: true }, (eventType, filename) => {
          hint(filename ? `${eventType} ${filename.toString()}` : eventType);
        });
        osWatcher.on('error', (err) => {
          // The folder went away (or the share dropped): stop, tell once, and let the agent look again.
          stopWatching();
          void noticeIfFolderGone(false).then(() => {
            if (!folderGone) reportError(err);
          });
        });
      }
    } catch (err) {
      reportError(err instanceof Error ? err : new Error(String(err)));
    }
  })();

  return {
    ready,
    async close(): Promise<void> {
      closed = true;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      await ready.catch(() => undefined);
      stopWatching();
    },
  };
}

const MAX_NAMED_IN_REASON = 3;

function describe(named: readonly string[], count: number): string {
  const more = count - named.length;
  return more > 0 ? `${named.join(', ')} and ${more} more` : named.join(', ');
}
