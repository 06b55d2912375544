import { describe, expect, it } from 'vitest';
import type { DirEntry } from '../../src/scan/types.js';
import type { PairOptions, PairResult } from '../../src/pair/types.js';
import { pairEvents, reportSettleLimitMs } from '../../src/pair/pair-events.js';

const NOW_MS = Date.UTC(2026, 4, 8, 12, 0, 0);
const QUIESCENCE_MS = 5_000;
const GRACE_MS = 60_000;
const DAY_MS = 86_400_000;
const MAX_AGE_MS = 365 * DAY_MS;
const OPTIONS: PairOptions = { nowMs: NOW_MS, quiescenceMs: QUIESCENCE_MS, graceMs: GRACE_MS, maxAgeMs: MAX_AGE_MS };

const BIN = 'M529LK44.AB0';
const REPORT = 'M529LK44.AB0.TXT';

/** An entry modified `ageMs` before NOW_MS. */
function entry(name: string, ageMs: number, size = 4400): DirEntry {
  return { name, path: `/watch/${name}`, size, mtimeMs: NOW_MS - ageMs };
}

/** The fate of the first binary in a result, in one comparable shape. */
function fateOf(result: PairResult): { state: string; report: string | null; readyAtMs?: number } {
  const [ready] = result.ready;
  if (ready) return { state: 'ready', report: ready.report?.name ?? null };
  const [waiting] = result.waiting;
  if (waiting) return { state: waiting.reason, report: waiting.report?.name ?? null, readyAtMs: waiting.readyAtMs };
  if (result.tooOld.length > 0) return { state: 'too-old', report: null };
  return { state: 'nothing', report: null };
}

/** The first nowMs (ms resolution) at which the first binary is ready, searched from `fromMs`. */
function firstReadyMs(entries: readonly DirEntry[], fromMs: number, toMs: number): number | undefined {
  for (let t = fromMs; t <= toMs; t += 1) {
    if (pairEvents(entries, { ...OPTIONS, nowMs: t }).ready.length > 0) return t;
  }
  return undefined;
}

describe('pairEvents', () => {
  describe('only event binaries count', () => {
    it.each([
      ['a monitor log', 'M529LK44.MLG'],
      ['a stray text file', 'notes.txt'],
      ['an orphan report', 'M529LK44.AB0.TXT'],
      ['a config file', 'config.ini'],
      ['a name that almost fits', 'M529LK4.AB0'],
      ['a JSON file', 'M529LK44.JSON'],
    ])('ignores %s (%s)', (_what, name) => {
      expect(pairEvents([entry(name, GRACE_MS * 2)], OPTIONS)).toEqual({ ready: [], waiting: [], tooOld: [] });
    });

    it('returns nothing for an empty folder', () => {
      expect(pairEvents([], OPTIONS)).toEqual({ ready: [], waiting: [], tooOld: [] });
    });
  });

  describe('quiescence: a binary modified less than the quiescence ago waits', () => {
    it.each([
      // binary age, report age (null = none), expected state, expected readyAtMs relative to NOW_MS
      [0, 0, 'binary-not-quiet', QUIESCENCE_MS],
      [QUIESCENCE_MS - 1, QUIESCENCE_MS - 1, 'binary-not-quiet', 1],
      [QUIESCENCE_MS, QUIESCENCE_MS, 'ready', undefined],
      [QUIESCENCE_MS + 1, QUIESCENCE_MS + 1, 'ready', undefined],
      [-1_000, -1_000, 'binary-not-quiet', QUIESCENCE_MS + 1_000],
    ] as const)('binary %i ms old with a report as old: %s', (binaryAgeMs, reportAgeMs, state, readyInMs) => {
      const result = pairEvents([entry(BIN, binaryAgeMs), entry(REPORT, reportAgeMs)], OPTIONS);
      expect(fateOf(result)).toEqual(
        readyInMs === undefined
          ? { state, report: REPORT }
          : { state, report: REPORT, readyAtMs: NOW_MS + readyInMs },
      );
    });

    it('a not-quiet binary without a report is ready when the grace ends, and readyAtMs says so', () => {
      const result = pairEvents([entry(BIN, 1_000)], OPTIONS);
      expect(fateOf(result)).toEqual({ state: 'binary-not-quiet', report: null, readyAtMs: NOW_MS - 1_000 + GRACE_MS });
    });
  });

  describe('a quiescent report goes with its binary', () => {
    it.each([
      [QUIESCENCE_MS, 'ready'],
      [QUIESCENCE_MS - 1, 'report-not-quiet'],
    ] as const)('report %i ms old, binary 10 s old: %s', (reportAgeMs, state) => {
      const result = pairEvents([entry(BIN, 10_000), entry(REPORT, reportAgeMs)], OPTIONS);
      expect(fateOf(result).state).toBe(state);
      if (state === 'ready') expect(result.ready[0]?.report).toEqual(entry(REPORT, reportAgeMs));
    });
  });

  describe('report grace: no report yet, the binary waits until it is graceMs old, then goes alone', () => {
    it.each([
      [QUIESCENCE_MS, 'awaiting-report', NOW_MS - QUIESCENCE_MS + GRACE_MS],
      [GRACE_MS - 1, 'awaiting-report', NOW_MS + 1],
      [GRACE_MS, 'ready', undefined],
      [GRACE_MS + 1, 'ready', undefined],
      [30 * DAY_MS, 'ready', undefined],
    ] as const)('binary %i ms old, no report: %s', (binaryAgeMs, state, readyAtMs) => {
      const result = pairEvents([entry(BIN, binaryAgeMs)], OPTIONS);
      expect(fateOf(result)).toEqual(
        readyAtMs === undefined ? { state, report: null } : { state, report: null, readyAtMs },
      );
    });
  });

  describe('item 16: a report that exists but is still being written holds its binary until it is quiet, bounded', () => {
    const LIMIT_MS = reportSettleLimitMs(OPTIONS);
    it.each([
      // binary age, report age, state, report in result, readyAtMs
      ['report turns quiet first', 10_000, 1_000, 'report-not-quiet', REPORT, NOW_MS - 1_000 + QUIESCENCE_MS],
      ['grace ends first: still waits for the report', GRACE_MS - 2_000, 0, 'report-not-quiet', REPORT, NOW_MS + QUIESCENCE_MS],
      ['grace just ended: still waits for the report', GRACE_MS, 0, 'report-not-quiet', REPORT, NOW_MS + QUIESCENCE_MS],
      ['the bound ends before the report settles', GRACE_MS + LIMIT_MS - 1_000, 0, 'report-not-quiet', REPORT, NOW_MS + 1_000],
      ['bound reached: the binary goes alone', GRACE_MS + LIMIT_MS, 0, 'ready', null, undefined],
      ['grace long ended, report rewritten', 10 * GRACE_MS + LIMIT_MS, 1, 'ready', null, undefined],
    ] as const)('%s', (_case, binaryAgeMs, reportAgeMs, state, report, readyAtMs) => {
      const result = pairEvents([entry(BIN, binaryAgeMs), entry(REPORT, reportAgeMs)], OPTIONS);
      expect(fateOf(result)).toEqual(readyAtMs === undefined ? { state, report } : { state, report, readyAtMs });
    });

    it('sends the binary alone (report null) once the bound ends, so the agent can re-send the pair later', () => {
      const result = pairEvents([entry(BIN, GRACE_MS + LIMIT_MS), entry(REPORT, 0)], OPTIONS);
      expect(result.ready).toEqual([{ binary: entry(BIN, GRACE_MS + LIMIT_MS), report: null }]);
    });

    it('item 16: a binary past its grace whose report appeared a moment ago waits under a second, then goes once with it', () => {
      const entries = [entry(BIN, GRACE_MS + 1_000), entry(REPORT, QUIESCENCE_MS - 800)];
      const [waiting] = pairEvents(entries, OPTIONS).waiting;
      expect(waiting).toMatchObject({ reason: 'report-not-quiet', readyAtMs: NOW_MS + 800 });
      const later = pairEvents(entries, { ...OPTIONS, nowMs: NOW_MS + 800 });
      expect(later.ready).toEqual([{ binary: entries[0], report: entries[1] }]);
    });
  });

  describe('readyAtMs is the exact moment a re-run would say ready', () => {
    it.each([
      ['fresh binary, no report', [entry(BIN, 0)]],
      ['fresh binary, fresh report', [entry(BIN, 0), entry(REPORT, 0)]],
      ['quiet binary, no report', [entry(BIN, 7_000)]],
      ['quiet binary, report being written', [entry(BIN, 7_000), entry(REPORT, 2_000)]],
      ['quiet binary, report still written near the grace', [entry(BIN, 57_000), entry(REPORT, 0)]],
      ['fresh binary, report already quiet', [entry(BIN, 1_000), entry(REPORT, 30_000)]],
      ['binary stamped in the future', [entry(BIN, -2_000), entry(REPORT, -2_000)]],
    ] as const)('%s', (_case, entries) => {
      const [waiting] = pairEvents(entries, OPTIONS).waiting;
      expect(waiting).toBeDefined();
      expect(firstReadyMs(entries, NOW_MS, NOW_MS + GRACE_MS + QUIESCENCE_MS)).toBe(waiting!.readyAtMs);
    });
  });

  describe('max age: binaries older than nowMs - maxAgeMs are too old and never sent', () => {
    it.each([
      [MAX_AGE_MS + 1, 'too-old'],
      [MAX_AGE_MS, 'ready'],
      [MAX_AGE_MS - 1, 'ready'],
    ] as const)('binary %i ms old: %s', (binaryAgeMs, state) => {
      const result = pairEvents([entry(BIN, binaryAgeMs), entry(REPORT, binaryAgeMs)], OPTIONS);
      expect(fateOf(result).state).toBe(state);
    });

    it('lists too-old binaries without their reports, oldest first', () => {
      const result = pairEvents(
        [entry('B000AAAA.AB0', MAX_AGE_MS + 10), entry('A000AAAA.AB0', MAX_AGE_MS + 20), entry('A000AAAA.AB0.TXT', 0)],
        OPTIONS,
      );
      expect(result.tooOld.map((e) => e.name)).toEqual(['A000AAAA.AB0', 'B000AAAA.AB0']);
      expect(result.ready).toEqual([]);
      expect(result.waiting).toEqual([]);
    });

    it('a report newer than the window does not bring an old binary back', () => {
      const result = pairEvents([entry(BIN, MAX_AGE_MS + 1), entry(REPORT, QUIESCENCE_MS)], OPTIONS);
      expect(fateOf(result).state).toBe('too-old');
    });
  });

  describe('oldest first', () => {
    it('sorts ready events by binary mtime ascending, ties by name', () => {
      const entries = [
        entry('C000AAAA.AB0', 100_000),
        entry('A000AAAA.AB0', 300_000),
        entry('B000AAAA.AB0', 100_000),
        entry('a000aaaa.ab1', 300_000),
        entry('D000AAAA.AB0', 200_000),
      ];
      const names = pairEvents(entries, OPTIONS).ready.map((r) => r.binary.name);
      // 'A' (0x41) sorts before 'a' (0x61): code-unit order, the same on every machine.
      expect(names).toEqual(['A000AAAA.AB0', 'a000aaaa.ab1', 'D000AAAA.AB0', 'B000AAAA.AB0', 'C000AAAA.AB0']);
    });

    it('sorts waiting events the same way', () => {
      const entries = [entry('B000AAAA.AB0', 1_000), entry('A000AAAA.AB0', 2_000), entry('C000AAAA.AB0', 2_000)];
      expect(pairEvents(entries, OPTIONS).waiting.map((w) => w.binary.name)).toEqual([
        'A000AAAA.AB0',
        'C000AAAA.AB0',
        'B000AAAA.AB0',
      ]);
    });

    it('does not depend on the order of the listing', () => {
      const entries = Array.from({ length: 50 }, (_, i) => entry(`M${String(i).padStart(3, '0')}AAAA.AB0`, GRACE_MS + (i % 7) * 1_000));
      const forward = pairEvents(entries, OPTIONS).ready;
      const backward = pairEvents([...entries].reverse(), OPTIONS).ready;
      expect(backward).toEqual(forward);
    });
  });

  describe('case-insensitive pairing', () => {
    it.each([
      ['M529LK44.AB0', 'm529lk44.ab0.txt'],
      ['m529lk44.ab0', 'M529LK44.AB0.TXT'],
      ['M529LK44.AB0', 'M529LK44.AB0.txt'],
      ['S353L4H0.3M0W', 's353l4h0.3m0w.Txt'],
    ])('pairs %s with %s', (binary, report) => {
      const result = pairEvents([entry(binary, 10_000), entry(report, 10_000)], OPTIONS);
      expect(result.ready).toEqual([{ binary: entry(binary, 10_000), report: entry(report, 10_000) }]);
    });

    it('prefers the exact <name>.TXT when two reports match one binary', () => {
      const exact = entry(`${BIN}.TXT`, 10_000);
      const other = entry(`${BIN.toLowerCase()}.txt`, 6_000);
      for (const entries of [[entry(BIN, 10_000), exact, other], [entry(BIN, 10_000), other, exact]]) {
        expect(pairEvents(entries, OPTIONS).ready[0]?.report).toEqual(exact);
      }
    });

    it('otherwise prefers the newest report', () => {
      const older = entry('m529lk44.ab0.txt', 20_000);
      const newer = entry('M529LK44.ab0.TXT', 8_000);
      for (const entries of [[entry(BIN, 30_000), older, newer], [entry(BIN, 30_000), newer, older]]) {
        expect(pairEvents(entries, OPTIONS).ready[0]?.report).toEqual(newer);
      }
    });

    it('pairs each case-variant of a binary on a case-sensitive disk with the same report rules', () => {
      const result = pairEvents([entry('M529LK44.AB0', 10_000), entry('m529lk44.ab0', 10_000), entry('m529lk44.ab0.TXT', 10_000)], OPTIONS);
      expect(result.ready.map((r) => [r.binary.name, r.report?.name])).toEqual([
        ['M529LK44.AB0', 'm529lk44.ab0.TXT'],
        ['m529lk44.ab0', 'm529lk44.ab0.TXT'],
      ]);
    });

    it('never pairs a report of another binary', () => {
      const result = pairEvents([entry(BIN, 10_000), entry('M529LK45.AB0.TXT', 10_000)], OPTIONS);
      expect(fateOf(result)).toEqual({ state: 'awaiting-report', report: null, readyAtMs: NOW_MS - 10_000 + GRACE_MS });
    });
  });

  it('handles a 20,000-file backlog in one pass, each binary with its own report', () => {
    const entries: DirEntry[] = [];
    for (let i = 0; i < 10_000; i++) {
      const name = `M${String(i % 1000).padStart(3, '0')}${i.toString(36).toUpperCase().padStart(4, '0')}.AB0`;
      entries.push(entry(name, GRACE_MS + i), entry(`${name}.TXT`, GRACE_MS + i));
    }
    const result = pairEvents(entries, OPTIONS);
    expect(result.ready).toHaveLength(10_000);
    expect(result.ready.every((r) => r.report?.name === `${r.binary.name}.TXT`)).toBe(true);
    expect(result.ready[0]?.binary.mtimeMs).toBe(NOW_MS - GRACE_MS - 9_999);
  });
});
