// One event -> one multipart request -> one outcome, over one pooled connection set
// per uploader. Owns the HTTP side of the import contract (SPEC §3): the request's
// shape, the token header, CA and proxy, time-outs, the concurrency limit, and
// reading (always finishing) the answer. What an answer means is classify.ts's job.

import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Blob } from 'node:buffer';
import { Agent, FormData, ProxyAgent, request, type Dispatcher } from 'undici';
import {
  classifyAnswer,
  classifyCheckAnswer,
  classifyError,
  describeRequestError,
  displayUrl,
  redactCutText,
  redactSecret,
  type HttpAnswer,
} from './classify.js';
import { openFileBody, type FileBody } from './file-body.js';
import { USER_AGENT } from '../text/version.js';
import type { EventPayload, ServerCheck, UploaderOptions, UploadOutcome } from './types.js';

/**
 * An event plus what the caller may know about it beyond the contract types. The contract's
 * optional `?serial=<hint>` is supported here; the agent sends none (nothing in the folder names
 * the unit reliably before the server parses the event).
 */
export type UploadPayload = EventPayload & {
  /** Sent as `?serial=<hint>` so the server can file the event before parsing it. */
  readonly serialHint?: string;
};

export interface Uploader {
  /** Never throws for network or HTTP problems: they come back as an outcome. */
  upload(payload: UploadPayload, signal?: AbortSignal): Promise<UploadOutcome>;
  /** "Test connection": asks the import endpoint whether it takes the token, sending no file (the safe probe). */
  check(): Promise<ServerCheck>;
  /** Lets requests in flight finish (for a couple of seconds at most), then closes the connections. */
  close(): Promise<void>;
}

export const importPath = '/db/import/blastware_file';

/** A 200 answer lists one row per file; a megabyte is far beyond any real one. */
const maxJsonAnswerBytes = 1024 * 1024;
/** Error bodies are only quoted in part; no need to hold a whole HTML page. */
const maxErrorAnswerBytes = 16 * 1024;
/** How long close() waits for requests in flight before cutting them off. */
const closeGraceMs = 2_000;
/** Unread answer bytes beyond what is kept are drained up to this, to keep the socket. */
const maxDrainBytes = 1024 * 1024;
/** A person is waiting at the "Test connection" button: give up sooner than an upload would. */
const maxCheckTimeoutMs = 15_000;

/** `{base}/db/import/blastware_file`; forgiving of a trailing slash or the full endpoint pasted in. */
export function importUrl(baseUrl: string): string {
  const base = baseUrl.trim().replace(/\/+$/, '');
  return base.endsWith(importPath) ? base : `${base}${importPath}`;
}

/** One uploader's long-lived parts: fixed at creation but for `closed` and `attempts`. */
interface UploaderState {
  /** `{SFM_URL}/db/import/blastware_file`. */
  readonly endpoint: string;
  /** The server token ('' for none); only ever sent in the Authorization header. */
  readonly token: string;
  /** The headers every request carries: User-Agent, and Authorization when there is a token. */
  readonly baseHeaders: Readonly<Record<string, string>>;
  /** The limit on one whole exchange. */
  readonly timeoutMs: number;
  /** SFM_PROXY as given ('' for none), for the words of a failure. */
  readonly proxy: string;
  /** The pooled connections (through the proxy, with the extra CA). */
  readonly dispatcher: Dispatcher;
  /** At most SFM_CONCURRENCY uploads in flight. */
  readonly slots: Slots;
  /** Requests in flight, so close() can cut off those that overstay its grace period. */
  readonly attempts: Set<Attempt>;
  /** close() was called: nothing new is sent. */
  closed: boolean;
}

/** Throws only for a bad option (URL, CA file, proxy, numbers), with a message naming it. */
export function createUploader(options: UploaderOptions): Uploader {
  const endpoint = checkedEndpoint(options.url);
  if (!(Number.isFinite(options.timeoutMs) && options.timeoutMs > 0)) {
    throw new RangeError(`the HTTP time-out must be a positive number of milliseconds, got ${options.timeoutMs}; check SFM_HTTP_TIMEOUT_SECONDS`);
  }
  if (!(Number.isInteger(options.concurrency) && options.concurrency >= 1)) {
    throw new RangeError(`the upload concurrency must be a whole number of at least 1, got ${options.concurrency}; check SFM_CONCURRENCY`);
  }
  const proxy = options.proxy.trim();
  const u: UploaderState = {
    endpoint,
    token: options.token,
    baseHeaders: { 'user-agent': USER_AGENT, ...(options.token !== '' ? { authorization: `Bearer ${options.token}` } : {}) },
    timeoutMs: options.timeoutMs,
    proxy,
    dispatcher: createDispatcher(options, proxy),
    slots: createSlots(options.concurrency),
    attempts: new Set(),
    closed: false,
  };
  return {
    upload: (payload, signal) => uploadOne(u, payload, signal),
    check: () => checkEndpoint(u),
    close: () => closeUploader(u),
  };
}

function begin(u: UploaderState, limitMs: number, caller?: AbortSignal): Attempt {
  const attempt = startAttempt(limitMs, caller, () => u.attempts.delete(attempt));
  u.attempts.add(attempt);
  return attempt;
}

async function uploadOne(u: UploaderState, payload: UploadPayload, signal: AbortSignal | undefined): Promise<UploadOutcome> {
  const notSent = `the upload to ${displayUrl(u.endpoint)} was not sent: the uploader is closed`;
  if (u.closed) return { kind: 'transient', reason: notSent };
  const release = await u.slots.acquire(signal);
  if (release === undefined) {
    return { kind: 'transient', reason: `the upload to ${displayUrl(u.endpoint)} was cancelled before it was sent` };
  }
  try {
    if (u.closed) return { kind: 'transient', reason: notSent };
    const outcome = await send(u, payload, signal);
    // Servers echo what they got; the token must not ride along into a log.
    return outcome.kind === 'delivered' ? outcome : { ...outcome, reason: redactSecret(outcome.reason, u.token) };
  } finally {
    release();
  }
}

/** The multipart body: built in memory for a small binary, streamed from its file for a large one. */
async function bodyOf(
  u: UploaderState,
  payload: UploadPayload,
  progressed: () => void,
): Promise<{ kind: 'unreadable'; reason: string } | { kind: 'ready'; body: FormData | FileBody['stream']; headers: Record<string, string>; fileBody?: FileBody }> {
  const report = payload.reportName !== null && payload.reportBytes !== null ? { name: payload.reportName, bytes: payload.reportBytes } : null;
  if (payload.binaryFile !== undefined) {
    // A large binary: streamed from its file, never held whole (issue 7 item 8).
    const opened = await openFileBody(payload.binaryName, payload.binaryFile, report, progressed);
    if (opened.kind === 'unreadable') return opened;
    const fileBody = opened.body;
    const headers = { ...u.baseHeaders, 'content-type': fileBody.contentType, 'content-length': String(fileBody.contentLength) };
    return { kind: 'ready', body: fileBody.stream, headers, fileBody };
  }
  const form = new FormData();
  // Binary first, then its report: the order the server pairs them in.
  form.append('files', new Blob([payload.binaryBytes], { type: 'application/octet-stream' }), payload.binaryName);
  if (report !== null) form.append('files', new Blob([report.bytes], { type: 'text/plain' }), report.name);
  return { kind: 'ready', body: form, headers: { ...u.baseHeaders } };
}

async function send(u: UploaderState, payload: UploadPayload, signal: AbortSignal | undefined): Promise<UploadOutcome> {
  const url = payload.serialHint ? `${u.endpoint}?serial=${encodeURIComponent(payload.serialHint)}` : u.endpoint;
  let attempt: Attempt | undefined;
  // A streamed body's time limit counts from the last chunk sent, not from the start: a 300 MB
  // event on a slow line takes longer than SFM_HTTP_TIMEOUT_SECONDS yet is no silent server.
  const built = await bodyOf(u, payload, () => attempt?.progressed());
  if (built.kind === 'unreadable') return built;
  const { body, headers, fileBody } = built;
  // headersTimeout/bodyTimeout catch a silent socket; this one bounds the whole
  // exchange, and starts only once a slot is ours so queueing never eats into it.
  attempt = begin(u, u.timeoutMs, signal);
  const hasToken = u.token !== '';
  try {
    const answer = await exchange(u.dispatcher, url, { method: 'POST', body, headers, signal: attempt.signal }, u.token);
    const outcome = classifyAnswer(answer, { url, binaryName: payload.binaryName, hasToken, token: u.token, nowMs: Date.now() });
    if (fileBody === undefined || outcome.kind !== 'delivered') return outcome;
    return { ...outcome, sent: await fileBody.finish() };
  } catch (error) {
    // The file, not the server, ended the request: no back-off, no blame on the event.
    const problem = fileBody?.problem();
    if (problem) return { kind: 'unreadable', reason: problem };
    const context = { url, timeoutMs: u.timeoutMs, timedOut: attempt.timedOut(), cancelled: attempt.cancelled(), proxy: u.proxy, token: u.token };
    return classifyError(error, context);
  } finally {
    attempt.end();
    // Closed as soon as the send ends, also on error, time-out or abort: Blastware's folder.
    await fileBody?.close();
  }
}

async function checkEndpoint(u: UploaderState): Promise<ServerCheck> {
  const checkTimeoutMs = Math.min(u.timeoutMs, maxCheckTimeoutMs);
  const attempt = begin(u, checkTimeoutMs);
  let result: ServerCheck;
  try {
    // The safe probe (classifyCheckAnswer): a POST with an empty body, so no `files` field.
    const answer = await exchange(u.dispatcher, u.endpoint, { method: 'POST', body: '', headers: u.baseHeaders, signal: attempt.signal }, u.token);
    result = classifyCheckAnswer(answer, { url: u.endpoint, hasToken: u.token !== '', token: u.token });
  } catch (error) {
    const context = { url: u.endpoint, timeoutMs: checkTimeoutMs, timedOut: attempt.timedOut(), cancelled: attempt.cancelled(), proxy: u.proxy, token: u.token };
    result = { kind: 'failed', token: 'unknown', reason: describeRequestError(error, context) };
  } finally {
    attempt.end();
  }
  return result.kind === 'ok' ? result : { ...result, reason: redactSecret(result.reason, u.token) };
}

async function closeUploader(u: UploaderState): Promise<void> {
  if (u.closed) return;
  u.closed = true;
  // Requests in flight get a moment to finish; one stuck on a silent server must not hold up a
  // settings change or shutdown for a whole time-out. Cutting it short is safe: the server
  // deduplicates by sha256.
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), closeGraceMs);
  });
  const drained = u.dispatcher.close();
  const finished = await Promise.race([drained.then(() => 'done' as const), grace]);
  clearTimeout(timer);
  if (finished === 'late') {
    for (const attempt of u.attempts) attempt.cancel();
    await drained;
  }
}

function checkedEndpoint(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new TypeError(`SFM_URL "${url}" is not a URL; write it like http://sfm-server:8000`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`SFM_URL "${displayUrl(url)}" must start with http:// or https://`);
  }
  return importUrl(parsed.href);
}

function createDispatcher(options: UploaderOptions, proxy: string): Dispatcher {
  const tls = options.caFile.trim() === '' ? {} : { ca: [...rootCertificates, readCaFile(options.caFile.trim())] };
  const pool = {
    // Pipelining stays at undici's default of 1, so this is also the most
    // requests in flight; keep-alive reuses the sockets between events.
    connections: options.concurrency,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  };
  if (proxy === '') return new Agent({ ...pool, connect: tls });
  try {
    new URL(proxy);
  } catch {
    // Not quoted: a proxy setting may carry a password.
    throw new TypeError('SFM_PROXY is not a URL; write it like http://proxy:3128');
  }
  // The extra CA applies to the server behind the proxy and to an https proxy alike.
  return new ProxyAgent({ ...pool, uri: proxy, requestTls: tls, proxyTls: tls });
}

function readCaFile(path: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot read the CA file ${path} (SFM_CA_FILE): ${why}; fix the path or clear SFM_CA_FILE`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new Error(`the CA file ${path} (SFM_CA_FILE) holds no PEM certificate ("-----BEGIN CERTIFICATE-----"); export the CA as PEM (Base-64)`);
  }
  return pem;
}

interface ExchangeOptions {
  readonly method: 'GET' | 'POST';
  readonly body?: FormData | FileBody['stream'] | '';
  readonly headers: Record<string, string>;
  readonly signal: AbortSignal;
}

/**
 * One request; reads (at most a cap of) the answer and always finishes with the body.
 * The token is blanked out of the body here, before anything quotes or cuts it.
 */
async function exchange(dispatcher: Dispatcher, url: string, options: ExchangeOptions, token: string): Promise<HttpAnswer> {
  const response = await request(url, { ...options, dispatcher });
  const { body } = response;
  try {
    const ok = response.statusCode >= 200 && response.statusCode < 300;
    const { text, truncated } = await readCapped(body, ok ? maxJsonAnswerBytes : maxErrorAnswerBytes);
    return { status: response.statusCode, headers: response.headers, body: truncated ? redactCutText(text, token) : redactSecret(text, token), truncated };
  } finally {
    // A body left unread holds its socket; one read to the end has already freed it.
    if (!body.readableEnded) body.destroy();
  }
}

/**
 * Keeps the first `maxBytes` of a body. The rest is read and dropped, up to a
 * limit, so the socket goes back to the pool; a body beyond that is not worth the
 * wait and the caller destroys it (losing only that socket).
 */
async function readCapped(body: AsyncIterable<unknown>, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let seen = 0;
  for await (const chunk of body) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    seen += bytes.length;
    if (kept < maxBytes) {
      const part = bytes.subarray(0, maxBytes - kept);
      chunks.push(part);
      kept += part.length;
    }
    if (seen > maxDrainBytes) break;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated: seen > kept };
}

/** One request's abort signal: its own time-out, the caller's signal, and close(). */
interface Attempt {
  readonly signal: AbortSignal;
  timedOut(): boolean;
  cancelled(): boolean;
  cancel(): void;
  /** Bytes went out: the time limit starts again (a large body may take longer than it). */
  progressed(): void;
  /** Stops the timer and lets go of the caller's signal. */
  end(): void;
}

/**
 * Built by hand rather than with AbortSignal.any/timeout: the caller's signal is
 * typically the agent's long-lived stop signal, and AbortSignal.any() on a
 * long-lived signal leaks in Node 20/22 (nodejs/node#55351).
 */
function startAttempt(limitMs: number, caller: AbortSignal | undefined, onEnd: () => void): Attempt {
  const controller = new AbortController();
  let why: 'time-out' | 'cancelled' | undefined;
  const stop = (reason: 'time-out' | 'cancelled'): void => {
    if (why !== undefined) return;
    why = reason;
    controller.abort(new Error(reason));
  };
  const timer = setTimeout(() => stop('time-out'), limitMs);
  const onCallerAbort = (): void => stop('cancelled');
  if (caller?.aborted) stop('cancelled');
  else caller?.addEventListener('abort', onCallerAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => why === 'time-out',
    cancelled: () => why === 'cancelled',
    cancel: () => stop('cancelled'),
    progressed() {
      if (why === undefined) timer.refresh();
    },
    end() {
      clearTimeout(timer);
      caller?.removeEventListener('abort', onCallerAbort);
      onEnd();
    },
  };
}

interface Slots {
  /** Resolves with a release function, or undefined if `signal` fired while waiting. */
  acquire(signal: AbortSignal | undefined): Promise<(() => void) | undefined>;
}

/** At most `limit` uploads at once; the rest wait their turn in order. */
function createSlots(limit: number): Slots {
  let busy = 0;
  const waiting: Array<() => void> = [];

  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else busy -= 1;
  };

  return {
    acquire(signal) {
      if (signal?.aborted) return Promise.resolve(undefined);
      if (busy < limit) {
        busy += 1;
        return Promise.resolve(once(release));
      }
      return new Promise((resolve) => {
        const onAbort = (): void => {
          const index = waiting.indexOf(grant);
          if (index >= 0) waiting.splice(index, 1);
          resolve(undefined);
        };
        // The slot passes straight from the releaser to this waiter (busy unchanged).
        const grant = (): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve(once(release));
        };
        waiting.push(grant);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      fn();
    }
  };
}
