// The settings window's Held back page as a pure function of the agent status: one row per
// event the server refused for good (file, reason, since in local time, refusals, dismissed),
// the ones still waiting for a person first, newest first within each. The words for the count
// are the tray's and `status`'s (heldBackWords). No Electron here.
import type { AgentStatus } from '../../src/agent/status-types.js';
import { heldBackWords, unacknowledged } from '../../src/agent/status-view.js';
import { localClockOrDate } from '../../src/text/local-time.js';
import type { HeldBackRow, PageView } from '../shared/page-views.js';

export function heldBackPage(status: AgentStatus | null, nowMs: number): PageView<HeldBackRow> {
  if (status === null) return { summary: 'Waiting for the agent…', rows: [] };
  const rows = [...status.heldBack]
    .sort((a, b) => Number(a.dismissed) - Number(b.dismissed) || Date.parse(b.since) - Date.parse(a.since))
    .map((event) => ({
      filename: event.filename,
      reason: event.reason,
      since: localClockOrDate(event.since, nowMs),
      refusals: event.refusals,
      dismissed: event.dismissed,
      state: event.dismissed ? 'Dismissed' : 'Waiting for you',
    }));
  return { summary: summary(status), rows };
}

function summary(status: AgentStatus): string {
  const words = heldBackWords(status);
  if (words === null) return 'Nothing is held back: the server has taken every event it was sent.';
  const waiting = unacknowledged(status).length;
  const these = status.heldBack.length === 1 ? 'this event' : 'these events';
  const ask =
    waiting === 0
      ? `You dismissed ${status.heldBack.length === 1 ? 'it: it stays' : 'them: they stay'} out of the queue and ${status.heldBack.length === 1 ? 'does' : 'do'} not make the tray show failing. Retry sends one again.`
      : 'Retry sends one again in the next pass; Dismiss keeps it out of the queue and stops it making the tray show failing.';
  return `${words}: the server refused ${these} for good. ${ask}`;
}
