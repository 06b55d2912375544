// Turns what came back from the server (an HTTP answer or an error) into an outcome
// with a reason a technician can read. Pure: no I/O, the clock is a parameter. The
// only place that decides transient vs permanent, so nobody parses reason strings.

import { STATUS_CODES } from 'node:http';
import { oneLine as safeOneLine } from '../text/one-line.js';
import type { ServerCheck, UploadOutcome } from './types.js';
import { isRecord, REDACTED, redactSecrets } from '../text/errors.js';

/** What the uploader read of an answer. */
export interface HttpAnswer {
  readonly status: number;
  /** Lower-case header names, as Node and undici give them. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The body as text, possibly cut short (see `truncated`). */
  readonly body: string;
  readonly truncated: boolean;
}

export interface AnswerContext {
  /** The URL the request went to. */
  readonly url: string;
  /** The row with this filename decides delivery. */
  readonly binaryName: string;
  readonly hasToken: boolean;
  /** The token the request carried ('' or absent: none); blanked out of every quote before it is cut. */
  readonly token?: string;
  /** For a Retry-After given as an HTTP date. */
  readonly nowMs: number;
}

export interface ErrorContext {
  readonly url: string;
  readonly timeoutMs: number;
  /** Our own time-out fired (the error is then whatever the abort produced). */
  readonly timedOut: boolean;
  /** The caller's signal fired: the agent is stopping, not the server failing. */
  readonly cancelled: boolean;
  /** Proxy URL when one is used, '' otherwise. */
  readonly proxy: string;
  /** The token the request carried, blanked out of a quoted error message. */
  readonly token?: string;
}

/** The longest stretch of a body quoted in a reason. */
export const excerptChars = 200;
/** The longest row status or file name quoted in a reason, and how many rows are named. */
const nameChars = 60;
const maxRowNames = 5;
/** The longest row detail quoted in a reason. */
const detailChars = 500;

const importEndpointHint = 'is this seismo-relay v0.16 or later?';

// ---------------------------------------------------------------------------------
// Upload answers

export function classifyAnswer(answer: HttpAnswer, context: AnswerContext): UploadOutcome {
  const { status } = answer;
  if (status >= 200 && status < 300) return classifyImportResult(answer, context);
  const reason = httpFailureReason(answer, context);
  // 3xx is not in the contract; a moved server is a server-wide problem like an
  // outage, so it backs off the server instead of holding back events one by one.
  // A refused token (401/403) is server-wide too: every event would be refused, and
  // holding each back would leave a person to release them all after fixing the token.
  if (status === 408 || status === 429 || status >= 500 || status === 401 || status === 403 || (status >= 300 && status < 400)) {
    const retryAfterMs = parseRetryAfterMs(headerValue(answer.headers, 'retry-after'), context.nowMs);
    return retryAfterMs === undefined
      ? { kind: 'transient', reason }
      : { kind: 'transient', reason, retryAfterMs };
  }
  return { kind: 'permanent', reason };
}

function classifyImportResult(answer: HttpAnswer, context: AnswerContext): UploadOutcome {
  const { status } = answer;
  const { binaryName } = context;
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    const cut = answer.truncated ? ' (cut short)' : '';
    const quoted = bodyExcerpt(answer.body, headerValue(answer.headers, 'content-type'), context.token);
    // A proxy or captive-portal page answers every event alike: the server as a whole is not
    // reachable, so it backs off like an outage and never counts against the event (SPEC §3).
    return {
      kind: 'transient',
      reason:
        `the server answered HTTP ${status} but not with JSON${cut}` +
        (quoted ? `: "${quoted}"` : ' (empty answer)') +
        `; is ${displayUrl(context.url)} the seismo-relay import endpoint?`,
    };
  }
  const results = isRecord(parsed) && Array.isArray(parsed['results']) ? parsed['results'] : undefined;
  if (results === undefined) {
    // Not the import contract's answer (some other service on that address): server-wide, like above.
    return {
      kind: 'transient',
      reason:
        `the server answered HTTP ${status} with JSON but without a "results" list: "${bodyExcerpt(answer.body, '', context.token)}"` +
        `; is ${displayUrl(context.url)} the seismo-relay import endpoint?`,
    };
  }
  const rows = results.filter(isRecord);
  const row = rows.find((r) => r['filename'] === binaryName);
  if (row === undefined) {
    const names = rows.slice(0, maxRowNames).map((r) => clip(String(r['filename']), nameChars)).join(', ') + (rows.length > maxRowNames ? `, and ${rows.length - maxRowNames} more` : '');
    return {
      kind: 'permanent',
      reason: `the server's answer has no row for ${binaryName}` + (names ? ` (rows for: ${names})` : ' (no rows at all)'),
    };
  }
  if (row['status'] === 'ok') return { kind: 'delivered', status };
  const detail = typeof row['detail'] === 'string' && row['detail'].trim() !== '' ? clip((redactSecret(row['detail'], context.token ?? '')), detailChars) : 'no detail given';
  return {
    kind: 'permanent',
    reason: `the server did not import ${binaryName} (status "${clip(String(row['status']), nameChars)}"): ${detail}`,
  };
}

function httpFailureReason(answer: HttpAnswer, context: { url: string; hasToken: boolean; token?: string }): string {
  const { status } = answer;
  const head = `HTTP ${status}: ${STATUS_CODES[status] ?? 'unexpected status'}`;
  if (status === 401 || status === 403) {
    // Never quote the body here: a server may echo the credentials it refused.
    return context.hasToken
      ? `${head}: the server refused the access token; check SFM_API_TOKEN`
      : `${head}: the server refused the request without an access token; set SFM_API_TOKEN`;
  }
  if (status === 404) return `${head}: no import endpoint at ${displayUrl(context.url)}: ${importEndpointHint}`;
  if (status >= 300 && status < 400) {
    const location = headerValue(answer.headers, 'location');
    return location
      ? `${head}: the server sends ${displayUrl(context.url)} to ${displayUrl(location, context.url)}; set SFM_URL to the new address`
      : `${head}: the server redirects without saying where; check SFM_URL`;
  }
  const quoted = bodyExcerpt(answer.body, headerValue(answer.headers, 'content-type'), context.token);
  return quoted ? `${head}: "${quoted}"` : head;
}

// ---------------------------------------------------------------------------------
// "Test connection"

/** What a person reads when all is well (the CLI's `check` and the settings window alike). */
export const connectedWithToken = 'Connected: the import endpoint answered and the token was accepted';
export const connectedWithoutToken = 'Connected: the import endpoint answered; no token is set and the server asked for none';

/**
 * Reads the answer to the safe probe: a `POST {SFM_URL}/db/import/blastware_file` with an empty
 * body, so no `files` field (check() never uploads). FastAPI routes the request, runs the token's
 * check, then validates the body: 401/403 is a refused (or missing) token, 422 ("files: Field
 * required") is the endpoint itself having accepted the token, and nothing is stored either way.
 * (A GET proves less: FastAPI answers it with 405 before any authentication.)
 */
export function classifyCheckAnswer(answer: HttpAnswer, context: { url: string; hasToken: boolean; token?: string }): ServerCheck {
  const { status } = answer;
  const at = displayUrl(context.url);
  if (status === 422 || (status >= 200 && status < 300 && isImportAnswer(answer.body))) {
    return context.hasToken ? { kind: 'ok', token: 'accepted', detail: connectedWithToken } : { kind: 'ok', token: 'not-needed', detail: connectedWithoutToken };
  }
  if (status === 401 || status === 403) {
    // Never quote the body here: a server may echo the credentials it refused.
    return context.hasToken
      ? { kind: 'failed', token: 'refused', reason: `the server refused the token (HTTP ${status}); check SFM_API_TOKEN` }
      : { kind: 'failed', token: 'missing', reason: `the server wants a token (HTTP ${status}) and none is set; set SFM_API_TOKEN` };
  }
  if (status === 404) return { kind: 'failed', token: 'unknown', reason: `no import endpoint at ${at}: ${importEndpointHint}` };
  if (status === 405) {
    return { kind: 'failed', token: 'unknown', reason: `${at} does not take uploads (HTTP 405 to a POST): set SFM_URL to the SFM server's address, e.g. http://sfm-server:8000` };
  }
  if (status >= 200 && status < 300) {
    const quoted = bodyExcerpt(answer.body, headerValue(answer.headers, 'content-type'), context.token);
    return {
      kind: 'failed',
      token: 'unknown',
      reason: `the server answered HTTP ${status}${quoted ? ` with "${quoted}"` : ' with nothing'}, not as the SFM import endpoint does; is ${at} the seismo-relay import endpoint (or is a proxy or login page answering)?`,
    };
  }
  return { kind: 'failed', token: 'unknown', reason: httpFailureReason(answer, context) };
}

/** The import contract's JSON answer (`{"results": [...]}`), e.g. a server that takes an empty import. */
function isImportAnswer(body: string): boolean {
  try {
    const parsed: unknown = JSON.parse(body);
    return isRecord(parsed) && Array.isArray(parsed['results']);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------
// Errors (no answer at all)

/** Every request error is transient: the server, not the event, is the problem. */
export function classifyError(error: unknown, context: ErrorContext): UploadOutcome {
  return { kind: 'transient', reason: describeRequestError(error, context) };
}

const untrustedCertificateCodes = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

export function describeRequestError(error: unknown, context: ErrorContext): string {
  const url = displayUrl(context.url);
  const origin = displayOrigin(context.url);
  const proxy = context.proxy ? displayOrigin(context.proxy) : '';
  const to = proxy ? `${origin} through the proxy ${proxy}` : origin;
  const codes = errorCodes(error);
  const has = (...wanted: string[]): string | undefined => wanted.find((c) => codes.includes(c));

  if (context.cancelled) return `the upload to ${url} was cancelled before the server answered`;
  if (context.timedOut || has('UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT') || errorNames(error).includes('TimeoutError')) {
    return `no answer from ${url} within ${formatDuration(context.timeoutMs)}`;
  }
  if (has('ECONNREFUSED')) return `cannot connect to ${to}: connection refused`;
  if (has('ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME')) {
    return `cannot connect to ${to}: host name not found; check SFM_URL and the network`;
  }
  if (has('ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT')) return `cannot connect to ${to}: the connection attempt timed out`;
  if (has('EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN')) return `cannot connect to ${to}: network unreachable`;
  if (has('CERT_HAS_EXPIRED')) return `cannot connect securely to ${origin}: the server's certificate has expired`;
  if (has('CERT_NOT_YET_VALID')) return `cannot connect securely to ${origin}: the server's certificate is not valid yet (check this PC's clock)`;
  if (has('ERR_TLS_CERT_ALTNAME_INVALID')) {
    return `cannot connect securely to ${origin}: the server's certificate is not for this host name; check SFM_URL`;
  }
  const certCode = codes.find((c) => untrustedCertificateCodes.has(c));
  if (certCode) {
    return (
      `cannot connect securely to ${origin}: the server's certificate is not trusted (${certCode}); ` +
      `if it comes from a private CA, set SFM_CA_FILE to that CA's PEM file`
    );
  }
  const tls = codes.find((c) => c === 'EPROTO' || c.startsWith('ERR_SSL_') || c.startsWith('ERR_TLS_'));
  if (tls) return `cannot connect securely to ${origin}: TLS handshake failed (${tls}); does the server speak https on that port?`;
  if (has('ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED')) {
    return `the connection to ${to} was closed before the server answered`;
  }
  const parser = codes.find((c) => c.startsWith('HPE_'));
  if (parser) return `the answer from ${origin} is not valid HTTP (${parser}); is SFM_URL the right address and scheme?`;
  const proxyStatus = /Proxy response \((\d+)\)/.exec(errorMessages(error).join(' '));
  if (proxy && proxyStatus) return `the proxy ${proxy} refused the connection to ${origin} (HTTP ${proxyStatus[1]}); check SFM_PROXY`;
  if (has('UND_ERR_DESTROYED', 'UND_ERR_CLOSED')) return `the upload to ${url} was not sent: the uploader is closed`;
  const message = errorMessages(error)[0] ?? String(error);
  return `cannot reach ${to}: ${clip((redactSecret(message, context.token ?? '')), excerptChars)}`;
}

/** The error's codes, its causes' codes and (for AggregateError) its members' codes. */
function errorCodes(error: unknown): string[] {
  return collect(error, (e) => (typeof e['code'] === 'string' ? e['code'] : undefined));
}

function errorNames(error: unknown): string[] {
  return collect(error, (e) => (typeof e['name'] === 'string' ? e['name'] : undefined));
}

function errorMessages(error: unknown): string[] {
  return collect(error, (e) => (typeof e['message'] === 'string' && e['message'] !== '' ? e['message'] : undefined));
}

function collect(error: unknown, pick: (e: Record<string, unknown>) => string | undefined, depth = 0): string[] {
  if (!isRecord(error) || depth > 4) return [];
  const own = pick(error);
  const members = Array.isArray(error['errors']) ? error['errors'] : [];
  return [
    ...(own === undefined ? [] : [own]),
    ...collect(error['cause'], pick, depth + 1),
    ...members.flatMap((m: unknown) => collect(m, pick, depth + 1)),
  ];
}

// ---------------------------------------------------------------------------------
// Small readable pieces

/** Retry-After as delay-seconds or an HTTP date; undefined when absent, past or unreadable. */
export function parseRetryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) {
    const ms = Math.round(Number(text) * 1000);
    return ms > 0 ? ms : undefined;
  }
  const atMs = Date.parse(text);
  if (Number.isNaN(atMs)) return undefined;
  const ms = atMs - nowMs;
  return ms > 0 ? ms : undefined;
}

/**
 * A short, one-line stretch of a body for a reason: a JSON error's own message when
 * there is one (FastAPI's {"detail": ...}), the text of an HTML error page, else the
 * start of the body. The token is blanked out of the raw body and again out of what
 * JSON or HTML decoding made of it, always before cutting: a cut through the token
 * would leave its first characters where no later search for the whole token finds them.
 */
export function bodyExcerpt(body: string, contentType = '', token = ''): string {
  const text = redactSecret(body, token).trim();
  if (text === '') return '';
  const fromJson = jsonMessage(text);
  if (fromJson !== undefined) return clip((redactSecret(fromJson, token)), excerptChars);
  if (/html/i.test(contentType) || /^<(!doctype|html|head|body)/i.test(text)) {
    const visible = text
      .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
      .replace(/<[^>]*>/g, ' ')
      .replace(/&nbsp;/g, ' ')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&');
    return clip((redactSecret(visible, token)), excerptChars);
  }
  return clip((text), excerptChars);
}

function jsonMessage(text: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed)) return undefined;
  const detail = parsed['detail'] ?? parsed['message'] ?? parsed['error'];
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    // FastAPI validation errors: [{"loc": [...], "msg": "..."}]
    const messages = detail
      .filter(isRecord)
      .map((d) => (Array.isArray(d['loc']) ? `${d['loc'].join('.')}: ${String(d['msg'])}` : String(d['msg'])));
    if (messages.length > 0) return messages.join('; ');
  }
  return undefined;
}

/** "60 s", "1.5 s", "200 ms". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** A URL fit for a message: never with a user name or password in it. */
export function displayUrl(url: string, base?: string): string {
  try {
    const parsed = new URL(url, base);
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return 'an unreadable URL';
  }
}

function displayOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'an unreadable URL';
  }
}

/** Replaces every occurrence of the token; it must never reach a log line. */
export function redactSecret(text: string, secret: string): string {
  return redactSecrets(text, [secret]);
}

/**
 * For a body read only up to a cap: blanks the token out, and also a start of the token
 * left at the very end, where the cap cut through it (that piece alone is still secret).
 */
export function redactCutText(text: string, secret: string): string {
  const whole = redactSecret(text, secret);
  if (secret === '') return whole;
  for (let length = Math.min(secret.length - 1, whole.length); length > 0; length -= 1) {
    if (whole.endsWith(secret.slice(0, length))) return `${whole.slice(0, whole.length - length)}${REDACTED}`;
  }
  return whole;
}

function headerValue(headers: HttpAnswer['headers'], name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : value?.[0];
}

/** Text from the server or the network, quoted in a reason: runs of white space as one space, then one safe line. */
function clip(text: string, max: number): string {
  return safeOneLine(text.replace(/\s+/g, ' '), max);
}

