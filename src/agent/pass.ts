// One pass: scan -> pair -> filter against the record -> upload oldest first up to the budget
// -> record what the server acknowledged. The pass never throws for a file or a server problem:
// everything ends up in its outcome, which the agent turns into status and schedules from.
import { createHash } from 'node:crypto';
import type { Config } from '../config/types.js';
import type { Ledger, FileIdentity } from '../record/index.js';
import type { Backoff, Uploader } from '../upload/index.js';
import type { UploadOutcome } from '../upload/types.js';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { classifyFileError, defaultStreamAboveBytes, hashWhole, listFolder, readWhole } from '../scan/index.js';
import { pairEvents } from '../pair/index.js';
import type { ReadyEvent, WaitReason } from '../pair/types.js';
import type { DirEntry, ReadOutcome } from '../scan/types.js';
import type { HeldBackTracker } from './held-back.js';
import {
  createReadTroubles,
  isQuietKind,
  keepOnly,
  noteReadFailure,
  noteReadSuccess,
  visibleTroubles,
  type ReadTroubles,
} from './read-troubles.js';
import type { PassSummary } from './status-types.js';
import type { Logger } from './logger.js';

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
  readonly lastFailure: { readonly atMs: number; readonly reason: string } | null;
  /** Why the folder could not be read, if it could not. */
  readonly folderProblem: string | null;
  /** Why the record cannot be written (sending stopped), if it cannot. */
  readonly recordProblem: string | null;
  /** Event files a person must look at (unreadable; locked or changing for too long), one line each. */
  readonly unreadable: readonly { readonly filename: string; readonly reason: string }[];
  /** Dry run only. */
  readonly plan: readonly PlannedEvent[];
  readonly waitingList: readonly WaitingItem[];
}

interface Candidate {
  readonly event: ReadyEvent;
  readonly lateReport: boolean;
}

const identity = (entry: DirEntry): FileIdentity => ({ name: entry.name, size: entry.size, mtimeMs: entry.mtimeMs });
const iso = (ms: number): string => new Date(ms).toISOString();

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function runPass(ctx: PassContext): Promise<PassOutcome> {
  const { config, ledger, heldBack, log } = ctx;
  const troubles = ctx.readTroubles ?? createReadTroubles();
  const startedAtMs = ctx.now();
  const counts = { forwarded: 0, withReport: 0, errors: 0, resolved: 0, heldBack: 0, alreadyDelivered: 0, started: 0 };
  let serverReachable: boolean | null = null;
  let lastSuccessAtMs: number | null = null;
  let lastFailure: PassOutcome['lastFailure'] = null;
  const plan: PlannedEvent[] = [];
  const waitingList: WaitingItem[] = [];

  const finish = (extra: {
    pending: number;
    settling: number;
    tooOld: number;
    stoppedEarly: boolean;
    nextReadyAtMs: number | null;
    folderProblem: string | null;
    recordProblem?: string | null;
  }): PassOutcome => ({
    startedAtMs,
    seconds: (ctx.now() - startedAtMs) / 1000,
    forwarded: counts.forwarded,
    withReport: counts.withReport,
    errors: counts.errors,
    heldBack: heldBack.list().length,
    alreadyDelivered: counts.alreadyDelivered,
    started: counts.started,
    serverReachable,
    lastSuccessAtMs,
    lastFailure,
    plan,
    waitingList,
    unreadable: visibleTroubles(troubles, ctx.now()),
    recordProblem: null,
    ...extra,
  });

  let entries: DirEntry[];
  try {
    entries = await listFolder(config.series3Path);
  } catch (err) {
    const reason = (err as Error).message;
    return finish({ pending: 0, settling: 0, tooOld: 0, stoppedEarly: true, nextReadyAtMs: null, folderProblem: reason });
  }

  keepOnly(troubles, new Set(entries.map((entry) => entry.name)));
  const paired = pairEvents(entries, {
    nowMs: startedAtMs,
    quiescenceMs: config.quiescenceSeconds * 1000,
    graceMs: config.missingReportGraceSeconds * 1000,
    maxAgeMs: config.maxEventAgeDays * 86_400_000,
  });

  // Decide from the record alone (no file content is read) what is already done.
  const candidates: Candidate[] = [];
  for (const event of paired.ready) {
    const known = ledger.knownHash(identity(event.binary));
    if (known !== undefined) {
      if (heldBack.isHeld(known)) {
        counts.heldBack++;
        if (ctx.dryRun) waitingList.push({ filename: event.binary.name, reason: 'held-back', readyAt: null });
        continue;
      }
      const entry = ledger.deliveryOf(known);
      if (entry) {
        if (needsLateReport(event, entry)) candidates.push({ event, lateReport: true });
        else counts.alreadyDelivered++;
        continue;
      }
    }
    candidates.push({ event, lateReport: false });
  }

  let settling = 0;
  let nextReadyAtMs: number | null = null;
  for (const waiting of paired.waiting) {
    const known = ledger.knownHash(identity(waiting.binary));
    if (known !== undefined && ledger.has(known)) continue;
    settling++;
    nextReadyAtMs = nextReadyAtMs === null ? waiting.readyAtMs : Math.min(nextReadyAtMs, waiting.readyAtMs);
    if (ctx.dryRun) waitingList.push({ filename: waiting.binary.name, reason: waiting.reason, readyAt: iso(waiting.readyAtMs) });
  }
  const tooOld = paired.tooOld.length;

  if (ctx.dryRun) {
    candidates.forEach((c, index) => {
      const item = {
        filename: c.event.binary.name,
        withReport: c.event.report !== null,
        lateReport: c.lateReport,
        modified: iso(c.event.binary.mtimeMs),
      };
      if (index < ctx.budget) plan.push(item);
      else waitingList.push({ filename: item.filename, reason: 'over-cap', readyAt: null });
    });
    // "Would send" must not promise a file that cannot be read: open each one briefly (no read).
    for (const item of [...plan]) {
      const failure = await openFailure(join(config.series3Path, item.filename));
      if (failure === null || isQuietKind(failure.error)) continue;
      plan.splice(plan.indexOf(item), 1);
      noteReadFailure(troubles, item.filename, { kind: failure.error, reason: failure.reason }, ctx.now());
      waitingList.push({ filename: item.filename, reason: 'unreadable', readyAt: null, detail: failure.reason });
    }
    return finish({ pending: candidates.length, settling, tooOld, stoppedEarly: false, nextReadyAtMs, folderProblem: null });
  }

  const uploader = ctx.uploader;
  if (uploader === null || candidates.length === 0) {
    return finish({ pending: candidates.length, settling, tooOld, stoppedEarly: false, nextReadyAtMs, folderProblem: null });
  }

  const blocked = (): boolean => ctx.backoff.blockedUntil() > ctx.now();
  // An event is never sent that cannot be remembered: a record that could not be written (a full
  // disk, a vanished or read-only STATE_DIR) stops the pass before its first upload and whenever a
  // write fails during it. flush() writes what an earlier failure kept back, so it is the probe.
  let recordProblem: string | null = null;
  try {
    await ledger.flush();
  } catch (err) {
    recordProblem = recordProblemOf(err, ledger.dir);
  }
  const sender: SendContext = {
    ctx,
    troubles,
    // After a server failure the first request is a lone probe; full concurrency resumes on success.
    limit: ctx.backoff.consecutiveFailures > 0 ? 1 : Math.max(1, config.concurrency),
    sending: new Map(),
    recording: new Set(),
    onRecordFailure: (err, filename) => {
      recordProblem ??= recordProblemOf(err, ledger.dir);
      counts.errors++;
      lastFailure = { atMs: ctx.now(), reason: recordProblem };
      log.error(`delivered ${filename} but could not record it: ${recordProblem}`);
    },
  };

  const tally = (candidate: Candidate, result: SendResult): void => {
    const atMs = ctx.now();
    if (!UPLOADED.has(result.kind)) counts.started--;
    if (RESOLVED.has(result.kind)) counts.resolved++;
    switch (result.kind) {
      case 'already-delivered':
        counts.alreadyDelivered++;
        return;
      case 'held':
        counts.heldBack++;
        return;
      case 'unreadable':
        counts.errors++;
        lastFailure = { atMs, reason: result.reason };
        return;
      case 'in-motion':
        return;
      case 'delivered':
        serverReachable = true;
        lastSuccessAtMs = atMs;
        counts.forwarded++;
        if (result.withReport) counts.withReport++;
        break;
      case 'transient':
        counts.errors++;
        serverReachable = false;
        lastFailure = { atMs, reason: result.reason };
        break;
      case 'permanent':
        counts.errors++;
        serverReachable = true;
        lastFailure = { atMs, reason: `${candidate.event.binary.name}: ${result.reason}` };
        if (result.heldNow) counts.resolved++;
        break;
    }
    ctx.onProgress?.({
      forwarded: counts.forwarded,
      errors: counts.errors,
      remaining: candidates.length - counts.resolved,
      last: { kind: result.kind, atMs, reason: result.kind === 'delivered' ? null : (lastFailure?.reason ?? null) },
    });
  };

  const guarded = async (candidate: Candidate): Promise<void> => {
    let result: SendResult;
    try {
      result = await sendOne(sender, candidate);
    } catch (err) {
      const reason = `${candidate.event.binary.name}: ${(err as Error).message}`;
      log.error(`unexpected failure on ${reason}`);
      result = { kind: 'unreadable', reason };
    }
    tally(candidate, result);
  };

  let next = 0;
  const inFlight = new Set<Promise<void>>();
  const canStart = (): boolean =>
    recordProblem === null && !ctx.shouldStop() && counts.started < ctx.budget && !blocked();
  for (;;) {
    while (inFlight.size < sender.limit && sender.recording.size < sender.limit && next < candidates.length && canStart()) {
      const candidate = candidates[next++]!;
      counts.started++;
      const task: Promise<void> = guarded(candidate).finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    const moreToStart = next < candidates.length && canStart();
    if (inFlight.size === 0 && (sender.recording.size === 0 || !moreToStart)) break;
    await Promise.race([...inFlight, ...sender.recording]);
  }
  await Promise.all(sender.recording);

  const stoppedEarly = next < candidates.length && (blocked() || recordProblem !== null);
  await heldBack.save();
  return finish({
    pending: Math.max(0, candidates.length - counts.resolved),
    settling,
    tooOld,
    stoppedEarly,
    nextReadyAtMs,
    folderProblem: null,
    recordProblem,
  });
}

/** What became of one ready event: counted in one place (`tally`), never by string. */
type SendResult =
  /** The binary or its report is being written, renamed or held by a program: a later pass. */
  | { readonly kind: 'in-motion' }
  /** It cannot be read for a reason a person must fix; told once (see read-troubles.ts). */
  | { readonly kind: 'unreadable'; readonly reason: string }
  /** The same content went before (under another name, or by another upload of this pass). */
  | { readonly kind: 'already-delivered' }
  | { readonly kind: 'held' }
  | { readonly kind: 'delivered'; readonly withReport: boolean }
  | { readonly kind: 'transient'; readonly reason: string }
  | { readonly kind: 'permanent'; readonly reason: string; readonly heldNow: boolean };

/** Results for which a request went to the server (they count against the cap). */
const UPLOADED: ReadonlySet<SendResult['kind']> = new Set(['delivered', 'transient', 'permanent']);
/** Results after which the event no longer waits in this pass. */
const RESOLVED: ReadonlySet<SendResult['kind']> = new Set(['delivered', 'already-delivered', 'held']);

/** What sending needs beyond the pass context; lives for one pass. */
interface SendContext {
  readonly ctx: PassContext;
  readonly troubles: ReadTroubles;
  /** Uploads in flight at once: 1 while probing a server that failed, else SFM_CONCURRENCY. */
  limit: number;
  /** sha256 -> the upload of that content now in flight, so a twin under another name waits for it. */
  readonly sending: Map<string, Promise<unknown>>;
  /**
   * Deliveries acknowledged by the server whose record line is not yet on disk; bounded by `limit`
   * so a crash can only ever resend a handful (the server recognises them by content anyway).
   */
  readonly recording: Set<Promise<void>>;
  readonly onRecordFailure: (err: unknown, filename: string) => void;
}

async function sendOne(sender: SendContext, candidate: Candidate): Promise<SendResult> {
  const { ctx, troubles } = sender;
  const { ledger, heldBack, log } = ctx;
  const { binary, report } = candidate.event;
  // A large binary is hashed by streaming and later streamed into the request, never held whole.
  const listed = { size: binary.size, mtimeMs: binary.mtimeMs };
  const streamed = binary.size > (ctx.streamAboveBytes ?? defaultStreamAboveBytes);
  const read = streamed ? await hashWhole(binary.path, listed) : await readWhole(binary.path, listed);
  if (read.kind === 'failed') return readFailed(sender, binary.name, read);
  tellOnce(log, noteReadSuccess(troubles, binary.name));
  const sha256 = read.kind === 'hashed' ? read.sha256 : sha256Hex(read.bytes);
  ledger.rememberHash(identity(binary), sha256);
  // The same content under another name may be on its way right now: wait for that upload, then
  // decide from the record like any other twin.
  const twin = sender.sending.get(sha256);
  if (twin !== undefined) await twin.catch(() => undefined);
  let lateReport = candidate.lateReport;
  const entry = ledger.deliveryOf(sha256);
  if (entry && !lateReport) {
    if (!needsLateReport(candidate.event, entry)) return { kind: 'already-delivered' };
    lateReport = true;
  }
  if (heldBack.isHeld(sha256)) return { kind: 'held' };

  let reportPart: { name: string; bytes: Uint8Array } | null = null;
  if (report) {
    const reportRead = await readWhole(report.path, { size: report.size, mtimeMs: report.mtimeMs });
    if (reportRead.kind === 'read') {
      tellOnce(log, noteReadSuccess(troubles, report.name));
      reportPart = { name: report.name, bytes: reportRead.bytes };
    } else if (isQuietKind(reportRead.error)) {
      tellOnce(log, noteReadFailure(troubles, report.name, { kind: reportRead.error, reason: reportRead.reason }, ctx.now()));
      return { kind: 'in-motion' }; // the next pass pairs it again
    } else {
      tellOnce(log, noteReadFailure(troubles, report.name, { kind: reportRead.error, reason: reportRead.reason }, ctx.now()));
      if (lateReport) return { kind: 'in-motion' };
    }
  }
  if (lateReport && reportPart === null) return { kind: 'in-motion' };

  const body = read.kind === 'hashed' ? ({ kind: 'file', size: read.size } as const) : ({ kind: 'bytes', bytes: read.bytes } as const);
  const upload = upload1(sender, { binary, sha256, body, reportPart, lateReport });
  sender.sending.set(sha256, upload);
  try {
    return await upload;
  } finally {
    sender.sending.delete(sha256);
  }
}

async function upload1(
  sender: SendContext,
  event: {
    readonly binary: DirEntry;
    readonly sha256: string;
    /** The bytes read and hashed, or (large files) the file, streamed and hashed again as it goes. */
    readonly body: { readonly kind: 'bytes'; readonly bytes: Uint8Array } | { readonly kind: 'file'; readonly size: number };
    readonly reportPart: { name: string; bytes: Uint8Array } | null;
    readonly lateReport: boolean;
  },
): Promise<SendResult> {
  const { ctx } = sender;
  const { config, ledger, heldBack, log } = ctx;
  const { binary, sha256, body, reportPart } = event;
  const report = { reportName: reportPart?.name ?? null, reportBytes: reportPart?.bytes ?? null };
  const outcome = await ctx.uploader!.upload(
    body.kind === 'file'
      ? { binaryName: binary.name, binaryFile: { path: binary.path, size: binary.size, mtimeMs: binary.mtimeMs }, ...report }
      : { binaryName: binary.name, binaryBytes: body.bytes, ...report },
    ctx.signal,
  );
  const size = body.kind === 'file' ? body.size : body.bytes.length;
  // Streamed: the file may have moved while it went out. Only bytes whose hash is the one checked
  // (and recorded) count as this event; otherwise a later pass hashes and sends it again.
  const notAsHashed =
    outcome.kind === 'unreadable'
      ? outcome.reason
      : outcome.kind === 'delivered' && outcome.sent !== undefined && (outcome.sent.changed !== null || outcome.sent.sha256 !== sha256)
        ? `${binary.path} changed while it was sent (${outcome.sent.changed ?? 'other content'}); it will be sent again`
        : null;
  if (notAsHashed !== null) {
    log.info(`not recorded ${binary.name}: ${notAsHashed}`);
    return { kind: 'in-motion' };
  }
  const atMs = ctx.now();
  switch (outcome.kind) {
    case 'delivered': {
      // The server has it: recorded in memory at once (so nothing sends it again), durable when
      // the fsync lands. The upload slot does not wait for the fsync: deliveries made meanwhile
      // share the next one, and the pass waits for every write before it ends.
      const write = ledger.record([
        {
          entry: {
            sha256,
            filename: binary.name,
            size,
            forwardedAt: iso(atMs),
            withReport: reportPart !== null,
            source: 'sent',
          },
          file: identity(binary),
        },
      ]);
      const tracked: Promise<void> = write
        .catch((err: unknown) => sender.onRecordFailure(err, binary.name))
        .finally(() => sender.recording.delete(tracked));
      sender.recording.add(tracked);
      heldBack.succeed(sha256);
      ctx.backoff.success();
      sender.limit = Math.max(1, config.concurrency);
      const what = event.lateReport ? 'late report for' : 'delivered';
      log.info(`${what} ${binary.name}${reportPart ? ` + ${reportPart.name}` : ' (no report)'} ${size} B sha256 ${sha256.slice(0, 12)}`);
      return { kind: 'delivered', withReport: reportPart !== null };
    }
    case 'transient': {
      const until = ctx.backoff.failure(atMs, outcome.retryAfterMs);
      // The first failure since a success is told here; the outage log (outage-log.ts) sums up the rest.
      if (ctx.backoff.consecutiveFailures === 1) log.warn(`not sent ${binary.name}: ${outcome.reason}; server back-off until ${iso(until)}`);
      return { kind: 'transient', reason: outcome.reason };
    }
    case 'permanent': {
      const heldNow = heldBack.fail(sha256, binary.name, outcome.reason, atMs);
      log.error(`refused ${binary.name}: ${outcome.reason}`);
      if (heldNow) {
        log.error(`held back ${binary.name} after ${config.holdBackAfterFailures} refusals; retry it from the tray or with 'series3-watcher retry'`);
      }
      return { kind: 'permanent', reason: outcome.reason, heldNow };
    }
    case 'unreadable':
      return { kind: 'in-motion' }; // handled above; here for the compiler
  }
}

function readFailed(sender: SendContext, name: string, read: Extract<ReadOutcome, { kind: 'failed' }>): SendResult {
  const told = noteReadFailure(sender.troubles, name, { kind: read.error, reason: read.reason }, sender.ctx.now());
  tellOnce(sender.ctx.log, told);
  // Locked, vanished or still changing: not the technician's problem (for a while); a later pass tries again.
  if (isQuietKind(read.error)) return { kind: 'in-motion' };
  return { kind: 'unreadable', reason: `${name}: ${read.reason}` };
}

/** Opens and closes a file without reading it: null when it opens, else why not (classified). */
async function openFailure(path: string): Promise<Extract<ReadOutcome, { kind: 'failed' }> | null> {
  try {
    await (await open(path, 'r')).close();
    return null;
  } catch (err) {
    const kind = classifyFileError(err);
    return { kind: 'failed', error: kind, reason: kind === 'permission' ? `${path} cannot be read (permission denied): give this user read access to the watch folder` : `${path} cannot be opened (${err instanceof Error ? err.message : String(err)})` };
  }
}

function tellOnce(log: Logger, line: string | null): void {
  if (line !== null) log.warn(line);
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
  if (lastWasFailure) return failingSince ?? iso(failure.atMs);
  return outcome.forwarded > 0 ? null : failingSince;
}

/** A binary first sent alone whose report has now appeared: send the pair again, once. */
function needsLateReport(event: ReadyEvent, entry: { readonly withReport: boolean; readonly source: string }): boolean {
  return event.report !== null && !entry.withReport && entry.source === 'sent';
}
