// The settings window's Units page as a pure function of the agent status. No Electron here.
// The agent does not report units yet (issue 10, item 3 adds them to the status); until then
// the page says so instead of showing an empty table as if all were well.
import type { AgentStatus } from '../../src/agent/status-types.js';
import type { PageView, UnitRow } from '../shared/page-views.js';

export function unitsPage(status: AgentStatus | null, _nowMs: number): PageView<UnitRow> {
  if (status === null) return { summary: 'Waiting for the agent…', rows: [] };
  return { summary: 'This version of the agent does not follow units yet.', rows: [] };
}
