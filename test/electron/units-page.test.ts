// Item 3: the settings window's Units page, computed in the main process from the status (pure,
// in Node): a row per unit with its last call-in in local time, how long ago, its state and file.
import { describe, expect, it } from 'vitest';
import { unitsPage } from '../../electron/main/units-page.js';
import { localDateTime } from '../../src/text/local-time.js';
import { NOW_MS, statusWith, unitsWith } from './status-fixture.js';

const HOUR_MS = 3_600_000;

describe('item 3: the Units page', () => {
  it('a row per unit, missing first: local time, how long ago, state and newest monitor log', () => {
    const units = unitsWith([['BE9529', 2], ['BA3353', 13.5], ['BE10036', 50]]);
    const view = unitsPage(statusWith({ units: { ...units, list: [units.list[2]!, units.list[1]!, units.list[0]!] } }), NOW_MS);
    expect(view.rows).toEqual([
      { unit: 'BE10036', lastCallIn: localDateTime(NOW_MS - 50 * HOUR_MS), ago: '2 days 2 h ago', state: 'missing', file: 'M531LK44.MLG' },
      { unit: 'BA3353', lastCallIn: localDateTime(NOW_MS - 13.5 * HOUR_MS), ago: '13 h 30 min ago', state: 'late', file: 'M530LK44.MLG' },
      { unit: 'BE9529', lastCallIn: localDateTime(NOW_MS - 2 * HOUR_MS), ago: '2 h ago', state: 'ok', file: 'M529LK44.MLG' },
    ]);
    expect(view.rows[0]!.lastCallIn).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);
    expect(view.summary).toBe('3 units: 1 ok, 1 late, 1 missing (late after 12 h, missing after 24 h without a call-in).');
  });

  it('says it is still looking before the agent has looked at the folder', () => {
    expect(unitsPage(statusWith(), NOW_MS)).toEqual({ summary: 'Looking at the monitor logs in the watch folder…', rows: [] });
  });

  it('says in words that no unit was found, and names the logs it could not read', () => {
    const units = { ...unitsWith([]), unreadable: [{ file: 'S353L4H0.MLG', reason: 'monitor log S353L4H0.MLG cannot be read (permission denied); its unit is left out until it can' }] };
    expect(unitsPage(statusWith({ units }), NOW_MS)).toEqual({
      summary:
        'No unit found: no .MLG monitor log in the watch folder names one (BE or BA and 4–5 digits in its first 2 KB). ' +
        'One monitor log could not be read: monitor log S353L4H0.MLG cannot be read (permission denied); its unit is left out until it can.',
      rows: [],
    });
  });

  it('one unit is "1 unit"', () => {
    expect(unitsPage(statusWith({ units: unitsWith([['BE9529', 1]]) }), NOW_MS).summary).toMatch(/^1 unit: 1 ok, 0 late, 0 missing/);
  });
});
