// Item 1 of issue 9: the pass's plan is a pure function of the listing, the record's facts, the
// held-back set, the config and the time. No files, no server: a table of cases.
import { describe, expect, it } from 'vitest';
import { planPass, type RecordFacts } from '../../src/agent/plan.js';
import type { DirEntry } from '../../src/scan/types.js';

const NOW = Date.parse('2026-05-08T12:00:00Z');
const config = { quiescenceSeconds: 5, missingReportGraceSeconds: 60, maxEventAgeDays: 365 };

/** A file `ageSeconds` old. */
const file = (name: string, ageSeconds: number, size = 4400): DirEntry => ({ name, path: `/ach/${name}`, size, mtimeMs: NOW - ageSeconds * 1000 });
const pair = (name: string, ageSeconds: number): DirEntry[] => [file(name, ageSeconds), file(`${name}.TXT`, ageSeconds)];

interface Delivered {
  readonly name: string;
  readonly ageSeconds: number;
  readonly withReport: boolean;
  readonly source?: 'sent' | 'seeded';
  readonly held?: boolean;
}

/** A record that knows the listed files in `delivered` (by identity), as a seed or a delivery leaves it. */
function recordOf(delivered: readonly Delivered[]): { record: RecordFacts; isHeld: (sha: string) => boolean } {
  const byKey = new Map(delivered.map((d) => [`${d.name}|4400|${NOW - d.ageSeconds * 1000}`, d]));
  return {
    record: {
      knownHash: (f) => (byKey.has(`${f.name}|${f.size}|${f.mtimeMs}`) ? `sha-${f.name}` : undefined),
      has: (sha) => delivered.some((d) => `sha-${d.name}` === sha && !d.held),
      deliveryOf: (sha) => {
        const d = delivered.find((x) => `sha-${x.name}` === sha && !x.held);
        return d ? { withReport: d.withReport, source: d.source ?? 'sent' } : undefined;
      },
    },
    isHeld: (sha) => delivered.some((d) => `sha-${d.name}` === sha && d.held === true),
  };
}

interface Case {
  readonly rule: string;
  readonly entries: readonly DirEntry[];
  readonly delivered?: readonly Delivered[];
  readonly budget?: number;
  readonly expected: {
    readonly ready?: readonly string[];
    readonly lateReport?: readonly string[];
    readonly overCap?: readonly string[];
    readonly waiting?: readonly (readonly [string, string, number])[];
    readonly heldBack?: readonly string[];
    readonly alreadyDelivered?: number;
    readonly tooOld?: number;
    readonly nextReadyAtMs?: number | null;
  };
}

const cases: readonly Case[] = [
  { rule: 'an empty folder plans nothing', entries: [], expected: { ready: [], waiting: [], nextReadyAtMs: null } },
  {
    rule: 'ready events go oldest first',
    entries: [...pair('M529LK02.AB0', 100), ...pair('M529LK01.AB0', 300), ...pair('M529LK03.AB0', 200)],
    expected: { ready: ['M529LK01.AB0', 'M529LK03.AB0', 'M529LK02.AB0'] },
  },
  {
    rule: 'the cap takes the oldest; the rest are over the cap, in order',
    entries: [...pair('M529LK01.AB0', 300), ...pair('M529LK02.AB0', 200), ...pair('M529LK03.AB0', 100)],
    budget: 2,
    expected: { ready: ['M529LK01.AB0', 'M529LK02.AB0'], overCap: ['M529LK03.AB0'] },
  },
  {
    rule: 'a budget of 0 (the window is spent) sends nothing now',
    entries: pair('M529LK01.AB0', 300),
    budget: 0,
    expected: { ready: [], overCap: ['M529LK01.AB0'] },
  },
  {
    rule: 'a pair still being written waits for its quiescence, with its ready time',
    entries: pair('M529LK01.AB0', 2),
    expected: { ready: [], waiting: [['M529LK01.AB0', 'binary-not-quiet', NOW + 3000]], nextReadyAtMs: NOW + 3000 },
  },
  {
    rule: 'a binary without its report waits for the grace, then goes alone',
    entries: [file('M529LK01.AB0', 30), file('M529LK02.AB0', 90)],
    expected: { ready: ['M529LK02.AB0'], waiting: [['M529LK01.AB0', 'awaiting-report', NOW + 30_000]], nextReadyAtMs: NOW + 30_000 },
  },
  {
    rule: 'the earliest ready time is the next one',
    entries: [file('M529LK01.AB0', 30), ...pair('M529LK02.AB0', 2)],
    expected: { nextReadyAtMs: NOW + 3000 },
  },
  {
    rule: 'an event older than the max age is too old, never planned',
    entries: pair('M529LK01.AB0', 400 * 86_400),
    expected: { ready: [], tooOld: 1 },
  },
  {
    rule: 'an event the record knows is already delivered',
    entries: [...pair('M529LK01.AB0', 300), ...pair('M529LK02.AB0', 200)],
    delivered: [{ name: 'M529LK01.AB0', ageSeconds: 300, withReport: true }],
    expected: { ready: ['M529LK02.AB0'], alreadyDelivered: 1 },
  },
  {
    rule: 'a binary sent alone whose report appeared goes again as a late report',
    entries: pair('M529LK01.AB0', 300),
    delivered: [{ name: 'M529LK01.AB0', ageSeconds: 300, withReport: false }],
    expected: { ready: ['M529LK01.AB0'], lateReport: ['M529LK01.AB0'], alreadyDelivered: 0 },
  },
  {
    rule: 'a seeded binary is never sent again for its report',
    entries: pair('M529LK01.AB0', 300),
    delivered: [{ name: 'M529LK01.AB0', ageSeconds: 300, withReport: false, source: 'seeded' }],
    expected: { ready: [], alreadyDelivered: 1 },
  },
  {
    rule: 'a held-back event is listed as held, not planned',
    entries: [...pair('M529LK01.AB0', 300), ...pair('M529LK02.AB0', 200)],
    delivered: [{ name: 'M529LK01.AB0', ageSeconds: 300, withReport: false, held: true }],
    expected: { ready: ['M529LK02.AB0'], heldBack: ['M529LK01.AB0'] },
  },
  {
    rule: 'a settling file whose content is already delivered does not wait',
    entries: [file('M529LK01.AB0', 30)],
    delivered: [{ name: 'M529LK01.AB0', ageSeconds: 30, withReport: false }],
    expected: { waiting: [], nextReadyAtMs: null },
  },
];

describe('item 1: the pass plans before it sends (pure)', () => {
  it.each(cases)('$rule', ({ entries, delivered, budget, expected }) => {
    const { record, isHeld } = recordOf(delivered ?? []);
    const plan = planPass({ entries, record, isHeld, config, nowMs: NOW, budget: budget ?? Number.POSITIVE_INFINITY });
    const names = (list: readonly { event: { binary: DirEntry } }[]): string[] => list.map((c) => c.event.binary.name);
    if (expected.ready) expect(names(plan.ready)).toEqual(expected.ready);
    if (expected.overCap) expect(names(plan.overCap)).toEqual(expected.overCap);
    if (expected.lateReport) expect(names(plan.ready.filter((c) => c.lateReport))).toEqual(expected.lateReport);
    if (expected.waiting) expect(plan.waiting.map((w) => [w.filename, w.reason, w.readyAtMs])).toEqual(expected.waiting);
    if (expected.heldBack) expect(plan.heldBack).toEqual(expected.heldBack);
    if (expected.alreadyDelivered !== undefined) expect(plan.alreadyDelivered).toBe(expected.alreadyDelivered);
    if (expected.tooOld !== undefined) expect(plan.tooOld).toBe(expected.tooOld);
    if (expected.nextReadyAtMs !== undefined) expect(plan.nextReadyAtMs).toBe(expected.nextReadyAtMs);
  });
});
