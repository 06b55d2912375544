// The settings page's status line as a pure function of the agent status. The main process
// computes it and sends it to the page, which only shows it: its state comes from the same
// glance rule as the tray's icon (src/agent/status-view.ts), so the window and the tray
// cannot disagree about "failing". No Electron here; tested in Node and in the page.
import type { AgentStatus } from '../../src/agent/status-types.js';
import { formatCount, glanceState, type GlanceState } from '../../src/agent/status-view.js';
import { backlogWords } from '../../src/agent/backlog.js';
import type { StatusLine } from '../shared/settings-api.js';

function headline(state: GlanceState, status: AgentStatus): string {
  switch (state) {
    case 'failing':
      return status.running ? 'Failing' : 'Agent not running';
    case 'off':
      return 'Forwarding off';
    case 'paused':
      return 'Paused';
    case 'ok':
    case 'busy':
      return 'Forwarding';
  }
}

/** The backlog as the tray's menu says it ("19,500 waiting · about 39 min left · next batch 14:05 (500 per minute)"). */
function waitingWords(status: AgentStatus, nowMs: number): string {
  return status.waiting > 0 ? backlogWords(status.backlog, nowMs) : '0 waiting';
}

export function statusLine(status: AgentStatus | null, nowMs: number = Date.now()): StatusLine {
  const state = glanceState(status);
  if (status === null) return { state, text: 'Starting the agent…' };
  const parts = [headline(state, status), `${formatCount(status.deliveredToday)} sent today`, waitingWords(status, nowMs)];
  if (status.heldBack.length > 0) parts.push(`${formatCount(status.heldBack.length)} held back`);
  const why = status.problems[0] ?? (state === 'failing' ? status.lastFailureReason : null);
  return { state, text: why ? `${parts.join(' · ')} — ${why}` : parts.join(' · ') };
}
