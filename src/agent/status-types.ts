// The agent's status: plain data a UI (tray, `series3-watcher status`) can show.
// The running agent keeps it current in `<STATE_DIR>/status.json`.
import type { UnitsStatus } from '../units/types.js';

export type { UnitCallIn, UnitState, UnitsStatus } from '../units/types.js';
import type { RecentDelivery } from '../record/types.js';

export type { RecentDelivery };

export interface HeldBackEvent {
  readonly sha256: string;
  readonly filename: string;
  /** The last permanent failure, as a person can read it. */
  readonly reason: string;
  /** How many times the server refused it. */
  readonly refusals: number;
  /** ISO UTC of the failure that held it back. */
  readonly since: string;
  /** A person acknowledged it: still held back (never sent) and listed, but not failing. */
  readonly dismissed: boolean;
}

export interface PassSummary {
  readonly startedAt: string;
  readonly seconds: number;
  readonly forwarded: number;
  readonly withReport: number;
  readonly errors: number;
  /** Ready events left for later passes (cap, back-off, early stop). */
  readonly pending: number;
  readonly heldBack: number;
  /** True when the pass stopped early because the server was unreachable. */
  readonly stoppedEarly: boolean;
}

/** Backlog progress (src/agent/backlog.ts computes it and words it). */
export interface Backlog {
  /** Events not delivered yet (the status's `waiting`). */
  readonly waiting: number;
  /** How fast the backlog goes down: deliveries per minute measured over the last minutes, never more than the cap lets out; 0 while nothing goes out. */
  readonly ratePerMinute: number;
  /** Seconds until all that waits is delivered at that rate; null when nothing waits or the rate is not known. */
  readonly etaSeconds: number | null;
  /** ISO UTC of the next batch (the next pass that may send); null when nothing waits or nothing is scheduled (off, paused, not running). */
  readonly nextBatchAt: string | null;
  /** The per-pass cap (SFM_MAX_FORWARDS_PER_PASS) is used up for this interval while ready events wait. */
  readonly capReached: boolean;
}

export interface AgentStatus {
  readonly version: 1;
  /** The agent's own version (package.json), e.g. "0.1.0". */
  readonly agentVersion: string;
  /** ISO UTC of the last change of this object. */
  readonly updatedAt: string;
  readonly pid: number;
  readonly running: boolean;
  readonly forwardEnabled: boolean;
  readonly paused: boolean;
  readonly passInProgress: boolean;
  readonly watchFolder: string;
  /** SFM_URL, never with credentials or the token. */
  readonly serverUrl: string;
  /** null until the first request tells. */
  readonly serverReachable: boolean | null;
  readonly deliveredTotal: number;
  /** Delivered since local midnight. */
  readonly deliveredToday: number;
  /** In-window events not delivered yet (ready or still settling), not counting held-back ones. */
  readonly waiting: number;
  readonly heldBack: readonly HeldBackEvent[];
  readonly backlog: Backlog;
  readonly lastSuccessAt: string | null;
  readonly lastFailureAt: string | null;
  readonly lastFailureReason: string | null;
  /** ISO UTC until which the server back-off holds uploads, or null. */
  readonly backoffUntil: string | null;
  /** ISO UTC since when uploads have been failing without a success in between, or null. A refusal
   * of one event does not count: that event is retried, then held back (heldBack) for a person. */
  readonly failingSince: string | null;
  readonly lastPass: PassSummary | null;
  /** The watch folder or state cannot be read, a bad config value kept the last good one, ... */
  readonly problems: readonly string[];
  /** The units calling in, from the .MLG monitor logs (looked at on every pass, forwarding on or off). */
  readonly units: UnitsStatus;
  /** The events delivered most recently (at most 50, each once), newest first: the Activity page. */
  readonly recent: readonly RecentDelivery[];
}
