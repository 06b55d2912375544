// The settings window's Units page as a pure function of the agent status: one row per unit
// named in the watch folder's .MLG monitor logs, missing first, then late, then ok, with its last
// call-in in local time, how long ago, its state and its newest log. No Electron here.
import type { AgentStatus } from '../../src/agent/status-types.js';
import { formatCount } from '../../src/agent/status-view.js';
import { localDateTime } from '../../src/text/local-time.js';
import { callInAgo } from '../../src/units/index.js';
import type { PageView, UnitRow } from '../shared/page-views.js';

export function unitsPage(status: AgentStatus | null, nowMs: number): PageView<UnitRow> {
  if (status === null) return { summary: 'Waiting for the agent…', rows: [] };
  const units = status.units;
  if (units.scannedAt === null) return { summary: 'Looking at the monitor logs in the watch folder…', rows: [] };
  const rows = units.list.map((u) => ({
    unit: u.unit,
    lastCallIn: localDateTime(u.lastCallIn),
    ago: callInAgo(u.lastCallIn, nowMs),
    state: u.state,
    file: u.file,
  }));
  const unreadable =
    units.unreadable.length === 0
      ? ''
      : ` ${units.unreadable.length === 1 ? 'One monitor log' : `${formatCount(units.unreadable.length)} monitor logs`} could not be read: ${units.unreadable.map((u) => u.reason).join('; ')}.`;
  if (rows.length === 0) {
    return { summary: `No unit found: no .MLG monitor log in the watch folder names one (BE or BA and 4–5 digits in its first 2 KB).${unreadable}`, rows };
  }
  const { ok, late, missing } = units.counts;
  const summary =
    `${formatCount(rows.length)} ${rows.length === 1 ? 'unit' : 'units'}: ${formatCount(ok)} ok, ${formatCount(late)} late, ${formatCount(missing)} missing ` +
    `(late after ${units.lateHours} h, missing after ${units.missingHours} h without a call-in).${unreadable}`;
  return { summary, rows };
}
