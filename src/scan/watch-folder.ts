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
  const w: WatchState = {
    folder: resolve(dir),
    onHint,
    options,
    debounceMs: Math.max(0, options.debounceMs ?? DEFAULT_HINT_DEBOUNCE_MS),
    timers: options.clock ?? systemTimers,
    closed: false,
    timer: undefined,
    pending: [],
    pendingCount: 0,
    checkFolder: false,
    folderGone: false,
    osWatcher: undefined,
    polling: undefined,
  };
  const ready = begin(w);
  return {
    ready,
    async close(): Promise<void> {
      w.closed = true;
      if (w.timer !== undefined) w.timers.clearTimeout(w.timer);
      w.timer = undefined;
      await ready.catch(() => undefined);
      stopWatching(w);
    },
  };
}

/** One watcher's state, from watchFolder until close. */
interface WatchState {
  /** The watched folder, absolute. */
  readonly folder: string;
  readonly onHint: (reason: string) => void;
  readonly options: WatchFolderOptions;
  /** Hints within this window after the first are folded into one. */
  readonly debounceMs: number;
  /** Debounce and polling timers (the agent's shared clock, or the system's). */
  readonly timers: WatchTimers;
  /** close() was called: no hint and no error is delivered any more. */
  closed: boolean;
  /** The debounce window's timer, while hints are being folded. */
  timer: object | undefined;
  /** Up to MAX_NAMED_IN_REASON of the changes folded into the next hint, named. */
  pending: string[];
  /** How many changes the next hint folds. */
  pendingCount: number;
  /** Look whether the folder itself is still there when the window closes. */
  checkFolder: boolean;
  /** The folder was found gone (told once; the agent makes a new watcher when it is back). */
  folderGone: boolean;
  /** The OS watch, in event mode. */
  osWatcher: FSWatcher | undefined;
  /** The next poll's timer, in polling mode. */
  polling: object | undefined;
}

function reportError(w: WatchState, err: Error): void {
  if (w.closed) return;
  try {
    w.options.onError?.(err);
  } catch {
    // An error handler that throws must not take the agent down with it.
  }
}

function deliver(w: WatchState, reason: string): void {
  try {
    w.onHint(reason);
  } catch (err) {
    reportError(w, err instanceof Error ? err : new Error(String(err)));
  }
}

function stopWatching(w: WatchState): void {
  w.osWatcher?.close();
  w.osWatcher = undefined;
  if (w.polling !== undefined) w.timers.clearTimeout(w.polling);
  w.polling = undefined;
}

// A removed folder shows as a rename of the folder itself, an error, or silence, depending on the
// platform; so the folder is checked after events. The agent's pass says the same through
// listFolder's FolderError, and the agent makes a new watcher once the folder is back.
async function noticeIfFolderGone(w: WatchState, atStart: boolean): Promise<void> {
  try {
    await stat(w.folder);
    w.folderGone = false;
  } catch {
    if (w.closed || w.folderGone) return;
    w.folderGone = true;
    stopWatching(w);
    const what = atStart ? 'does not exist or cannot be reached' : 'was removed or cannot be reached';
    reportError(
      w,
      new Error(
        `SERIES3_PATH folder ${w.folder} ${what}: it is not being watched; check the path in config.ini ` +
          '(new events are only seen by the periodic pass until the watcher is restarted)',
      ),
    );
    // A pass now lets the scan report the folder problem without waiting for the interval.
    if (!atStart) deliver(w, `folder ${basename(w.folder)} removed`);
  }
}

function flush(w: WatchState): void {
  w.timer = undefined;
  if (w.closed) return;
  if (w.checkFolder) {
    w.checkFolder = false;
    void noticeIfFolderGone(w, false);
  }
  if (w.pendingCount === 0) return;
  const reason = describe(w.pending, w.pendingCount);
  w.pending = [];
  w.pendingCount = 0;
  deliver(w, reason);
}

function arm(w: WatchState): void {
  w.timer ??= w.timers.setTimeout(() => flush(w), w.debounceMs);
}

function hint(w: WatchState, what: string): void {
  if (w.closed) return;
  w.pendingCount += 1;
  if (w.pending.length < MAX_NAMED_IN_REASON) w.pending.push(what);
  w.checkFolder = true;
  arm(w);
}

async function begin(w: WatchState): Promise<void> {
  // A folder that is missing at start cannot be watched: say so once; the agent retries.
  await noticeIfFolderGone(w, true);
  if (w.closed || w.folderGone) return;
  try {
    if (w.options.usePolling) await startPolling(w);
    else startOsWatch(w);
  } catch (err) {
    reportError(w, err instanceof Error ? err : new Error(String(err)));
  }
}

async function startPolling(w: WatchState): Promise<void> {
  // Our own baseline, taken before `ready` settles, so a file added right after start is
  // seen (fs.watchFile takes its first look later and would fold such a file into it).
  let last = await stat(w.folder);
  const intervalMs = w.options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  // A chain of timeouts rather than setInterval, so the shared clock drives it too.
  const poll = (): void => {
    w.polling = w.timers.setTimeout(() => {
      stat(w.folder)
        .then(
          (now) => {
            if (now.mtimeMs !== last.mtimeMs || now.ino !== last.ino) hint(w, 'folder changed');
            last = now;
          },
          () => {
            w.checkFolder = true;
            arm(w);
          },
        )
        .finally(() => {
          if (w.polling !== undefined && !w.closed) poll();
        });
    }, intervalMs);
  };
  poll();
}

function startOsWatch(w: WatchState): void {
  w.osWatcher = watch(w.folder, { persistent: true }, (eventType, filename) => {
    hint(w, filename ? `${eventType} ${filename.toString()}` : eventType);
  });
  w.osWatcher.on('error', (err) => {
    // The folder went away (or the share dropped): stop, tell once, and let the agent look again.
    stopWatching(w);
    void noticeIfFolderGone(w, false).then(() => {
      if (!w.folderGone) reportError(w, err);
    });
  });
}

const MAX_NAMED_IN_REASON = 3;

function describe(named: readonly string[], count: number): string {
  const more = count - named.length;
  return more > 0 ? `${named.join(', ')} and ${more} more` : named.join(', ');
}
