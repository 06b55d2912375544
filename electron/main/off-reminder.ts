// Forwarding off is never silent: while SFM_FORWARD_ENABLED is false and events wait, the tray
// app shows a notification when it starts (the first status that says so) and again once a day
// for as long as it lasts. Pure and driven by the clock it is given: main.ts feeds it every status
// and every tray refresh, and shows what it returns; tested in Node (test/electron/off-reminder.test.ts).
import type { AgentStatus } from '../../src/agent/status-types.js';
import { formatCount } from '../../src/agent/status-view.js';
import { PRODUCT_NAME } from '../../src/text/version.js';

/** A reminder again after this long, while forwarding is still off and events still wait. */
export const OFF_REMINDER_EVERY_MS = 24 * 60 * 60_000;

export interface OffReminderWatch {
  /** When the last reminder was shown (ms since epoch), or null: none since the app started. */
  readonly lastShownMs: number | null;
}

export const NO_REMINDER_YET: OffReminderWatch = { lastShownMs: null };

export interface OffReminder {
  readonly kind: 'forwarding-off';
  readonly title: string;
  readonly body: string;
}

/** Forwarding is off by choice of the settings, the agent runs, and events wait unsent. */
export function forwardingOffWithWaiting(status: AgentStatus | null): status is AgentStatus {
  return status !== null && status.running && !status.forwardEnabled && status.waiting > 0;
}

export function offReminderText(waiting: number): { readonly title: string; readonly body: string } {
  const events = waiting === 1 ? '1 event is' : `${formatCount(waiting)} events are`;
  return {
    title: `${PRODUCT_NAME}: forwarding is off`,
    body: `${events} waiting and nothing is sent to the server. Open Settings and tick "Forward events to the server" to send them.`,
  };
}

/** Feed every status and every refresh; returns the watch to keep and the reminder to show, if any. */
export function decideOffReminder(
  watch: OffReminderWatch,
  status: AgentStatus | null,
  nowMs: number,
  everyMs: number = OFF_REMINDER_EVERY_MS,
): { readonly watch: OffReminderWatch; readonly notice: OffReminder | null } {
  if (!forwardingOffWithWaiting(status)) return { watch, notice: null };
  if (watch.lastShownMs !== null && nowMs - watch.lastShownMs < everyMs) return { watch, notice: null };
  return { watch: { lastShownMs: nowMs }, notice: { kind: 'forwarding-off', ...offReminderText(status.waiting) } };
}
