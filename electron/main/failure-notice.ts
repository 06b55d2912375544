// Decides when the desktop notifications fire: once when forwarding has been failing for
// FAILING_NOTICE_AFTER_MS (15 min), once when it recovers after that. Pure: main.ts feeds
// it every status and shows what it returns, so the rule is tested without Electron.
import type { AgentStatus } from '../../src/agent/status-types.js';
import { unacknowledged } from '../../src/agent/status-view.js';
import { formatCount, trayState } from './tray-view.js';

export const FAILING_NOTICE_AFTER_MS = 15 * 60_000;

export interface FailureWatch {
  /** When the current failing stretch began (ms since epoch), or null while all is well. */
  readonly failingSinceMs: number | null;
  /** The "failing" notification for this stretch has been shown. */
  readonly announced: boolean;
}

export const QUIET_WATCH: FailureWatch = { failingSinceMs: null, announced: false };

export interface Notice {
  readonly kind: 'failing' | 'recovered';
  readonly title: string;
  readonly body: string;
}

function minutes(ms: number): string {
  const m = Math.max(1, Math.round(ms / 60_000));
  return m < 120 ? `${m} min` : `${Math.round(m / 60)} h`;
}

function reason(status: AgentStatus): string {
  if (!status.running) return 'The forwarding agent is not running.';
  if (status.lastFailureReason !== null && (status.failingSince !== null || status.serverReachable === false)) return status.lastFailureReason;
  const held = unacknowledged(status);
  if (held.length > 0) return `${formatCount(held.length)} events held back: ${held[0]?.reason ?? ''}`;
  return status.problems[0] ?? 'See the log for details.';
}

/**
 * Feed every status. Paused and "forwarding off" leave the watch as it is: a person chose
 * them, so they neither start, end nor announce a failing stretch.
 */
export function decideNotice(
  watch: FailureWatch,
  status: AgentStatus | null,
  nowMs: number,
  afterMs: number = FAILING_NOTICE_AFTER_MS,
): { readonly watch: FailureWatch; readonly notice: Notice | null } {
  if (status === null) return { watch, notice: null };
  const state = trayState(status);
  if (state === 'off' || state === 'paused') return { watch, notice: null };

  if (state === 'failing') {
    const reported = status.failingSince === null ? Number.NaN : Date.parse(status.failingSince);
    const sinceMs = watch.failingSinceMs ?? (Number.isNaN(reported) ? nowMs : Math.min(reported, nowMs));
    const next: FailureWatch = { failingSinceMs: sinceMs, announced: watch.announced };
    if (!watch.announced && nowMs - sinceMs >= afterMs) {
      return {
        watch: { failingSinceMs: sinceMs, announced: true },
        notice: {
          kind: 'failing',
          title: `Series3 Watcher: forwarding failing for ${minutes(nowMs - sinceMs)}`,
          body: `${reason(status)}${status.waiting > 0 ? ` · ${formatCount(status.waiting)} events waiting` : ''}`,
        },
      };
    }
    return { watch: next, notice: null };
  }

  // ok or busy: the failing stretch (if any) is over.
  if (watch.announced && watch.failingSinceMs !== null) {
    return {
      watch: QUIET_WATCH,
      notice: {
        kind: 'recovered',
        title: 'Series3 Watcher: forwarding recovered',
        body: `Events are being delivered again after ${minutes(nowMs - watch.failingSinceMs)} of failures.`,
      },
    };
  }
  return { watch: QUIET_WATCH, notice: null };
}
