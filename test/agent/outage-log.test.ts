// The log during a server outage: a start line, a summary every few minutes, an end line with
// its length and how many events waited; driven by a fake clock.
import { describe, expect, it } from 'vitest';
import { durationText, serverAnswered, serverFailed, type OutageLine, type OutageState } from '../../src/agent/outage-log.js';

const t0 = Date.parse('2026-11-22T14:00:00.000Z');
const SECOND = 1000;
const MINUTE = 60 * SECOND;

describe('the outage log', () => {
  it('item 17: a 9-minute outage with passes stopping 4 times a second logs start, summaries and end, nothing more', () => {
    let state: OutageState = null;
    const lines: OutageLine[] = [];
    const take = (step: { state: OutageState; lines: readonly OutageLine[] }): void => {
      state = step.state;
      lines.push(...step.lines);
    };
    let waiting = 40;
    let passes = 0;
    take(serverFailed(state, { nowMs: t0, kind: 'request', reason: 'connect ECONNREFUSED 10.0.0.5:8000', waiting }));
    for (let at = t0 + 250; at < t0 + 9 * MINUTE; at += 250) {
      // A lone probe every 30 s fails; in between, hint-driven passes stop early on the back-off.
      if ((at - t0) % (30 * SECOND) === 0) take(serverFailed(state, { nowMs: at, kind: 'request', reason: 'HTTP 503: down', waiting }));
      take(serverFailed(state, { nowMs: at, kind: 'pass', reason: null, waiting }));
      passes++;
      if ((at - t0) % MINUTE === 0) waiting++;
    }
    take(serverAnswered(state, t0 + 9 * MINUTE + 12 * SECOND));

    expect(passes).toBeGreaterThan(2000);
    expect(lines.map((l) => l.level)).toEqual(['warn', 'warn', 'info']);
    expect(lines[0]!.text).toBe(
      'server not answering: connect ECONNREFUSED 10.0.0.5:8000; 40 events wait for it (a summary every 5 min until it answers)',
    );
    expect(lines[1]!.text).toBe(
      'server still not answering after 5 min: HTTP 503: down; 44 events wait; 11 tries failed and 1199 passes stopped early since 2026-11-22T14:00:00.000Z',
    );
    expect(lines[2]!.text).toBe('server answering again after 9 min 12 s (not answering since 2026-11-22T14:00:00.000Z); 48 events waited for it');
    expect(state).toBeNull();
  });

  it('item 17: the summary interval is a parameter; summaries never come closer than it', () => {
    let state: OutageState = null;
    const times: number[] = [];
    for (let at = t0; at <= t0 + 10 * MINUTE; at += 7 * SECOND) {
      const step = serverFailed(state, { nowMs: at, kind: 'pass', reason: 'HTTP 502', waiting: 3 }, 2 * MINUTE);
      state = step.state;
      if (step.lines.length > 0) times.push(at);
    }
    expect(times.length).toBe(5); // the start, then about every 2 min over 10 min
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(2 * MINUTE);
  });

  it('item 17: an answer with no outage says nothing, and the next outage starts afresh', () => {
    expect(serverAnswered(null, t0)).toEqual({ state: null, lines: [] });
    const first = serverFailed(null, { nowMs: t0, kind: 'request', reason: 'HTTP 503', waiting: 1 });
    const ended = serverAnswered(first.state, t0 + 5 * SECOND);
    expect(ended.lines[0]!.text).toContain('after 5 s');
    expect(ended.lines[0]!.text).toContain('1 event waited');
    const second = serverFailed(ended.state, { nowMs: t0 + MINUTE, kind: 'request', reason: 'HTTP 504', waiting: 2 });
    expect(second.lines[0]!.text).toMatch(/^server not answering: HTTP 504; 2 events wait/);
  });

  it.each([
    [0, '0 s'],
    [45_400, '45 s'],
    [60_000, '1 min'],
    [552_000, '9 min 12 s'],
    [7_500_000, '2 h 5 min'],
    [3 * 86_400_000 + 4 * 3_600_000, '3 d 4 h'],
  ])('writes %d ms as %s', (ms, text) => {
    expect(durationText(ms)).toBe(text);
  });
});
