// The tray's held-back lines as a pure function of the status: one line, "3 held back — Show…"
// (or "… (1 dismissed) — Show…"), that opens the settings window at its Held back page where
// each event has Retry and Dismiss; and "Retry held-back events (N)" for the ones no person has
// dismissed. The words come from heldBackWords, as in the settings window and `status`.
import type { AgentStatus } from '../../src/agent/status-types.js';
import { formatCount, heldBackWords, unacknowledged } from '../../src/agent/status-view.js';

/** The actions these lines carry; tray-view.ts adds them to its TrayAction. */
export type HeldBackAction = 'show-held-back' | 'retry-held-back';

export interface HeldBackMenuItem {
  readonly kind: 'action';
  readonly action: HeldBackAction;
  readonly label: string;
  readonly enabled: boolean;
}

/** The line that opens the Held back page, or null when nothing is held back. */
export function heldBackShowItem(status: AgentStatus | null): HeldBackMenuItem | null {
  const words = status === null ? null : heldBackWords(status);
  return words === null ? null : { kind: 'action', action: 'show-held-back', label: `${words} — Show…`, enabled: true };
}

/** Retry for the events no person has dismissed, or null when there are none. */
export function heldBackRetryItem(status: AgentStatus | null): HeldBackMenuItem | null {
  const count = status === null ? 0 : unacknowledged(status).length;
  if (status === null || count === 0) return null;
  return { kind: 'action', action: 'retry-held-back', label: `Retry held-back events (${formatCount(count)})`, enabled: status.running };
}
