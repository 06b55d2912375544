// A fake clock for the agent's scheduler, watcher and status timers: time moves only when a test
// calls advance(), which fires every timer that falls due, in order. It starts at a real date so
// the agent's dates look ordinary; file times on disk stay real (tests write files "aged").
import type { Clock, TimerHandle } from '../../src/agent/clock.js';

export interface FakeClock extends Clock {
  /** Moves time on by ms, firing due timers in order (each sees now() at its due time). */
  advance(ms: number): void;
  /** Timers not yet fired. */
  pending(): number;
}

export function createFakeClock(startMs = Date.parse('2026-05-08T12:00:00Z')): FakeClock {
  let nowMs = startMs;
  let nextId = 0;
  const timers = new Map<number, { atMs: number; fn: () => void; id: number }>();
  const handleIds = new WeakMap<object, number>();
  return {
    now: () => nowMs,
    setTimeout(fn, ms) {
      const id = nextId++;
      timers.set(id, { atMs: nowMs + Math.max(0, ms), fn, id });
      const handle = { fake: id };
      handleIds.set(handle, id);
      return handle;
    },
    clearTimeout(handle: TimerHandle) {
      const id = handleIds.get(handle as object);
      if (id !== undefined) timers.delete(id);
    },
    advance(ms) {
      const endMs = nowMs + ms;
      for (;;) {
        const due = [...timers.values()].filter((t) => t.atMs <= endMs).sort((a, b) => a.atMs - b.atMs || a.id - b.id)[0];
        if (!due) break;
        timers.delete(due.id);
        nowMs = due.atMs;
        due.fn();
      }
      nowMs = endMs;
    },
    pending: () => timers.size,
  };
}
