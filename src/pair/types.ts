// The pure pairing step's vocabulary: which binaries are ready to send, which wait and why.
import type { DirEntry } from '../scan/types.js';

export interface ReadyEvent {
  readonly binary: DirEntry;
  /** The quiescent `<binary>.TXT` report, or null when the grace ran out without one. */
  readonly report: DirEntry | null;
}

export type WaitReason =
  /** the binary was modified less than the quiescence ago */
  | 'binary-not-quiet'
  /** no report yet, binary younger than the grace */
  | 'awaiting-report'
  /** the report exists but is still being written, binary younger than the grace */
  | 'report-not-quiet';

export interface WaitingEvent {
  readonly binary: DirEntry;
  readonly report: DirEntry | null;
  readonly reason: WaitReason;
  /** Epoch ms at which this event becomes ready if nothing changes (for scheduling a pass). */
  readonly readyAtMs: number;
}

export interface PairOptions {
  readonly nowMs: number;
  readonly quiescenceMs: number;
  readonly graceMs: number;
  readonly maxAgeMs: number;
}

export interface PairResult {
  /** Ascending binary mtime (ties: name), oldest first. */
  readonly ready: readonly ReadyEvent[];
  readonly waiting: readonly WaitingEvent[];
  /** Event binaries older than the max age: never sent. */
  readonly tooOld: readonly DirEntry[];
}
