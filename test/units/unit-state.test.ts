// Item 3: a unit's state from its last call-in, and the units part of the status.
import { describe, expect, it } from 'vitest';
import { callInAgo, unitState, unitsStatus, unitsSummaryLine } from '../../src/units/index.js';

const NOW_MS = Date.parse('2026-11-23T14:00:00.000Z');
const HOUR = 3_600_000;
const t = { lateHours: 12, missingHours: 24 };

describe('item 3: ok, late (older than UNIT_LATE_HOURS), missing (older than UNIT_MISSING_HOURS)', () => {
  it.each([
    ['just called in', 0, 'ok'],
    ['exactly 12 h ago', 12 * HOUR, 'ok'],
    ['12 h and a second ago', 12 * HOUR + 1000, 'late'],
    ['exactly 24 h ago', 24 * HOUR, 'late'],
    ['24 h and a second ago', 24 * HOUR + 1000, 'missing'],
    ['a month ago', 720 * HOUR, 'missing'],
    ['in the future (a clock set wrong)', -5 * HOUR, 'ok'],
  ] as const)('%s: %s', (_what, ageMs, expected) => {
    expect(unitState(NOW_MS - ageMs, NOW_MS, t)).toBe(expected);
  });

  it('follows the thresholds it is given', () => {
    expect(unitState(NOW_MS - 2 * HOUR, NOW_MS, { lateHours: 1, missingHours: 3 })).toBe('late');
    expect(unitState(NOW_MS - 4 * HOUR, NOW_MS, { lateHours: 1, missingHours: 3 })).toBe('missing');
  });
});

describe('item 3: the units status', () => {
  const scan = {
    callIns: [
      { unit: 'BA1234', lastCallInMs: NOW_MS - 30 * HOUR, file: 'P036L318.MLG' },
      { unit: 'BE11111', lastCallInMs: NOW_MS - 1 * HOUR, file: 'M529LK44.MLG' },
      { unit: 'BE22222', lastCallInMs: NOW_MS - 13 * HOUR, file: 'S353L4H0.MLG' },
      { unit: 'BE33333', lastCallInMs: NOW_MS - 2 * HOUR, file: 'M533LK50.MLG' },
    ],
    unreadable: [{ file: 'X.MLG', reason: 'monitor log X.MLG cannot be read (permission denied)' }],
    scannedAtMs: NOW_MS - 1000,
  };

  it('lists each unit with its ISO call-in, its state and its file, missing first, then late, then ok', () => {
    const units = unitsStatus(scan, NOW_MS, t);
    expect(units.list).toEqual([
      { unit: 'BA1234', lastCallIn: new Date(NOW_MS - 30 * HOUR).toISOString(), state: 'missing', file: 'P036L318.MLG' },
      { unit: 'BE22222', lastCallIn: new Date(NOW_MS - 13 * HOUR).toISOString(), state: 'late', file: 'S353L4H0.MLG' },
      { unit: 'BE11111', lastCallIn: new Date(NOW_MS - 1 * HOUR).toISOString(), state: 'ok', file: 'M529LK44.MLG' },
      { unit: 'BE33333', lastCallIn: new Date(NOW_MS - 2 * HOUR).toISOString(), state: 'ok', file: 'M533LK50.MLG' },
    ]);
    expect(units).toMatchObject({ counts: { ok: 2, late: 1, missing: 1 }, lateHours: 12, missingHours: 24, unreadable: scan.unreadable });
    expect(units.scannedAt).toBe(new Date(NOW_MS - 1000).toISOString());
  });

  it('shows the same scan later with the units that have turned late or missing since', () => {
    expect(unitsStatus(scan, NOW_MS + 12 * HOUR, t).counts).toEqual({ ok: 0, late: 2, missing: 2 });
  });

  it('says "not looked yet" as a null scannedAt', () => {
    expect(unitsStatus({ callIns: [], unreadable: [], scannedAtMs: null }, NOW_MS, t).scannedAt).toBeNull();
  });
});

describe('item 3: the words', () => {
  it('the menu line leaves out the counts that are 0, and is null with no units', () => {
    const units = unitsStatus({ callIns: [], unreadable: [], scannedAtMs: NOW_MS }, NOW_MS, t);
    expect(unitsSummaryLine(units)).toBeNull();
    const line = (ok: number, late: number, missing: number): string | null =>
      unitsSummaryLine({ list: [{ unit: 'BE1234', lastCallIn: '', state: 'ok', file: '' }], counts: { ok, late, missing } });
    expect(line(14, 2, 1)).toBe('Units: 14 ok · 2 late · 1 missing');
    expect(line(3, 0, 1)).toBe('Units: 3 ok · 1 missing');
    expect(line(0, 0, 2)).toBe('Units: 2 missing');
  });

  it.each([
    [0, 'just now'],
    [59_000, 'just now'],
    [45 * 60_000, '45 min ago'],
    [3 * HOUR, '3 h ago'],
    [3 * HOUR + 12 * 60_000, '3 h 12 min ago'],
    [47 * HOUR + 59 * 60_000, '47 h 59 min ago'],
    [48 * HOUR, '2 days ago'],
    [100 * HOUR, '4 days 4 h ago'],
  ])('%i ms: %s', (ageMs, expected) => {
    expect(callInAgo(new Date(NOW_MS - ageMs).toISOString(), NOW_MS)).toBe(expected);
  });

  it('an unreadable time is "unknown"', () => {
    expect(callInAgo('not a time', NOW_MS)).toBe('unknown');
  });
});
