// The settings page's status line as a pure function of the agent status. The main process
// computes it and sends it to the page, which only shows it: its state comes from the same
// glance rule as the tray's icon (src/agent/status-view.ts), so the window and the tray
// cannot disagree about "failing". No Electron here; tested in Node and in the page.
import type { AgentStatus } from '../../src/agent/status-types.js';
import { formatCount, glanceState, heldBackWords, type GlanceState } from '../../src/agent/status-view.js';
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

export function statusLine(status: AgentStatus | null): StatusLine {
  const state = glanceState(status);
  if (status === null) return { state, text: 'Starting the agent…' };
  const parts = [headline(state, status), `${formatCount(status.deliveredToday)} sent today`, `${formatCount(status.waiting)} waiting`];
  const held = heldBackWords(status);
  if (held !== null) parts.push(held);
  const why = status.problems[0] ?? (state === 'failing' ? status.lastFailureReason : null);
  return { state, text: why ? `${parts.join(' · ')} — ${why}` : parts.join(' · ') };
}
