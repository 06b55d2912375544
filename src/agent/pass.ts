// One pass: list the folder -> plan (pure: plan.ts) -> send the ready events oldest first through a
// small bounded pool, up to the budget -> record what the server acknowledged. The pass never
// throws for a file or a server problem: everything ends up in its outcome, which the agent turns
// into status and schedules from. Each event's send returns one tagged result, counted in `tally`.
import type { Config } from '../config/types.js';
import type { Ledger } from '../record/index.js';
import type { Backoff, Uploader } from '../upload/index.js';
import type { UploadOutcome } from '../upload/types.js';
import { join } from 'node:path';
import { checkOpens, listFolder } from '../scan/index.js';
import { binaryNameOfReport, isEventBinaryName } from '../pair/index.js';
import type { WaitReason } from '../pair/types.js';
import type { DirEntry } from '../scan/types.js';
import type { HeldBackTracker } from './held-back.js';
import { createReadTroubles, isQuietKind, keepOnly, noteReadFailure, visibleTroubles, type ReadTroubles } from './read-troubles.js';
import type { PassSummary } from './status-types.js';
import type { Logger } from './logger.js';
import { planPass, type Candidate, type PassPlan } from './plan.js';
import { runPool } from './send-pool.js';
import { isMonitorLogName } from '../units/index.js';
import { RESOLVED, sendOne, UPLOADED, type SendContext, type SendResult } from './send-event.js';

export { sha256Hex } from './send-event.js';

export interface PassContext {
  readonly config: Config;
  readonly ledger: Ledger;
  /** null: forwarding is off; the pass only counts what waits. */
  readonly uploader: Uploader | null;
  readonly backoff: Backoff;
  readonly heldBack: HeldBackTracker;
  readonly log: Logger;
  readonly now: () => number;
  /** Uploads this pass may start (Infinity = unlimited). */
  readonly budget: number;
  /** Pause or shutdown: take no new event. */
  readonly shouldStop: () => boolean;
  /** Aborts uploads in flight (shutdown that cannot wait). */
  readonly signal?: AbortSignal;
  /** List what would be sent and why the rest waits; send and record nothing. */
  readonly dryRun?: boolean;
  /** Files that could not be read, remembered across passes (the agent keeps one; default: new). */
  readonly readTroubles?: ReadTroubles;
  /** Called after each event outcome, so a UI can follow a long pass. */
  readonly onProgress?: (progress: PassProgress) => void;
  /** Binaries larger than this are hashed and sent by streaming, never held whole (default 32 MB). */
  readonly streamAboveBytes?: number;
}

export interface PassProgress {
  readonly forwarded: number;
  readonly errors: number;
  /** Ready events of this pass not yet delivered, held back or found known. */
  readonly remaining: number;
  /** What the server just did, so a status can follow a long pass as it goes. */
  readonly last: { readonly kind: UploadOutcome['kind']; readonly atMs: number; readonly reason: string | null };
}

export interface PlannedEvent {
  readonly filename: string;
  readonly withReport: boolean;
  readonly lateReport: boolean;
  readonly modified: string;
}

export interface WaitingItem {
  readonly filename: string;
  readonly reason: WaitReason | 'over-cap' | 'held-back' | 'unreadable';
  readonly readyAt: string | null;
  /** For 'unreadable': why, naming the file. */
  readonly detail?: string;
}

export interface PassOutcome {
  readonly startedAtMs: number;
  readonly seconds: number;
  readonly forwarded: number;
  readonly withReport: number;
  readonly errors: number;
  /** Ready, undelivered events left for later passes (cap, back-off, failures, busy files). */
  readonly pending: number;
  /** Events that are not ready yet (quiescence, report grace). */
  readonly settling: number;
  readonly heldBack: number;
  readonly alreadyDelivered: number;
  readonly tooOld: number;
  readonly stoppedEarly: boolean;
  /** Uploads started (counts against the per-window cap). */
  readonly started: number;
  /** When the earliest settling event becomes ready, if any. */
  readonly nextReadyAtMs: number | null;
  /** true/false when a request told; null when none was made. */
  readonly serverReachable: boolean | null;
  readonly lastSuccessAtMs: number | null;
  /** refused: the server refused the event itself (a permanent failure), which is not uploads failing. */
  readonly lastFailure: { readonly atMs: number; readonly reason: string; readonly refused?: true } | null;
  /** Why the folder could not be read, if it could not. */
  readonly folderProblem: string | null;
  /** Why the record cannot be written (sending stopped), if it cannot. */
  readonly recordProblem: string | null;
  /** Event files a person must look at (unreadable; locked or changing for too long), one line each. */
  readonly unreadable: readonly { readonly filename: string; readonly reason: string }[];
  /** The .MLG monitor logs of the listing, for the units (null when the folder could not be listed). */
  readonly monitorLogs: readonly DirEntry[] | null;
  /** Dry run only. */
  readonly plan: readonly PlannedEvent[];
  readonly waitingList: readonly WaitingItem[];
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** What a pass has seen and done so far; one per pass, turned into its outcome by `finish`. */
interface PassTally {
  readonly startedAtMs: number;
  forwarded: number;
  withReport: number;
  errors: number;
  /** Ready events that no longer wait in this pass (delivered, found known, held back). */
  resolved: number;
  alreadyDelivered: number;
  /** Uploads started (counts against the budget); undone for an event that needed no upload. */
  started: number;
  serverReachable: boolean | null;
  lastSuccessAtMs: number | null;
  lastFailure: PassOutcome['lastFailure'];
  /** Why the record cannot be written, once it could not be (stops the pass). */
  recordProblem: string | null;
}

/** The rest of an outcome, known where the pass ends. */
interface PassEnd {
  readonly pending: number;
  readonly stoppedEarly: boolean;
  readonly folderProblem: string | null;
  readonly plan?: readonly PlannedEvent[];
  readonly waitingList?: readonly WaitingItem[];
}

export async function runPass(ctx: PassContext): Promise<PassOutcome> {
  const troubles = ctx.readTroubles ?? createReadTroubles();
  const tally = newTally(ctx.now());
  let entries: DirEntry[];
  // One listing for the events and the units' monitor logs: a folder without .MLG files pays one
  // failed name test per stray file, nothing more.
  let monitorLogCount = 0;
  const include = (name: string): boolean => isEventFileName(name) || (isMonitorLogName(name) && ++monitorLogCount > 0);
  try {
    entries = await listFolder(ctx.config.series3Path, { include });
  } catch (err) {
    return finish(ctx, tally, troubles, null, { pending: 0, stoppedEarly: true, folderProblem: (err as Error).message }, null);
  }
  const monitorLogs: DirEntry[] = [];
  if (monitorLogCount > 0) entries = splitMonitorLogs(entries, monitorLogs);
  if (troubles.byName.size > 0) keepOnly(troubles, new Set(entries.map((entry) => entry.name)));
  if (!ctx.dryRun) await dropGoneHeldBack(ctx, entries);
  const plan = planPass({
    entries,
    record: ctx.ledger,
    isHeld: (sha256) => ctx.heldBack.isHeld(sha256),
    config: ctx.config,
    nowMs: tally.startedAtMs,
    budget: ctx.budget,
  });
  tally.alreadyDelivered = plan.alreadyDelivered;
  const candidates = [...plan.ready, ...plan.overCap];
  if (ctx.dryRun) return finish(ctx, tally, troubles, plan, await dryRunEnd(ctx, troubles, plan), monitorLogs);
  if (ctx.uploader === null || candidates.length === 0) {
    return finish(ctx, tally, troubles, plan, { pending: candidates.length, stoppedEarly: false, folderProblem: null }, monitorLogs);
  }
  const started = await sendAll(ctx, troubles, tally, candidates);
  const blocked = ctx.backoff.blockedUntil() > ctx.now();
  const stoppedEarly = started < candidates.length && (blocked || tally.recordProblem !== null);
  await ctx.heldBack.save();
  return finish(ctx, tally, troubles, plan, {
    pending: Math.max(0, candidates.length - tally.resolved),
    stoppedEarly,
    folderProblem: null,
  }, monitorLogs);
}

/** A held-back event whose file has left the watch folder is dropped, and said once in the log. */
async function dropGoneHeldBack(ctx: PassContext, entries: readonly DirEntry[]): Promise<void> {
  if (ctx.heldBack.tracked() === 0) return; // the usual case: no set of every name in a big folder
  const dropped = ctx.heldBack.dropGone(new Set(entries.map((entry) => entry.name)));
  for (const name of dropped) ctx.log.info(`dropped the held-back event ${name}: it is no longer in ${ctx.config.series3Path}`);
  if (dropped.length > 0) await ctx.heldBack.save();
}

/** Binaries and reports: the files a pass plans from (besides them only monitor logs are stat'ed). */
const isEventFileName = (name: string): boolean => isEventBinaryName(name) || binaryNameOfReport(name) !== null;

/** The event files of a listing; its monitor logs go into `logs`. */
function splitMonitorLogs(entries: readonly DirEntry[], logs: DirEntry[]): DirEntry[] {
  const events: DirEntry[] = [];
  for (const entry of entries) (isMonitorLogName(entry.name) ? logs : events).push(entry);
  return events;
}

function newTally(startedAtMs: number): PassTally {
  return {
    startedAtMs,
    forwarded: 0,
    withReport: 0,
    errors: 0,
    resolved: 0,
    alreadyDelivered: 0,
    started: 0,
    serverReachable: null,
    lastSuccessAtMs: null,
    lastFailure: null,
    recordProblem: null,
  };
}

function finish(
  ctx: PassContext,
  tally: PassTally,
  troubles: ReadTroubles,
  plan: PassPlan | null,
  end: PassEnd,
  monitorLogs: readonly DirEntry[] | null,
): PassOutcome {
  return {
    startedAtMs: tally.startedAtMs,
    seconds: (ctx.now() - tally.startedAtMs) / 1000,
    forwarded: tally.forwarded,
    withReport: tally.withReport,
    errors: tally.errors,
    pending: end.pending,
    settling: plan?.waiting.length ?? 0,
    // Held back now, by this pass or before (a person's retry clears them).
    heldBack: ctx.heldBack.list().length,
    alreadyDelivered: tally.alreadyDelivered,
    tooOld: plan?.tooOld ?? 0,
    stoppedEarly: end.stoppedEarly,
    started: tally.started,
    nextReadyAtMs: plan?.nextReadyAtMs ?? null,
    serverReachable: tally.serverReachable,
    lastSuccessAtMs: tally.lastSuccessAtMs,
    lastFailure: tally.lastFailure,
    folderProblem: end.folderProblem,
    recordProblem: tally.recordProblem,
    unreadable: visibleTroubles(troubles, ctx.now()),
    monitorLogs,
    plan: end.plan ?? [],
    waitingList: end.waitingList ?? [],
  };
}

/** The dry run: the plan as `once --dry-run` prints it; sends and records nothing. */
async function dryRunEnd(ctx: PassContext, troubles: ReadTroubles, plan: PassPlan): Promise<PassEnd> {
  const waitingList: WaitingItem[] = [
    ...plan.heldBack.map((filename): WaitingItem => ({ filename, reason: 'held-back', readyAt: null })),
    ...plan.waiting.map((wait): WaitingItem => ({ filename: wait.filename, reason: wait.reason, readyAt: iso(wait.readyAtMs) })),
    ...plan.overCap.map((c): WaitingItem => ({ filename: c.event.binary.name, reason: 'over-cap', readyAt: null })),
  ];
  const planned: PlannedEvent[] = [];
  for (const c of plan.ready) {
    const filename = c.event.binary.name;
    // "Would send" must not promise a file that cannot be read: open each one briefly (no read).
    const failure = await checkOpens(join(ctx.config.series3Path, filename));
    if (failure === null || isQuietKind(failure.error)) {
      planned.push({ filename, withReport: c.event.report !== null, lateReport: c.lateReport, modified: iso(c.event.binary.mtimeMs) });
      continue;
    }
    noteReadFailure(troubles, filename, { kind: failure.error, reason: failure.reason }, ctx.now());
    waitingList.push({ filename, reason: 'unreadable', readyAt: null, detail: failure.reason });
  }
  return { pending: plan.ready.length + plan.overCap.length, stoppedEarly: false, folderProblem: null, plan: planned, waitingList };
}

/** Sends the candidates through the pool; resolves with how many were taken up. */
async function sendAll(ctx: PassContext, troubles: ReadTroubles, tally: PassTally, candidates: readonly Candidate[]): Promise<number> {
  // An event is never sent that cannot be remembered: a record that could not be written (a full
  // disk, a vanished or read-only STATE_DIR) stops the pass before its first upload and whenever a
  // write fails during it. flush() writes what an earlier failure kept back, so it is the probe.
  try {
    await ctx.ledger.flush();
  } catch (err) {
    tally.recordProblem = recordProblemOf(err, ctx.ledger.dir);
  }
  const sender: SendContext = {
    ctx,
    troubles,
    // After a server failure the first request is a lone probe; full concurrency resumes on success.
    limit: ctx.backoff.consecutiveFailures > 0 ? 1 : Math.max(1, ctx.config.concurrency),
    sending: new Map(),
    recording: new Set(),
    onRecordFailure: (err, filename) => {
      tally.recordProblem ??= recordProblemOf(err, ctx.ledger.dir);
      tally.errors++;
      tally.lastFailure = { atMs: ctx.now(), reason: tally.recordProblem };
      ctx.log.error(`delivered ${filename} but could not record it: ${tally.recordProblem}`);
    },
  };
  return runPool({
    items: candidates,
    limit: () => sender.limit,
    canStart: () =>
      tally.recordProblem === null && !ctx.shouldStop() && tally.started < ctx.budget && ctx.backoff.blockedUntil() <= ctx.now(),
    trailing: () => sender.recording,
    run: async (candidate) => {
      tally.started++;
      count(ctx, tally, candidate, await guardedSend(sender, candidate), candidates.length);
    },
  });
}

async function guardedSend(sender: SendContext, candidate: Candidate): Promise<SendResult> {
  try {
    return await sendOne(sender, candidate);
  } catch (err) {
    const reason = `${candidate.event.binary.name}: ${(err as Error).message}`;
    sender.ctx.log.error(`unexpected failure on ${reason}`);
    return { kind: 'unreadable', reason };
  }
}

/** The one place a send's result is counted. */
function count(ctx: PassContext, tally: PassTally, candidate: Candidate, result: SendResult, total: number): void {
  const atMs = ctx.now();
  if (!UPLOADED.has(result.kind)) tally.started--;
  if (RESOLVED.has(result.kind)) tally.resolved++;
  switch (result.kind) {
    case 'already-delivered':
      tally.alreadyDelivered++;
      return;
    case 'held':
    case 'in-motion':
      return;
    case 'unreadable':
      tally.errors++;
      tally.lastFailure = { atMs, reason: result.reason };
      return;
    case 'delivered':
      tally.serverReachable = true;
      tally.lastSuccessAtMs = atMs;
      tally.forwarded++;
      if (result.withReport) tally.withReport++;
      break;
    case 'transient':
      tally.errors++;
      tally.serverReachable = false;
      tally.lastFailure = { atMs, reason: result.reason };
      break;
    case 'permanent':
      tally.errors++;
      tally.serverReachable = true;
      tally.lastFailure = { atMs, reason: `${candidate.event.binary.name}: ${result.reason}`, refused: true };
      if (result.heldNow) tally.resolved++;
      break;
  }
  ctx.onProgress?.({
    forwarded: tally.forwarded,
    errors: tally.errors,
    remaining: total - tally.resolved,
    last: { kind: result.kind, atMs, reason: result.kind === 'delivered' ? null : (tally.lastFailure?.reason ?? null) },
  });
}

/** The words for a record that cannot be written: the ledger's own when it classified the failure. */
function recordProblemOf(err: unknown, stateDir: string): string {
  const message = err instanceof Error ? err.message : String(err);
  if ((err as { kind?: unknown } | null)?.kind === 'record-write') return message;
  return `the record in STATE_DIR ${stateDir} cannot be written (${message}); sending is stopped until it can`;
}

/** The pass as the status shows it. */
export function passSummary(outcome: PassOutcome): PassSummary {
  return {
    startedAt: iso(outcome.startedAtMs),
    seconds: outcome.seconds,
    forwarded: outcome.forwarded,
    withReport: outcome.withReport,
    errors: outcome.errors,
    pending: outcome.pending,
    heldBack: outcome.heldBack,
    stoppedEarly: outcome.stoppedEarly,
  };
}

/**
 * When forwarding has been failing since, after this pass: the last thing the server did was
 * fail us (from then, or from earlier if it already was), or null once an event got through.
 */
export function failingSinceAfter(outcome: PassOutcome, failingSince: string | null): string | null {
  const failure = outcome.lastFailure;
  const lastWasFailure = failure !== null && (outcome.lastSuccessAtMs === null || failure.atMs > outcome.lastSuccessAtMs);
  // A refusal of one event does not start "failing" (see follow in agent.ts); it is held back instead.
  if (lastWasFailure && failure.refused !== true) return failingSince ?? iso(failure.atMs);
  return outcome.forwarded > 0 ? null : failingSince;
}

