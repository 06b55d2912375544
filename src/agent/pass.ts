// One pass: scan -> pair -> filter against the record -> upload oldest first up to the budget
// -> record what the server acknowledged. The pass never throws for a file or a server problem:
// everything ends up in its outcome, which the agent turns into status and schedules from.
import { createHash } from 'node:crypto';
import type { Config } from '../config/types.js';
import type { Ledger, FileIdentity } from '../record/index.js';
import type { Backoff, Uploader } from '../upload/index.js';
import type { UploadOutcome } from '../upload/types.js';
import { defaultStreamAboveBytes, hashWhole, listFolder, readWhole } from '../scan/index.js';
import { pairEvents } from '../pair/index.js';
import type { ReadyEvent, WaitReason } from '../pair/types.js';
import type { DirEntry } from '../scan/types.js';
import type { HeldBackTracker } from './held-back.js';
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
  readonly reason: WaitReason | 'over-cap' | 'held-back';
  readonly readyAt: string | null;
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
    ...extra,
  });

  let entries: DirEntry[];
  try {
    entries = await listFolder(config.series3Path);
  } catch (err) {
    const reason = (err as Error).message;
    return finish({ pending: 0, settling: 0, tooOld: 0, stoppedEarly: true, nextReadyAtMs: null, folderProblem: reason });
  }

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
    return finish({ pending: candidates.length, settling, tooOld, stoppedEarly: false, nextReadyAtMs, folderProblem: null });
  }

  const uploader = ctx.uploader;
  if (uploader === null || candidates.length === 0) {
    return finish({ pending: candidates.length, settling, tooOld, stoppedEarly: false, nextReadyAtMs, folderProblem: null });
  }

  const blocked = (): boolean => ctx.backoff.blockedUntil() > ctx.now();
  // After a server failure the first request is a lone probe; full concurrency resumes on success.
  let limit = ctx.backoff.consecutiveFailures > 0 ? 1 : Math.max(1, config.concurrency);

  const processOne = async (candidate: Candidate): Promise<void> => {
    const { binary, report } = candidate.event;
    // A large binary is hashed by streaming and later streamed into the request (issue 7 item 8).
    const streamed = binary.size > (ctx.streamAboveBytes ?? defaultStreamAboveBytes);
    const listed = { size: binary.size, mtimeMs: binary.mtimeMs };
    const read = streamed ? await hashWhole(binary.path, listed) : await readWhole(binary.path, listed);
    if (read.kind === 'failed') {
      // Locked, vanished or still changing: not the technician's problem; a later pass tries again.
      counts.started--;
      return;
    }
    const sha256 = read.kind === 'hashed' ? read.sha256 : sha256Hex(read.bytes);
    ledger.rememberHash(identity(binary), sha256);
    let lateReport = candidate.lateReport;
    const entry = ledger.deliveryOf(sha256);
    if (entry && !lateReport) {
      if (needsLateReport(candidate.event, entry)) lateReport = true;
      else {
        // The same content under another name or path: already delivered.
        counts.alreadyDelivered++;
        counts.resolved++;
        counts.started--;
        return;
      }
    }
    if (heldBack.isHeld(sha256)) {
      counts.heldBack++;
      counts.resolved++;
      counts.started--;
      return;
    }

    let reportName: string | null = null;
    let reportBytes: Uint8Array | null = null;
    if (report) {
      const reportRead = await readWhole(report.path, { size: report.size, mtimeMs: report.mtimeMs });
      if (reportRead.kind === 'read') {
        reportName = report.name;
        reportBytes = reportRead.bytes;
      } else if (reportRead.error === 'locked' || reportRead.error === 'changed' || reportRead.error === 'missing') {
        counts.started--;
        return; // the report is in motion; the next pass pairs it again
      } else {
        log.warn(`${binary.name}: its report ${report.name} cannot be read (${reportRead.reason}); sending the binary alone`);
      }
    }
    if (lateReport && reportBytes === null) {
      counts.started--;
      return;
    }

    const outcome = await uploader.upload(
      read.kind === 'hashed'
        ? { binaryName: binary.name, binaryFile: { path: binary.path, ...listed }, reportName, reportBytes }
        : { binaryName: binary.name, binaryBytes: read.bytes, reportName, reportBytes },
      ctx.signal,
    );
    // Streamed: the file may have moved while it went out. Only bytes whose hash is the one we
    // checked and will record count as this event; otherwise a later pass hashes and sends again.
    const notAsHashed =
      outcome.kind === 'unreadable' ? outcome.reason
      : outcome.kind === 'delivered' && outcome.sent !== undefined && (outcome.sent.changed !== null || outcome.sent.sha256 !== sha256)
        ? `${binary.path} changed while it was sent (${outcome.sent.changed ?? 'other content'}); it will be sent again`
        : null;
    if (notAsHashed !== null) {
      log.info(`not recorded ${binary.name}: ${notAsHashed}`);
      counts.started--;
      return;
    }
    const atMs = ctx.now();
    switch (outcome.kind) {
      case 'delivered': {
        // The server has it: recorded in memory at once (so nothing sends it again), durable
        // when the fsync lands. The upload slot does not wait for the fsync: deliveries made
        // meanwhile share the next one, and the pass waits for every write before it ends.
        trackRecording(
          ledger.record([
            {
              entry: {
                sha256,
                filename: binary.name,
                size: read.size,
                forwardedAt: iso(atMs),
                withReport: reportBytes !== null,
                source: 'sent',
              },
              file: identity(binary),
            },
          ]),
          binary.name,
        );
        heldBack.succeed(sha256);
        ctx.backoff.success();
        limit = Math.max(1, config.concurrency);
        serverReachable = true;
        lastSuccessAtMs = atMs;
        counts.forwarded++;
        counts.resolved++;
        if (reportBytes !== null) counts.withReport++;
        const what = lateReport ? 'late report for' : 'delivered';
        log.info(`${what} ${binary.name}${reportName ? ` + ${reportName}` : ' (no report)'} ${read.size} B sha256 ${sha256.slice(0, 12)}`);
        break;
      }
      case 'transient': {
        counts.errors++;
        const until = ctx.backoff.failure(atMs, outcome.retryAfterMs);
        serverReachable = false;
        lastFailure = { atMs, reason: outcome.reason };
        log.warn(`not sent ${binary.name}: ${outcome.reason}; server back-off until ${iso(until)}`);
        break;
      }
      case 'permanent': {
        counts.errors++;
        serverReachable = true;
        lastFailure = { atMs, reason: `${binary.name}: ${outcome.reason}` };
        const heldNow = heldBack.fail(sha256, binary.name, outcome.reason, atMs);
        log.error(`refused ${binary.name}: ${outcome.reason}`);
        if (heldNow) {
          counts.resolved++;
          log.error(`held back ${binary.name} after ${config.holdBackAfterFailures} refusals; retry it from the tray or with 'series3-watcher retry'`);
        }
        break;
      }
    }
    ctx.onProgress?.({
      forwarded: counts.forwarded,
      errors: counts.errors,
      remaining: candidates.length - counts.resolved,
      last: {
        kind: outcome.kind,
        atMs,
        reason: outcome.kind === 'delivered' ? null : outcome.kind === 'permanent' ? `${binary.name}: ${outcome.reason}` : outcome.reason,
      },
    });
  };

  // Deliveries acknowledged by the server whose record line is not yet on disk; bounded so a
  // crash can only ever resend a handful (the server recognises them by content anyway).
  const recording = new Set<Promise<void>>();
  const trackRecording = (write: Promise<void>, filename: string): void => {
    const tracked: Promise<void> = write
      .catch((err: Error) => {
        counts.errors++;
        lastFailure = { atMs: ctx.now(), reason: `${filename}: delivered but not recorded: ${err.message}` };
        log.error(`delivered ${filename} but could not record it in ${ledger.dir} (${err.message}); it may be sent again`);
      })
      .finally(() => recording.delete(tracked));
    recording.add(tracked);
  };

  const guarded = async (candidate: Candidate): Promise<void> => {
    try {
      await processOne(candidate);
    } catch (err) {
      counts.errors++;
      const reason = `${candidate.event.binary.name}: ${(err as Error).message}`;
      lastFailure = { atMs: ctx.now(), reason };
      log.error(`unexpected failure on ${reason}`);
    }
  };

  let next = 0;
  const inFlight = new Set<Promise<void>>();
  const canStart = (): boolean => !ctx.shouldStop() && counts.started < ctx.budget && !blocked();
  for (;;) {
    while (inFlight.size < limit && recording.size < limit && next < candidates.length && canStart()) {
      const candidate = candidates[next++]!;
      counts.started++;
      const task: Promise<void> = guarded(candidate).finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    const moreToStart = next < candidates.length && canStart();
    if (inFlight.size === 0 && (recording.size === 0 || !moreToStart)) break;
    await Promise.race([...inFlight, ...recording]);
  }
  await Promise.all(recording);

  const stoppedEarly = next < candidates.length && blocked();
  if (stoppedEarly) log.warn(`pass stopped early: the server is not answering; ${candidates.length - next} events wait for it`);
  await heldBack.save();
  return finish({
    pending: Math.max(0, candidates.length - counts.resolved),
    settling,
    tooOld,
    stoppedEarly,
    nextReadyAtMs,
    folderProblem: null,
  });
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
