// The pass's plan, decided before anything is read or sent: from the folder listing, the record's
// facts, the held-back set, the config and the time, which events go now (oldest first, within the
// cap), which wait and why (with the time they become ready), which are too old, which are done.
// Pure: no file is opened, nothing is sent; `once --dry-run` prints this plan.
import type { Config } from '../config/types.js';
import type { DeliveryFacts, FileIdentity } from '../record/index.js';
import { pairEvents } from '../pair/index.js';
import type { ReadyEvent, WaitReason } from '../pair/types.js';
import type { DirEntry } from '../scan/types.js';

/** What the planner needs to know of the record: answers from memory only (no file content). */
export interface RecordFacts {
  knownHash(file: FileIdentity): string | undefined;
  has(sha256: string): boolean;
  deliveryOf(sha256: string): Pick<DeliveryFacts, 'withReport' | 'source'> | undefined;
}

/** A ready event the pass will try to send. */
export interface Candidate {
  readonly event: ReadyEvent;
  /** Sent alone before and its report has appeared since: the pair goes again, once. */
  readonly lateReport: boolean;
}

export interface PlannedWait {
  readonly filename: string;
  readonly reason: WaitReason;
  readonly readyAtMs: number;
}

export interface PassPlan {
  /** Oldest first, as many as the cap lets this pass send. */
  readonly ready: readonly Candidate[];
  /**
   * Ready too, oldest first, beyond the cap: each takes the place of a `ready` event that turns
   * out to need no upload (its twin was delivered, it is being written), so the cap counts uploads.
   */
  readonly overCap: readonly Candidate[];
  /** Not ready yet (quiescence, report grace), oldest first. */
  readonly waiting: readonly PlannedWait[];
  /** Ready events held back after repeated refusals, oldest first: a person retries them. */
  readonly heldBack: readonly string[];
  readonly alreadyDelivered: number;
  readonly tooOld: number;
  /** When the earliest waiting event becomes ready, if any. */
  readonly nextReadyAtMs: number | null;
}

export interface PlanInput {
  readonly entries: readonly DirEntry[];
  readonly record: RecordFacts;
  readonly isHeld: (sha256: string) => boolean;
  readonly config: Pick<Config, 'quiescenceSeconds' | 'missingReportGraceSeconds' | 'maxEventAgeDays'>;
  readonly nowMs: number;
  /** Uploads this pass may start (Infinity = unlimited). */
  readonly budget: number;
}

export const identity = (entry: DirEntry): FileIdentity => ({ name: entry.name, size: entry.size, mtimeMs: entry.mtimeMs });

export function planPass(input: PlanInput): PassPlan {
  const { record, config } = input;
  const paired = pairEvents(input.entries, {
    nowMs: input.nowMs,
    quiescenceMs: config.quiescenceSeconds * 1000,
    graceMs: config.missingReportGraceSeconds * 1000,
    maxAgeMs: config.maxEventAgeDays * 86_400_000,
  });
  const candidates: Candidate[] = [];
  const heldBack: string[] = [];
  let alreadyDelivered = 0;
  // Decided from the record alone: a known file identity says which content it holds.
  for (const event of paired.ready) {
    // A DirEntry is a FileIdentity: no copy per event (an idle pass looks up every one).
    const known = record.knownHash(event.binary);
    const entry = known === undefined ? undefined : record.deliveryOf(known);
    if (known !== undefined && input.isHeld(known)) heldBack.push(event.binary.name);
    else if (entry === undefined) candidates.push({ event, lateReport: false });
    else if (needsLateReport(event, entry)) candidates.push({ event, lateReport: true });
    else alreadyDelivered++;
  }
  const waiting: PlannedWait[] = [];
  let nextReadyAtMs: number | null = null;
  for (const wait of paired.waiting) {
    const known = record.knownHash(wait.binary);
    if (known !== undefined && record.has(known)) continue;
    waiting.push({ filename: wait.binary.name, reason: wait.reason, readyAtMs: wait.readyAtMs });
    nextReadyAtMs = nextReadyAtMs === null ? wait.readyAtMs : Math.min(nextReadyAtMs, wait.readyAtMs);
  }
  const within = Math.min(candidates.length, input.budget);
  return {
    ready: candidates.slice(0, within),
    overCap: candidates.slice(within),
    waiting,
    heldBack,
    alreadyDelivered,
    tooOld: paired.tooOld.length,
    nextReadyAtMs,
  };
}

/** A binary first sent alone whose report has now appeared: send the pair again, once. */
export function needsLateReport(event: ReadyEvent, entry: Pick<DeliveryFacts, 'withReport' | 'source'>): boolean {
  return event.report !== null && !entry.withReport && entry.source === 'sent';
}
