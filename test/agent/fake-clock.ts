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

const realPause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Moves fake time on in steps of `stepMs`, giving real I/O (files, the receiver) a moment between
 * steps, until `until` holds; fails naming `what` after `maxFakeMs` of fake time.
 */
export async function driveUntil(
  clock: FakeClock,
  until: () => boolean | Promise<boolean>,
  what: string,
  options: { readonly stepMs?: number; readonly maxFakeMs?: number } = {},
): Promise<void> {
  const stepMs = options.stepMs ?? 50;
  const startMs = clock.now();
  for (;;) {
    // A few real turns at each fake instant: a pass, a request and a record write take several.
    for (let i = 0; i < 8; i++) {
      if (await until()) return;
      await realPause(2);
    }
    if (clock.now() - startMs > (options.maxFakeMs ?? 30_000)) throw new Error(`${what} did not happen within ${options.maxFakeMs ?? 30_000} ms of fake time`);
    clock.advance(stepMs);
  }
}

/** Lets `ms` of fake time pass in steps, with real I/O running between them. */
export async function drive(clock: FakeClock, ms: number, stepMs = 50): Promise<void> {
  const endMs = clock.now() + ms;
  while (clock.now() < endMs) {
    await realPause(2);
    clock.advance(Math.min(stepMs, endMs - clock.now()));
  }
  await realPause(2);
}
