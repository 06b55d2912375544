// The settings window's Held back page as a pure function of the agent status: one row per
// event the server refused for good, most recent first, times in local time. No Electron here.
import type { AgentStatus } from '../../src/agent/status-types.js';
import { formatCount } from '../../src/agent/status-view.js';
import { localClockOrDate } from '../../src/text/local-time.js';
import type { HeldBackRow, PageView } from '../shared/page-views.js';

export function heldBackPage(status: AgentStatus | null, nowMs: number): PageView<HeldBackRow> {
  if (status === null) return { summary: 'Waiting for the agent…', rows: [] };
  const rows = [...status.heldBack]
    .sort((a, b) => Date.parse(b.since) - Date.parse(a.since))
    .map((event) => ({
      filename: event.filename,
      reason: event.reason,
      since: localClockOrDate(event.since, nowMs),
      refusals: event.attempts,
      dismissed: false,
    }));
  const summary =
    rows.length === 0
      ? 'Nothing is held back: the server has taken every event it was sent.'
      : `${formatCount(rows.length)} held back: the server refused ${rows.length === 1 ? 'this event' : 'these events'} for good, so ${rows.length === 1 ? 'it waits' : 'they wait'} for you.`;
  return { summary, rows };
}
