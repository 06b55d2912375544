// The progress lines `once` and `run` print on stderr while a pass runs long: nothing for a pass
// shorter than the interval, then one line about every PROGRESS_EVERY_MS until it ends. Never on
// stdout, so `--json`'s last line stays the one JSON object. The words come from
// src/agent/backlog.ts, like the status's.
import type { AgentStatus } from '../agent/status-types.js';
import type { PassProgress } from '../agent/pass.js';
import { backlogWords, passProgressWords } from '../agent/backlog.js';
import { formatCount } from '../agent/status-view.js';

/** How often a long pass says how far it is (tests set a short value through CliIo). */
export const PROGRESS_EVERY_MS = 10_000;

export interface ProgressTicker {
  /** A pass started: the first line comes after one interval, if the pass still runs. */
  start(): void;
  /** The pass ended: no more lines. */
  stop(): void;
}

/** Writes `line()` (when it is not null) every `everyMs` between start() and stop(). */
export function progressTicker(everyMs: number, line: () => string | null, write: (text: string) => void): ProgressTicker {
  let timer: NodeJS.Timeout | null = null;
  return {
    start() {
      if (timer !== null) return;
      timer = setInterval(() => {
        const text = line();
        if (text !== null) write(text);
      }, everyMs);
      timer.unref();
    },
    stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
    },
  };
}

/** `once`: follows the pass's own progress. Call `onProgress` from the pass; start/stop around it. */
export function onceProgress(everyMs: number, write: (text: string) => void, nowMs: () => number = Date.now) {
  let latest: PassProgress | null = null;
  let startedMs = nowMs();
  const ticker = progressTicker(
    everyMs,
    () => {
      const elapsedMs = nowMs() - startedMs;
      if (latest === null) return `series3-watcher: pass running, nothing sent yet · ${Math.round(elapsedMs / 1000)} s so far`;
      return `series3-watcher: ${passProgressWords({ ...latest, elapsedMs })}`;
    },
    write,
  );
  return {
    onProgress: (progress: PassProgress): void => {
      latest = progress;
    },
    start: (): void => {
      startedMs = nowMs();
      ticker.start();
    },
    stop: (): void => ticker.stop(),
  };
}

/** `run`: follows the agent's status; a line while a pass is in progress, from its backlog. */
export function runProgress(everyMs: number, write: (text: string) => void, nowMs: () => number = Date.now): (status: AgentStatus) => void {
  let latest: AgentStatus | null = null;
  let deliveredAtStart = 0;
  const ticker = progressTicker(
    everyMs,
    () => latest && `series3-watcher: pass running, ${formatCount(latest.deliveredTotal - deliveredAtStart)} sent so far · ${backlogWords(latest.backlog, nowMs())}`,
    write,
  );
  return (status) => {
    if (status.passInProgress && (latest === null || !latest.passInProgress)) {
      deliveredAtStart = status.deliveredTotal;
      ticker.start();
    }
    if (!status.passInProgress || !status.running) ticker.stop();
    latest = status;
  };
}
