// The settings window's Activity page as a pure function of the agent status: one row per event
// the server confirmed most recently (status.recent, at most 50, each event once), newest first,
// in local time, with what went with it in the words `series3-watcher recent` uses. No Electron here.
import type { AgentStatus } from '../../src/agent/status-types.js';
import { reportWords } from '../../src/agent/recent-view.js';
import { formatCount } from '../../src/agent/status-view.js';
import { localClockOrDate } from '../../src/text/local-time.js';
import type { ActivityRow, PageView } from '../shared/page-views.js';

export function activityPage(status: AgentStatus | null, nowMs: number): PageView<ActivityRow> {
  if (status === null) return { summary: 'Waiting for the agent…', rows: [] };
  const rows = status.recent.map((delivery) => ({
    at: localClockOrDate(delivery.deliveredAt, nowMs, true),
    filename: delivery.filename,
    report: reportWords(delivery),
  }));
  return { summary: activitySummary(status, rows.length), rows };
}

function activitySummary(status: AgentStatus, shown: number): string {
  if (shown === 0) {
    return status.forwardEnabled
      ? 'Nothing sent yet: each event the server confirms shows here, newest first.'
      : 'Nothing sent yet: forwarding is off, so nothing is sent until it is turned on in Settings.';
  }
  const last = shown === 1 ? 'The last event' : `The last ${formatCount(shown)} events`;
  return `${last} the server confirmed, newest first, in local time; ${formatCount(status.deliveredToday)} sent today.`;
}
