// Issue 10 item 1: the backlog's numbers and words, decided by pure functions of what the agent
// knows (src/agent/backlog.ts). Times are local (src/text/local-time.ts), so the expected words
// are built with the same clock function.
import { describe, expect, it } from 'vitest';
import {
  backlogOf,
  backlogWords,
  createDeliveryMeter,
  etaWords,
  measuredPerMinute,
  MIN_RATE_SPAN_MS,
  noteDelivery,
  passProgressWords,
  RATE_WINDOW_MS,
  rateSpanMs,
  rateWords,
  stoppedBacklog,
  type BacklogFacts,
} from '../../src/agent/backlog.js';
import { localClockOrDate } from '../../src/text/local-time.js';

const NOW = Date.parse('2026-11-23T13:04:10.000Z');
const MINUTE = 60_000;
const iso = (ms: number): string => new Date(ms).toISOString();

/** 19,500 wait, the default cap of 500 per 60 s is used up, 500 went out in the last window. */
const capped = (over: Partial<BacklogFacts> = {}): BacklogFacts => ({
  nowMs: NOW,
  waiting: 19_500,
  ready: 19_500,
  sending: true,
  passInProgress: false,
  cap: 500,
  windowMs: MINUTE,
  budgetLeft: 0,
  windowEndMs: NOW + 50_000,
  nextPassAtMs: NOW + 50_000,
  measuredPerMinute: 500,
  ...over,
});

describe('item 1: backlogOf, the numbers', () => {
  it('the issue\'s case: 19,500 waiting at 500 per minute is about 39 min, the next batch at the end of the cap window', () => {
    expect(backlogOf(capped())).toEqual({ waiting: 19_500, ratePerMinute: 500, etaSeconds: 39 * 60, nextBatchAt: iso(NOW + 50_000), capReached: true });
  });

  it('a cap lets out at most cap per window, however fast the server took the last batch', () => {
    expect(backlogOf(capped({ measuredPerMinute: 30_000 })).ratePerMinute).toBe(500);
    expect(backlogOf(capped({ measuredPerMinute: 30_000, cap: 500, windowMs: 5 * MINUTE })).ratePerMinute).toBe(100);
  });

  it('without a cap the measured rate is the rate, and the cap is never reached', () => {
    const b = backlogOf(capped({ cap: 0, budgetLeft: Number.POSITIVE_INFINITY, measuredPerMinute: 25_080, passInProgress: true }));
    expect(b).toMatchObject({ ratePerMinute: 25_080, capReached: false, nextBatchAt: iso(NOW) });
    expect(b.etaSeconds).toBe(Math.ceil((19_500 / 25_080) * 60));
  });

  it.each([
    ['nothing waits', { waiting: 0, ready: 0 }, { etaSeconds: null, nextBatchAt: null, capReached: false }],
    ['forwarding is off, paused or stopped', { sending: false }, { ratePerMinute: 0, etaSeconds: null, nextBatchAt: null, capReached: true }],
    ['nothing was delivered lately (no rate yet)', { measuredPerMinute: 0 }, { ratePerMinute: 0, etaSeconds: null, nextBatchAt: iso(NOW + 50_000) }],
    ['a pass is sending now, budget left', { budgetLeft: 120, passInProgress: true }, { nextBatchAt: iso(NOW), capReached: false }],
    ['budget left, no pass running: the scheduler\'s next pass', { budgetLeft: 120, nextPassAtMs: NOW + 7_000 }, { nextBatchAt: iso(NOW + 7_000), capReached: false }],
    ['the cap is used up during a pass: the next window, not now', { passInProgress: true }, { nextBatchAt: iso(NOW + 50_000), capReached: true }],
    ['only settling events wait: the cap holds back nothing', { ready: 0, waiting: 3, budgetLeft: 0, nextPassAtMs: NOW + 4_000 }, { capReached: false, nextBatchAt: iso(NOW + 4_000) }],
    ['no pass is armed', { budgetLeft: 5, nextPassAtMs: null }, { nextBatchAt: null }],
    ['a next pass already due is now, never in the past', { budgetLeft: 5, nextPassAtMs: NOW - 3_000 }, { nextBatchAt: iso(NOW) }],
  ] as const)('%s', (_rule, over, expected) => {
    expect(backlogOf(capped(over as Partial<BacklogFacts>))).toMatchObject(expected);
  });

  it('stoppedBacklog: what waits, nothing going out, no next batch', () => {
    expect(stoppedBacklog(12, true)).toEqual({ waiting: 12, ratePerMinute: 0, etaSeconds: null, nextBatchAt: null, capReached: true });
    expect(stoppedBacklog(0, true).capReached).toBe(false);
  });
});

describe('item 1: the delivery meter measures the rate over the last minutes', () => {
  it('no deliveries: 0', () => {
    expect(measuredPerMinute(createDeliveryMeter(), NOW, MIN_RATE_SPAN_MS)).toBe(0);
  });

  it('with a cap, a batch sent in its first seconds counts over the whole window (500 in 2 s of a 60 s window is 500 per minute)', () => {
    const meter = createDeliveryMeter();
    for (let i = 0; i < 500; i++) noteDelivery(meter, NOW + i * 4);
    expect(measuredPerMinute(meter, NOW + 2_000, rateSpanMs(500, MINUTE))).toBe(500);
  });

  it('without a cap, over the time since the first delivery (at least 5 s)', () => {
    const meter = createDeliveryMeter();
    for (let i = 0; i < 400; i++) noteDelivery(meter, NOW + i * 50); // 20 per second for 20 s
    expect(measuredPerMinute(meter, NOW + 20_000, rateSpanMs(0, MINUTE))).toBeCloseTo(1_200, 0);
    const early = createDeliveryMeter();
    noteDelivery(early, NOW, 10);
    expect(measuredPerMinute(early, NOW + 500, MIN_RATE_SPAN_MS)).toBe(120);
  });

  it('deliveries older than the window are forgotten; the count stays right as they go', () => {
    const meter = createDeliveryMeter();
    noteDelivery(meter, NOW, 100);
    noteDelivery(meter, NOW + 5 * MINUTE, 10);
    expect(measuredPerMinute(meter, NOW + RATE_WINDOW_MS + 1_000, MINUTE)).toBeCloseTo((10 * 60_000) / (RATE_WINDOW_MS - 5 * MINUTE + 1_000), 6);
    expect(meter.total).toBe(10);
    expect(meter.buckets).toHaveLength(1);
    expect(measuredPerMinute(meter, NOW + 5 * MINUTE + RATE_WINDOW_MS + 1, MINUTE)).toBe(0);
  });

  it('keeps one bucket per second, whatever the number of deliveries', () => {
    const meter = createDeliveryMeter();
    for (let i = 0; i < 20_000; i++) noteDelivery(meter, NOW + i);
    expect(meter.buckets.length).toBeLessThanOrEqual(21);
    expect(meter.total).toBe(20_000);
  });
});

describe('item 1: the words', () => {
  it('the issue\'s line: "19,500 waiting · about 39 min left · next batch 14:05 (500 per minute)", in local time', () => {
    const next = NOW + 50_000;
    expect(backlogWords(backlogOf(capped()), NOW)).toBe(`19,500 waiting · about 39 min left · next batch ${localClockOrDate(next, NOW)} (500 per minute)`);
    expect(localClockOrDate(next, NOW)).toMatch(/^\d\d:\d\d$/);
  });

  it.each([
    ['nothing waits', stoppedBacklog(0), 'nothing waiting'],
    ['no agent sends', stoppedBacklog(37), '37 waiting'],
    ['sending now', { waiting: 37, ratePerMinute: 600, etaSeconds: 4, nextBatchAt: iso(NOW), capReached: false }, '37 waiting · less than a minute left · sending now (600 per minute)'],
    ['a rate but no next batch', { waiting: 37, ratePerMinute: 600, etaSeconds: 4, nextBatchAt: null, capReached: false }, '37 waiting · less than a minute left · 600 per minute'],
    ['a next batch but no rate yet', { waiting: 37, ratePerMinute: 0, etaSeconds: null, nextBatchAt: iso(NOW + 90_000), capReached: true }, `37 waiting · next batch ${localClockOrDate(NOW + 90_000, NOW)}`],
    ['a next batch on another day shows its date', { waiting: 2, ratePerMinute: 0, etaSeconds: null, nextBatchAt: iso(NOW + 30 * 3_600_000), capReached: true }, `2 waiting · next batch ${localClockOrDate(NOW + 30 * 3_600_000, NOW)}`],
  ] as const)('%s', (_rule, backlog, words) => {
    expect(backlogWords(backlog, NOW)).toBe(words);
  });

  it.each([
    [0, 'less than a minute left'],
    [59, 'less than a minute left'],
    [60, 'about 1 min left'],
    [39 * 60, 'about 39 min left'],
    [89 * 60, 'about 89 min left'],
    [90 * 60, 'about 1 h 30 min left'],
    [2 * 3600 + 9 * 60, 'about 2 h 10 min left'],
    [3 * 3600 + 58 * 60, 'about 4 h left'],
    [47 * 3600, 'about 47 h left'],
    [5 * 86_400, 'about 5 days left'],
  ])('etaWords(%i) is "%s"', (seconds, words) => {
    expect(etaWords(seconds)).toBe(words);
  });

  it.each([
    [500, '500 per minute'],
    [25_080.4, '25,080 per minute'],
    [2, '2 per minute'],
    [0.5, '0.5 per minute'],
    [7.25, '7.3 per minute'],
  ])('rateWords(%d) is "%s"', (rate, words) => {
    expect(rateWords(rate)).toBe(words);
  });

  it('a pass\'s progress line: sent, still to go, how long at this pace, how long so far', () => {
    expect(passProgressWords({ forwarded: 1_500, errors: 0, remaining: 18_500, elapsedMs: 10_000 })).toBe(
      '1,500 sent, 18,500 to go in this pass · about 2 min left (9,000 per minute) · 10 s so far',
    );
    expect(passProgressWords({ forwarded: 0, errors: 3, remaining: 20, elapsedMs: 12_400 })).toBe('0 sent, 20 to go in this pass, 3 failed · 12 s so far');
  });
});
