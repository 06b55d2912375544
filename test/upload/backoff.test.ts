import { describe, expect, it } from 'vitest';
import { createBackoff, retryAfterCeilingMs } from '../../src/upload/index.js';

const t0 = 1_700_000_000_000;

/** Fails once at the moment the previous block ends; returns each wait. */
function waits(count: number, options: { baseMs: number; maxMs: number; random: () => number }): number[] {
  const backoff = createBackoff(options);
  const result: number[] = [];
  let now = t0;
  for (let i = 0; i < count; i += 1) {
    const until = backoff.failure(now);
    result.push(until - now);
    now = until;
  }
  return result;
}

describe('server back-off', () => {
  it.each([
    ['no jitter (random 0): half of each step', () => 0, [1_000, 2_000, 4_000, 8_000, 15_000, 15_000, 15_000]],
    ['full jitter (random 1): the whole step', () => 0.999_999_999, [2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]],
    ['middle (random 0.5): three quarters', () => 0.5, [1_500, 3_000, 6_000, 12_000, 22_500, 22_500, 22_500]],
  ])('grows exponentially from baseMs and stops at maxMs: %s', (_name, random, expected) => {
    expect(waits(7, { baseMs: 2_000, maxMs: 30_000, random })).toEqual(expected);
  });

  it('keeps every wait between half and all of its step, whatever the random source says', () => {
    const draws = [0, 0.1, 0.37, 0.5, 0.77, 0.999, -3, 7];
    for (const draw of draws) {
      const backoff = createBackoff({ baseMs: 1_000, maxMs: 8_000, random: () => draw });
      let now = t0;
      for (let step = 0; step < 6; step += 1) {
        const stepMs = Math.min(8_000, 1_000 * 2 ** step);
        const until = backoff.failure(now);
        expect(until - now).toBeGreaterThanOrEqual(stepMs / 2);
        expect(until - now).toBeLessThanOrEqual(stepMs);
        now = until;
      }
    }
  });

  it('counts every failure but takes one step per outage: failures while blocked do not double the wait', () => {
    const backoff = createBackoff({ baseMs: 1_000, maxMs: 60_000, random: () => 0 });
    const until = backoff.failure(t0);
    expect(backoff.failure(t0 + 10)).toBe(until);
    expect(backoff.failure(t0 + 20)).toBe(until);
    expect(backoff.consecutiveFailures).toBe(3);
    // The next failure after the block is the second step, not the fourth.
    expect(backoff.failure(until) - until).toBe(1_000);
  });

  it.each([
    ['longer than the step: obeyed', 45_000, 45_000],
    ['shorter than the step: the step stands', 100, 1_000],
    ['beyond maxMs: still obeyed', 600_000, 600_000],
    ['beyond the ceiling: capped at an hour', 10 * 24 * 3600_000, retryAfterCeilingMs],
  ])('honours Retry-After %s', (_name, retryAfterMs, expectedWaitMs) => {
    const backoff = createBackoff({ baseMs: 2_000, maxMs: 300_000, random: () => 0 });
    expect(backoff.failure(t0, retryAfterMs) - t0).toBe(expectedWaitMs);
    expect(backoff.blockedUntil()).toBe(t0 + expectedWaitMs);
  });

  it('lets a Retry-After that arrives while blocked extend the block, never shorten it', () => {
    const backoff = createBackoff({ baseMs: 10_000, maxMs: 60_000, random: () => 0 });
    const first = backoff.failure(t0);
    expect(backoff.failure(t0 + 1, 1_000)).toBe(first);
    expect(backoff.failure(t0 + 2, 30_000)).toBe(t0 + 2 + 30_000);
  });

  it('uses maxMs as the Retry-After ceiling when it is above an hour', () => {
    const backoff = createBackoff({ baseMs: 1_000, maxMs: 2 * 3600_000, random: () => 0 });
    expect(backoff.failure(t0, 5 * 3600_000) - t0).toBe(2 * 3600_000);
  });

  it('success() resets: no block, no failures, the next wait is the first step again', () => {
    const backoff = createBackoff({ baseMs: 1_000, maxMs: 60_000, random: () => 0 });
    let now = t0;
    for (let i = 0; i < 4; i += 1) now = backoff.failure(now);
    backoff.success();

    expect(backoff.blockedUntil()).toBe(0);
    expect(backoff.consecutiveFailures).toBe(0);
    expect(backoff.failure(now) - now).toBe(500);
  });

  it('does not overflow after very many failures', () => {
    expect(waits(2_000, { baseMs: 1_000, maxMs: 300_000, random: () => 0 }).at(-1)).toBe(150_000);
  });

  it.each([
    [{ baseMs: 0, maxMs: 1_000 }, /baseMs/],
    [{ baseMs: 2_000, maxMs: 1_000 }, /maxMs must be at least baseMs/],
    [{ baseMs: Number.NaN, maxMs: 1_000 }, /baseMs/],
  ])('rejects nonsense options %o', (options, message) => {
    expect(() => createBackoff(options)).toThrow(message);
  });
});
