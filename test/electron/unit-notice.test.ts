// Item 3: the "unit missing" notification, decided in the main process by a pure function fed
// every status: once per unit per turning missing, never for what was missing when the app first
// looked, one notification for several units at once, none when UNIT_MISSING_NOTIFY is off.
import { describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../src/agent/status-types.js';
import { decideUnitNotice, FIRST_UNIT_WATCH, type UnitNotice, type UnitWatch } from '../../electron/main/unit-notice.js';
import { localDateTime } from '../../src/text/local-time.js';
import { NOW_MS, statusWith, unitsWith } from './status-fixture.js';

const HOUR_MS = 3_600_000;

/** Feeds the statuses in order and collects the notices. */
function feed(statuses: ReadonlyArray<AgentStatus | null>, notify = true, watch: UnitWatch = FIRST_UNIT_WATCH): { notices: UnitNotice[]; watch: UnitWatch } {
  const notices: UnitNotice[] = [];
  for (const status of statuses) {
    const decided = decideUnitNotice(watch, status, notify, NOW_MS);
    watch = decided.watch;
    if (decided.notice) notices.push(decided.notice);
  }
  return { notices, watch };
}

const units = (...list: Array<readonly [string, number]>): AgentStatus => statusWith({ units: unitsWith(list) });
const notLookedYet = statusWith(); // idleStatus: scannedAt null

describe('item 3: a notification when a unit turns missing', () => {
  it('says which unit, since when (local time) and how long ago, and its last monitor log', () => {
    const { notices } = feed([units(['BE9529', 20]), units(['BE9529', 25])]);
    expect(notices).toEqual([{
      kind: 'unit-missing',
      title: 'Series3 Watcher: unit BE9529 is missing',
      body: `BE9529 has not called in since ${localDateTime(NOW_MS - 25 * HOUR_MS)} (25 h ago; missing after 24 h). Last monitor log: M529LK44.MLG.`,
    }]);
  });

  it('once per turning: not again on the next statuses while it stays missing', () => {
    const { notices } = feed([units(['BE9529', 20]), units(['BE9529', 25]), units(['BE9529', 26]), units(['BE9529', 27])]);
    expect(notices).toHaveLength(1);
  });

  it('again when it turns missing a second time after calling in', () => {
    const { notices } = feed([units(['BE9529', 20]), units(['BE9529', 25]), units(['BE9529', 1]), units(['BE9529', 25])]);
    expect(notices).toHaveLength(2);
  });

  it('not for the units already missing when the app first looks (a retired unit, the morning after a restart)', () => {
    const { notices } = feed([null, notLookedYet, units(['BE9529', 300], ['BA1234', 1]), units(['BE9529', 301], ['BA1234', 2])]);
    expect(notices).toEqual([]);
  });

  it('a status from before the first look (a worker restarting) changes nothing', () => {
    const { notices } = feed([units(['BE9529', 20]), notLookedYet, units(['BE9529', 25])]);
    expect(notices).toHaveLength(1);
  });

  it('several units turning missing at once make one notification naming them', () => {
    const { notices } = feed([units(['BE1111', 20], ['BE2222', 23], ['BA3333', 1]), units(['BE1111', 25], ['BE2222', 30], ['BA3333', 2])]);
    expect(notices).toEqual([{ kind: 'unit-missing', title: 'Series3 Watcher: 2 units are missing', body: 'BE1111, BE2222 have not called in for more than 24 h.' }]);
  });

  it('a new unit that is missing from its first look after the app started is announced', () => {
    const { notices } = feed([units(['BE1111', 1]), units(['BE1111', 1], ['BE2222', 30])]);
    expect(notices.map((n) => n.title)).toEqual(['Series3 Watcher: unit BE2222 is missing']);
  });

  it('late is not missing: no notification', () => {
    expect(feed([units(['BE9529', 1]), units(['BE9529', 13])]).notices).toEqual([]);
  });

  it('UNIT_MISSING_NOTIFY off: no notification, and turning it on later does not announce what went missing meanwhile', () => {
    const off = feed([units(['BE9529', 20]), units(['BE9529', 25])], false);
    expect(off.notices).toEqual([]);
    expect(feed([units(['BE9529', 26])], true, off.watch).notices).toEqual([]);
  });
});
