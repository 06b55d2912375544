// Sending one ready event: read (or, for a large binary, hash by streaming) once, check the record
// and any upload of the same content in flight, read the report, upload, and record what the
// server acknowledged. Returns one tagged result, which the pass counts in one place.
import { createHash } from 'node:crypto';
import { defaultStreamAboveBytes, hashWhole, readWhole } from '../scan/index.js';
import type { DirEntry, ReadOutcome } from '../scan/types.js';
import type { Logger } from './logger.js';
import type { PassContext } from './pass.js';
import { identity, needsLateReport, type Candidate } from './plan.js';
import { isQuietKind, noteReadFailure, noteReadSuccess, type ReadTroubles } from './read-troubles.js';

const iso = (ms: number): string => new Date(ms).toISOString();

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** What became of one ready event: counted in one place (`tally`), never by string. */
export type SendResult =
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
export const UPLOADED: ReadonlySet<SendResult['kind']> = new Set(['delivered', 'transient', 'permanent']);
/** Results after which the event no longer waits in this pass. */
export const RESOLVED: ReadonlySet<SendResult['kind']> = new Set(['delivered', 'already-delivered', 'held']);

/** What sending needs beyond the pass context; lives for one pass. */
export interface SendContext {
  readonly ctx: PassContext;
  readonly troubles: ReadTroubles;
  /** Uploads in flight at once: 1 while probing a server that failed, else SFM_CONCURRENCY. */
  limit: number;
  /** sha256 -> the upload of that content now in flight, so a twin under another name waits for it. */
  readonly sending: Map<string, Promise<unknown>>;
  /**
   * Deliveries acknowledged by the server whose record line is not yet on disk; with the uploads
   * in flight at most 2 × `limit` (send-pool.ts), so a crash can only ever resend a handful (the
   * server recognises them by content anyway).
   */
  readonly recording: Set<Promise<void>>;
  readonly onRecordFailure: (err: unknown, filename: string) => void;
}

export async function sendOne(sender: SendContext, candidate: Candidate): Promise<SendResult> {
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

/** One event ready to go: its content's hash, its body, its report part. */
interface Outgoing {
  readonly binary: DirEntry;
  readonly sha256: string;
  /** The bytes read and hashed, or (large files) the file, streamed and hashed again as it goes. */
  readonly body: { readonly kind: 'bytes'; readonly bytes: Uint8Array } | { readonly kind: 'file'; readonly size: number };
  readonly reportPart: { name: string; bytes: Uint8Array } | null;
  readonly lateReport: boolean;
}

async function upload1(sender: SendContext, event: Outgoing): Promise<SendResult> {
  const { ctx } = sender;
  const { config, heldBack, log } = ctx;
  const { binary, sha256, body, reportPart } = event;
  const report = { reportName: reportPart?.name ?? null, reportBytes: reportPart?.bytes ?? null };
  const outcome = await ctx.uploader!.upload(
    body.kind === 'file'
      ? { binaryName: binary.name, binaryFile: { path: binary.path, size: binary.size, mtimeMs: binary.mtimeMs }, ...report }
      : { binaryName: binary.name, binaryBytes: body.bytes, ...report },
    ctx.signal,
  );
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
    case 'delivered':
      return recordDelivery(sender, event, atMs);
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

/**
 * The server has it: recorded in memory at once (so nothing sends it again), durable when the
 * fsync lands. The upload slot does not wait for the fsync: deliveries made meanwhile share the
 * next one, and the pass waits for every write before it ends.
 */
function recordDelivery(sender: SendContext, event: Outgoing, atMs: number): SendResult {
  const { ctx } = sender;
  const { binary, sha256, body, reportPart } = event;
  const size = body.kind === 'file' ? body.size : body.bytes.length;
  const write = ctx.ledger.record([
    {
      entry: { sha256, filename: binary.name, size, forwardedAt: iso(atMs), withReport: reportPart !== null, source: 'sent' },
      file: identity(binary),
    },
  ]);
  const tracked: Promise<void> = write
    .catch((err: unknown) => sender.onRecordFailure(err, binary.name))
    .finally(() => sender.recording.delete(tracked));
  sender.recording.add(tracked);
  ctx.heldBack.succeed(sha256);
  ctx.backoff.success();
  sender.limit = Math.max(1, ctx.config.concurrency);
  const what = event.lateReport ? 'late report for' : 'delivered';
  ctx.log.info(`${what} ${binary.name}${reportPart ? ` + ${reportPart.name}` : ' (no report)'} ${size} B sha256 ${sha256.slice(0, 12)}`);
  return { kind: 'delivered', withReport: reportPart !== null };
}

function readFailed(sender: SendContext, name: string, read: Extract<ReadOutcome, { kind: 'failed' }>): SendResult {
  const told = noteReadFailure(sender.troubles, name, { kind: read.error, reason: read.reason }, sender.ctx.now());
  tellOnce(sender.ctx.log, told);
  // Locked, vanished or still changing: not the technician's problem (for a while); a later pass tries again.
  if (isQuietKind(read.error)) return { kind: 'in-motion' };
  return { kind: 'unreadable', reason: `${name}: ${read.reason}` };
}

function tellOnce(log: Logger, line: string | null): void {
  if (line !== null) log.warn(line);
}

