// Item 2 of issue 9: when passes run is decided by one scheduler on one injected clock. These tests
// drive it with a fake clock: no sleeping, exact times.
import { describe, expect, it } from 'vitest';
import { createScheduler, FOLDER_RETRY_MS, MIN_HINT_GAP_MS, READY_SLACK_MS, type PassFacts } from '../../src/agent/scheduler.js';
import { createFakeClock } from './fake-clock.js';

function setup(over: { intervalMs?: number; cap?: number; blockedUntil?: number } = {}) {
  const clock = createFakeClock();
  const dueAt: number[] = [];
  let intervalMs = over.intervalMs ?? 60_000;
  let blockedUntil = over.blockedUntil ?? 0;
  const scheduler = createScheduler({
    clock,
    intervalMs: () => intervalMs,
    cap: () => over.cap ?? 0,
    blockedUntil: () => blockedUntil,
    onDue: () => dueAt.push(clock.now() - start),
  });
  const start = clock.now();
  return {
    clock,
    scheduler,
    dueAt,
    setInterval: (ms: number) => (intervalMs = ms),
    setBlockedUntil: (atMs: number) => (blockedUntil = atMs),
    at: (ms: number) => start + ms,
    /** One pass from start to end at the current time. */
    pass(facts: Partial<PassFacts> | null = {}, paused = false): number {
      const budget = scheduler.passStarting();
      scheduler.passEnded(facts === null ? null : { started: 0, pending: 0, nextReadyAtMs: null, mustRetry: false, ...facts }, paused);
      scheduler.passSettled();
      return budget;
    },
  };
}

describe('item 2: one scheduler decides when passes run, on a fake clock', () => {
  it('an idle agent passes again at the interval (the safety net)', () => {
    const t = setup({ intervalMs: 60_000 });
    t.pass();
    t.clock.advance(59_999);
    expect(t.dueAt).toEqual([]);
    t.clock.advance(1);
    expect(t.dueAt).toEqual([60_000]);
  });

  it('a settling event brings the next pass to its ready time', () => {
    const t = setup();
    t.pass({ nextReadyAtMs: t.at(5_000) });
    t.clock.advance(10_000);
    expect(t.dueAt).toEqual([5_000 + READY_SLACK_MS]);
  });

  it('the end of the server back-off brings the next pass, when something waits and the cap allows', () => {
    const t = setup({ cap: 10 });
    t.setBlockedUntil(t.at(8_000));
    t.pass({ pending: 3, started: 1 });
    t.clock.advance(8_000);
    expect(t.dueAt).toEqual([8_000]);
  });

  it('the back-off does not wake a pass that has nothing waiting, or a spent cap', () => {
    const idle = setup({ cap: 10 });
    idle.setBlockedUntil(idle.at(8_000));
    idle.pass({ pending: 0 });
    idle.clock.advance(30_000);
    expect(idle.dueAt).toEqual([]);

    const spent = setup({ cap: 2 });
    spent.setBlockedUntil(spent.at(8_000));
    spent.pass({ pending: 3, started: 2 });
    spent.clock.advance(30_000);
    expect(spent.dueAt).toEqual([]);
  });

  it('a paused agent is woken by the interval only, not by ready times', () => {
    const t = setup({ intervalMs: 20_000 });
    t.pass({ nextReadyAtMs: t.at(1_000) }, true);
    t.clock.advance(20_000);
    expect(t.dueAt).toEqual([20_000]);
  });

  it('a folder or record problem is looked at again soon', () => {
    const t = setup();
    t.pass({ mustRetry: true });
    t.clock.advance(FOLDER_RETRY_MS);
    expect(t.dueAt).toEqual([FOLDER_RETRY_MS]);
  });

  it('a watcher hint right after a pass waits out the hint gap; a forced request does not', () => {
    const t = setup();
    t.pass();
    t.clock.advance(100);
    expect(t.scheduler.mayStartNow(false)).toBe(false);
    t.clock.advance(MIN_HINT_GAP_MS - 100 - 1);
    expect(t.dueAt).toEqual([]);
    t.clock.advance(1);
    expect(t.dueAt).toEqual([MIN_HINT_GAP_MS]);
    expect(t.scheduler.mayStartNow(true)).toBe(true);
  });

  it('the cap is a budget per interval window, shared by every pass in it', () => {
    const t = setup({ cap: 5, intervalMs: 60_000 });
    expect(t.pass({ started: 3 })).toBe(5);
    t.clock.advance(10_000);
    expect(t.pass({ started: 2 })).toBe(2);
    t.clock.advance(10_000);
    expect(t.pass()).toBe(0);
    t.clock.advance(40_000);
    expect(t.pass()).toBe(5);
  });

  it('a changed interval moves the window end from when it opened, never granting a fresh budget early', () => {
    const t = setup({ cap: 5, intervalMs: 60_000 });
    t.pass({ started: 5 });
    t.clock.advance(10_000);
    // Shorter: the window (opened at 0) now ends at 30 s, not 10 s + 30 s, and not at once.
    t.setInterval(30_000);
    t.scheduler.reshapeWindow(60_000, 30_000);
    expect(t.pass()).toBe(0);
    t.clock.advance(19_999);
    expect(t.pass()).toBe(0);
    t.clock.advance(1);
    expect(t.pass()).toBe(5);
  });

  it('Forward now forgets the window: the next pass has a full budget', () => {
    const t = setup({ cap: 5 });
    t.pass({ started: 5 });
    t.scheduler.forgetWindow();
    expect(t.pass()).toBe(5);
  });

  it('after stop nothing is scheduled', () => {
    const t = setup();
    t.pass();
    t.scheduler.stop();
    t.pass({ nextReadyAtMs: t.at(1_000) });
    t.clock.advance(120_000);
    expect(t.dueAt).toEqual([]);
    expect(t.clock.pending()).toBe(0);
  });
});
