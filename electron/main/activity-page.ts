// The settings window's Activity page as a pure function of the agent status. No Electron here.
// The agent does not report its recent deliveries yet (issue 10, item 4 adds them to the
// status); until then the page says so instead of showing an empty list as if nothing was sent.
import type { AgentStatus } from '../../src/agent/status-types.js';
import type { ActivityRow, PageView } from '../shared/page-views.js';

export function activityPage(status: AgentStatus | null, _nowMs: number): PageView<ActivityRow> {
  if (status === null) return { summary: 'Waiting for the agent…', rows: [] };
  return { summary: 'This version of the agent does not list its recent deliveries yet.', rows: [] };
}
