// The tray as a pure function of the agent status: which icon, which one-line tooltip,
// which menu. No Electron here; tray.ts only renders what trayView returns, so every
// state is unit-tested in Node (test/electron/tray-view.test.ts).
// Which state (and whether it is failing) is decided once, in src/agent/status-view.ts,
// which the settings page's status line uses too.
import type { AgentStatus } from '../../src/agent/status-types.js';
import { formatCount, glanceState, unacknowledged, type GlanceState } from '../../src/agent/status-view.js';
import { heldBackRetryItem, heldBackShowItem } from './tray-held-back.js';
import { backlogWords } from '../../src/agent/backlog.js';
import { formatAgo } from './tray-format.js';
import { aboutLine, tooltipFor, TOOLTIP_MAX_CHARS } from './tray-tooltip.js';
import { unitsSummaryLine } from '../../src/units/index.js';

export { formatAgo, formatCount, TOOLTIP_MAX_CHARS };

/** The five states a technician tells apart at a glance (each has its own icon shape). */
export type TrayState = GlanceState;

/** Menu actions the Electron side wires to the agent, the window or the shell. */
export type TrayAction =
  | 'forward-now'
  | 'pause'
  | 'resume'
  | 'retry-held-back'
  | 'settings'
  /** The settings window, at one of its other pages. */
  | 'show-held-back'
  | 'show-units'
  | 'show-activity'
  | 'open-log'
  | 'open-folder'
  | 'quit';

export type TrayMenuItem =
  | { readonly kind: 'status'; readonly label: string }
  | { readonly kind: 'separator' }
  | { readonly kind: 'action'; readonly action: TrayAction; readonly label: string; readonly enabled: boolean };

export interface TrayView {
  readonly state: TrayState;
  /** Base name of the icon files in assets/: `<icon>.ico`, `<icon>-16.png`, `<icon>-32.png`. */
  readonly icon: `tray-${TrayState}`;
  readonly tooltip: string;
  readonly menu: readonly TrayMenuItem[];
}

/** Status lines longer than this are shortened so the menu stays narrow. */
export const STATUS_LINE_MAX_CHARS = 90;

/** "for 17 min", "for 2 h": how long something has lasted. */
function formatFor(isoTime: string, nowMs: number): string {
  const ago = formatAgo(isoTime, nowMs);
  return ago === 'just now' ? 'for under a minute' : `for ${ago.replace(/ ago$/, '')}`;
}

function shorten(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

/** The state the icon shows: the one glance rule every view shares. */
export function trayState(status: AgentStatus | null): TrayState {
  return glanceState(status);
}

function statusLines(state: TrayState, status: AgentStatus | null, nowMs: number): string[] {
  if (status === null) return ['Starting the forwarding agent…'];
  const lines: string[] = [];
  if (!status.running) lines.push('The forwarding agent is not running.');
  else if (!status.forwardEnabled) lines.push('Forwarding is off: turn it on in Settings…');
  else if (status.paused) lines.push(`Paused: nothing is sent until you resume`);
  else lines.push(`Forwarding to ${status.serverUrl || '(no server set)'}`);

  lines.push(`${formatCount(status.deliveredToday)} sent today · ${formatCount(status.deliveredTotal)} in total`);
  lines.push(status.waiting > 0 ? backlogWords(status.backlog, nowMs) : 'Nothing waiting');
  lines.push(`Last OK ${formatAgo(status.lastSuccessAt, nowMs)}`);

  const reasons: string[] = [];
  let nextTry: string | null = null;
  if (status.failingSince !== null) {
    reasons.push(`Failing ${formatFor(status.failingSince, nowMs)}: ${status.lastFailureReason ?? 'no reason given'}`);
  } else if (status.serverReachable === false && status.lastFailureReason !== null) {
    reasons.push(`Server unreachable: ${status.lastFailureReason}`);
  }
  if (status.backoffUntil !== null && Date.parse(status.backoffUntil) > nowMs) {
    const seconds = Math.ceil((Date.parse(status.backoffUntil) - nowMs) / 1000);
    nextTry = `Next try in ${seconds < 120 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`}`;
  }
  reasons.push(...status.problems);
  // Held-back events have their own line ("N held back — Show…", tray-held-back.ts).
  const heldBackTells = unacknowledged(status).length > 0;
  if (state === 'failing' && reasons.length === 0 && !heldBackTells && status.running) reasons.push('Uploads are failing: see Open log');
  lines.push(...reasons);
  if (nextTry !== null) lines.push(nextTry);
  return lines.map((line) => shorten(line, STATUS_LINE_MAX_CHARS));
}

export function trayView(status: AgentStatus | null, nowMs: number): TrayView {
  const state = trayState(status);
  const canSend = status !== null && status.running && status.forwardEnabled;
  const menu: TrayMenuItem[] = statusLines(state, status, nowMs).map((label) => ({ kind: 'status', label }));
  const showHeldBack = heldBackShowItem(status);
  if (showHeldBack !== null) menu.push({ ...showHeldBack, label: shorten(showHeldBack.label, STATUS_LINE_MAX_CHARS) });
  // "Units: 14 ok · 2 late · 1 missing", only when there are units: opens the Units page.
  const units = status === null ? null : unitsSummaryLine(status.units);
  if (units !== null) menu.push({ kind: 'action', action: 'show-units', label: units, enabled: true });
  menu.push({ kind: 'separator' });
  menu.push({ kind: 'action', action: 'forward-now', label: 'Forward now', enabled: canSend && !status.paused });
  menu.push(
    status?.paused
      ? { kind: 'action', action: 'resume', label: 'Resume', enabled: canSend }
      : { kind: 'action', action: 'pause', label: 'Pause', enabled: canSend },
  );
  const retryHeldBack = heldBackRetryItem(status);
  if (retryHeldBack !== null) menu.push(retryHeldBack);
  menu.push({ kind: 'separator' });
  menu.push({ kind: 'action', action: 'settings', label: 'Settings…', enabled: true });
  menu.push({ kind: 'action', action: 'show-activity', label: 'Recent activity…', enabled: true });
  menu.push({ kind: 'action', action: 'open-log', label: 'Open log', enabled: true });
  menu.push({ kind: 'action', action: 'open-folder', label: 'Open watch folder', enabled: status !== null && status.watchFolder !== '' });
  menu.push({ kind: 'separator' });
  menu.push({ kind: 'status', label: aboutLine() });
  menu.push({ kind: 'action', action: 'quit', label: 'Quit', enabled: true });
  return { state, icon: `tray-${state}`, tooltip: tooltipFor(state, status, nowMs), menu };
}
