// When passes run, decided in one place, on one injected clock: at start; every
// SCAN_INTERVAL_SECONDS (the safety net, which also opens a new cap window); soon after a watcher
// hint (never closer than MIN_HINT_GAP_MS to the previous pass: rename storms); when the earliest
// settling event becomes ready; when the server back-off ends (if anything waits and the window
// has budget left); soon again when the folder or the record could not be used. The per-pass cap
// (SFM_MAX_FORWARDS_PER_PASS) is a budget per interval window shared by every pass in it, so
// hint-driven passes never turn the steady drip into a burst, and a config change never grants a
// fresh budget early (the window keeps its start; a new interval moves its end).
//
// The scheduler holds no agent state: it is told what a pass found and asks `onDue` to run one.
import type { Clock, TimerHandle } from './clock.js';

/** A pass started by a hint waits at least this long after the previous one (rename storms). */
export const MIN_HINT_GAP_MS = 300;
/** Slack after a settling event's ready time, so the pass sees it ready. */
export const READY_SLACK_MS = 20;
export const FOLDER_RETRY_MS = 5000;

/** What a finished pass tells the scheduler. */
export interface PassFacts {
  /** Uploads the pass started (they count against the window's cap). */
  readonly started: number;
  /** Ready events left waiting. */
  readonly pending: number;
  readonly nextReadyAtMs: number | null;
  /** The folder or the record could not be used: look again soon. */
  readonly mustRetry: boolean;
}

export interface SchedulerOptions {
  readonly clock: Clock;
  /** SCAN_INTERVAL_SECONDS in ms, read when a window opens. */
  readonly intervalMs: () => number;
  /** SFM_MAX_FORWARDS_PER_PASS (0 = unlimited), read whenever the budget is asked. */
  readonly cap: () => number;
  /** Epoch ms until which the server back-off holds uploads (0 or past: none). */
  readonly blockedUntil: () => number;
  readonly folderRetryMs?: number;
  /** Time for a pass: the agent starts one (or notes that one is due after the running one). */
  readonly onDue: () => void;
}

/** The scheduler's long-lived state. */
interface SchedulerState {
  /** The one pending wake-up, if any. */
  timer: TimerHandle | null;
  /** When that wake-up is due (null: none armed). */
  timerAtMs: number | null;
  /** When the cap's window ends and the next periodic pass is due (0: no window yet, or forgotten). */
  windowEndMs: number;
  /** Uploads started in the current window. */
  windowStarted: number;
  /** When the last pass ended, for the hint gap. */
  lastPassEndMs: number;
  /** After stop(): nothing is scheduled any more. */
  stopped: boolean;
}

export interface Scheduler {
  /**
   * A pass is asked for (hint, start, a person). Returns true when it may start now; false when a
   * hint came too soon after the last pass, in which case the scheduler calls onDue once the gap ends.
   * `force` (start, Forward now, resume, new settings) skips the gap.
   */
  mayStartNow(force: boolean): boolean;
  /** A pass starts now: opens a new cap window if the last one ended. Returns the pass's budget. */
  passStarting(): number;
  /** A pass ended (outcome null: it failed): counts its uploads and arms the next wake-up. */
  passEnded(facts: PassFacts | null, paused: boolean): void;
  /** The pass's promise settled (after passEnded): the hint gap counts from here. */
  passSettled(): void;
  /** Uploads the current window still allows (Infinity = no cap). */
  budget(): number;
  /** Forward now: the window is forgotten, so the pass opens a new one with a full budget. */
  forgetWindow(): void;
  /** When the current cap window ends (0: none yet) and when the next pass is armed for (null: none), for the backlog's "next batch". */
  peek(): { readonly windowEndMs: number; readonly nextPassAtMs: number | null };
  /** SCAN_INTERVAL changed: the window keeps its start, its end moves with the interval. */
  reshapeWindow(previousIntervalMs: number, nextIntervalMs: number): void;
  stop(): void;
}

export function createScheduler(options: SchedulerOptions): Scheduler {
  const { clock } = options;
  const state: SchedulerState = { timer: null, timerAtMs: null, windowEndMs: 0, windowStarted: 0, lastPassEndMs: 0, stopped: false };

  const wakeAt = (atMs: number): void => {
    if (state.timer !== null) clock.clearTimeout(state.timer);
    state.timer = null;
    state.timerAtMs = null;
    if (state.stopped) return;
    state.timerAtMs = atMs;
    state.timer = clock.setTimeout(() => {
      state.timer = null;
      state.timerAtMs = null;
      options.onDue();
    }, Math.max(0, atMs - clock.now()));
  };

  const budget = (): number => {
    const cap = options.cap();
    return cap === 0 ? Number.POSITIVE_INFINITY : Math.max(0, cap - state.windowStarted);
  };

  return {
    mayStartNow(force) {
      const nowMs = clock.now();
      const gap = state.lastPassEndMs + MIN_HINT_GAP_MS - nowMs;
      if (force || gap <= 0 || nowMs >= state.windowEndMs) return true;
      wakeAt(nowMs + gap);
      return false;
    },
    passStarting() {
      const nowMs = clock.now();
      if (nowMs >= state.windowEndMs) {
        // The periodic full pass opens a new cap window.
        state.windowStarted = 0;
        state.windowEndMs = nowMs + options.intervalMs();
      }
      return budget();
    },
    passEnded(facts, paused) {
      if (facts) state.windowStarted += facts.started;
      wakeAt(nextWakeMs({ nowMs: clock.now(), windowEndMs: state.windowEndMs, facts, paused, budget: budget(), blockedUntilMs: options.blockedUntil(), folderRetryMs: options.folderRetryMs ?? FOLDER_RETRY_MS }));
    },
    passSettled() {
      state.lastPassEndMs = clock.now();
    },
    budget,
    peek: () => ({ windowEndMs: state.windowEndMs, nextPassAtMs: state.timerAtMs }),
    forgetWindow() {
      state.windowEndMs = 0;
    },
    reshapeWindow(previousIntervalMs, nextIntervalMs) {
      if (state.windowEndMs === 0 || nextIntervalMs === previousIntervalMs) return;
      state.windowEndMs += nextIntervalMs - previousIntervalMs;
    },
    stop() {
      state.stopped = true;
      if (state.timer !== null) clock.clearTimeout(state.timer);
      state.timer = null;
      state.timerAtMs = null;
    },
  };
}

/** When the next pass is due after one ended: the earliest of the reasons that apply. Pure. */
export function nextWakeMs(input: {
  readonly nowMs: number;
  readonly windowEndMs: number;
  readonly facts: PassFacts | null;
  readonly paused: boolean;
  readonly budget: number;
  readonly blockedUntilMs: number;
  readonly folderRetryMs: number;
}): number {
  const { nowMs, facts } = input;
  let wakeMs = input.windowEndMs;
  // A missing folder (unplugged share, Blastware reinstall) is looked for again soon, and so is
  // a record that could not be written (a full disk someone is clearing).
  if (facts?.mustRetry) wakeMs = Math.min(wakeMs, nowMs + input.folderRetryMs);
  if (facts && !input.paused) {
    if (facts.nextReadyAtMs !== null) wakeMs = Math.min(wakeMs, facts.nextReadyAtMs + READY_SLACK_MS);
    if (facts.pending > 0 && input.blockedUntilMs > nowMs && input.budget > 0) wakeMs = Math.min(wakeMs, input.blockedUntilMs);
  }
  return wakeMs;
}
