// One event -> one multipart request -> one outcome.

interface EventPayloadBase {
  readonly binaryName: string;
  readonly reportName: string | null;
  /** Sent as text/plain when present. */
  readonly reportBytes: Uint8Array | null;
}

/**
 * A binary in memory (the exact bytes that were hashed), or, for a large one, the file to stream
 * from: the uploader then reports the hash of the bytes it actually sent (`delivered.sent`).
 * Either way it goes as application/octet-stream.
 */
export type EventPayload = EventPayloadBase &
  (
    | { readonly binaryBytes: Uint8Array; readonly binaryFile?: undefined }
    | { readonly binaryBytes?: undefined; readonly binaryFile: StreamedFile }
  );

/** A binary to stream: where it is, and the size and mtime it had when it was hashed. */
export interface StreamedFile {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/** What went out when a binary was streamed from its file. */
export interface SentFile {
  /** sha256 of exactly the bytes streamed (the ones the server got). */
  readonly sha256: string;
  readonly size: number;
  /** How the file moved while it was sent (size, mtime), or null when it stood still. */
  readonly changed: string | null;
}

export type UploadOutcome =
  | { readonly kind: 'delivered'; readonly status: number; readonly sent?: SentFile }
  /**
   * network error, time-out, 408, 429, 5xx, 401/403, a redirect, and a 200 that is not the
   * server's JSON (a proxy page) or has no "results": back off the whole server.
   */
  | { readonly kind: 'transient'; readonly reason: string; readonly retryAfterMs?: number }
  /** other 4xx, a row that is not ok, no row for the binary: count towards holding back. */
  | { readonly kind: 'permanent'; readonly reason: string }
  /**
   * A streamed binary could not be read while it was sent (locked, vanished, shorter than when
   * it was hashed): neither the server's fault nor the event's; a later pass tries again.
   */
  | { readonly kind: 'unreadable'; readonly reason: string };

export interface UploaderOptions {
  /** Base URL (SFM_URL). The import path is appended. */
  readonly url: string;
  readonly token: string;
  readonly caFile: string;
  readonly proxy: string;
  readonly timeoutMs: number;
  readonly concurrency: number;
}

/**
 * What "Test connection" learnt of the token: `accepted` (a token was sent and the endpoint got
 * past its check), `not-needed` (none is set and none was asked for), `refused` (the server refused
 * the token sent), `missing` (none is set and the server wants one), `unknown` (no answer told).
 */
export type TokenVerdict = 'accepted' | 'not-needed' | 'refused' | 'missing' | 'unknown';

export type ServerCheck =
  | { readonly kind: 'ok'; readonly token: 'accepted' | 'not-needed'; readonly detail: string }
  | { readonly kind: 'failed'; readonly token: 'refused' | 'missing' | 'unknown'; readonly reason: string };
