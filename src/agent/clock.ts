// The one clock the running agent, its scheduler and its folder watcher share: the time and the
// timers, injected, so tests drive quiescence, back-off and the pass timer with a fake clock
// instead of sleeping (STYLE.md: time is a parameter). The server back-off reads the same clock
// through the times the pass hands it (pure arithmetic in src/upload/backoff.ts).

/** An opaque timer, as the clock's setTimeout returns it. */
export type TimerHandle = { readonly __timer?: never } | object;

export interface Clock {
  now(): number;
  /** Calls fn after ms. A real timer keeps the process alive (the pass timer of `run` must). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Lets a timer not keep the process alive (a real one; a fake clock's handles have no unref). */
export function unrefTimer(handle: TimerHandle): void {
  (handle as { unref?: () => void }).unref?.();
}
