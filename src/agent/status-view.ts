// The one status: the pure function from what the agent knows to the AgentStatus that
// `status`, `once`, the tray and the settings window show, and the one rule for what a
// glance at it says (off, all delivered, busy, paused, failing). Every builder of a status
// (the agent, `once`, `status` with no agent running, the tray's stand-in for a crashed
// worker) goes through statusFrom; every view (tray, settings page, notification) asks
// glanceState / isFailing, so no two places can disagree about "failing".
import type { AgentStatus, HeldBackEvent } from './status-types.js';

/** What the agent knows, in the units it keeps them (times in ms); statusFrom turns it into the shown status. */
export interface StatusFacts extends Omit<AgentStatus, 'version' | 'updatedAt' | 'backoffUntil'> {
  /** When these facts were true. */
  readonly updatedAtMs: number;
  /** When the server back-off ends, or null; a time not after updatedAtMs is shown as no back-off. */
  readonly backoffUntilMs: number | null;
}

export function statusFrom(facts: StatusFacts): AgentStatus {
  const { updatedAtMs, backoffUntilMs, ...rest } = facts;
  return {
    ...rest,
    version: 1,
    updatedAt: new Date(updatedAtMs).toISOString(),
    backoffUntil: backoffUntilMs !== null && backoffUntilMs > updatedAtMs ? new Date(backoffUntilMs).toISOString() : null,
    heldBack: [...facts.heldBack],
    backlog: { ...facts.backlog },
    problems: [...facts.problems],
    recent: [...facts.recent],
  };
}

/** The facts behind a status read back (status.json, the worker's last message), to build an updated one. */
export function factsOf(status: AgentStatus): StatusFacts {
  const { version: _version, updatedAt, backoffUntil, ...rest } = status;
  return { ...rest, updatedAtMs: Date.parse(updatedAt), backoffUntilMs: backoffUntil === null ? null : Date.parse(backoffUntil) };
}

/** The five states a technician tells apart at a glance (the tray has an icon for each). */
export type GlanceState = 'off' | 'ok' | 'busy' | 'paused' | 'failing';

/** The held-back events no person has dismissed yet: the ones that make the agent failing. */
export function unacknowledged(status: Pick<AgentStatus, 'heldBack'>): readonly HeldBackEvent[] {
  return status.heldBack.filter((h) => !h.dismissed);
}

/**
 * The one rule for "failing" while the agent runs: the server does not answer, uploads keep
 * failing, events are held back (and not dismissed by a person), or a lasting problem (watch
 * folder, record, bad config value).
 */
export function isFailing(status: AgentStatus): boolean {
  return status.serverReachable === false || status.failingSince !== null || unacknowledged(status).length > 0 || status.problems.length > 0;
}

/** The state a glance shows. An agent that stopped unasked is failing; then "off" and "paused", which a person chose, win over failing. */
export function glanceState(status: AgentStatus | null): GlanceState {
  if (status === null) return 'busy'; // the agent is starting: "working", not "all delivered"
  if (!status.running) return 'failing';
  if (!status.forwardEnabled) return 'off';
  if (status.paused) return 'paused';
  if (isFailing(status)) return 'failing';
  if (status.waiting > 0) return 'busy';
  return 'ok';
}

/** 1204 -> "1,204", independent of the machine's locale so every view and test agree. */
export function formatCount(n: number): string {
  return Math.trunc(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Why the state is "failing", as short as a tooltip or a heading needs. */
export function failingHeadline(status: AgentStatus): string {
  if (!status.running) return 'Stopped';
  if (status.serverReachable === false) return 'Server unreachable';
  if (status.failingSince !== null) return 'Uploads failing';
  if (unacknowledged(status).length > 0) return heldBackWords(status) ?? 'Held back';
  return 'Problem';
}

/**
 * The held-back events in words, the same in the tray, the settings window and `status`:
 * "3 held back", "3 held back (1 dismissed)", "1 held back (dismissed)"; null when there are none.
 */
export function heldBackWords(status: Pick<AgentStatus, 'heldBack'>): string | null {
  const total = status.heldBack.length;
  if (total === 0) return null;
  const dismissed = total - unacknowledged(status).length;
  const note = dismissed === 0 ? '' : dismissed === total ? (total === 1 ? ' (dismissed)' : ' (all dismissed)') : ` (${formatCount(dismissed)} dismissed)`;
  return `${formatCount(total)} held back${note}`;
}
