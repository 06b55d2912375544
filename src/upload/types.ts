// One event -> one multipart request -> one outcome.

export interface EventPayload {
  readonly binaryName: string;
  /** The exact bytes that were hashed; sent as application/octet-stream. */
  readonly binaryBytes: Uint8Array;
  readonly reportName: string | null;
  /** Sent as text/plain when present. */
  readonly reportBytes: Uint8Array | null;
}

export type UploadOutcome =
  | { readonly kind: 'delivered'; readonly status: number }
  /**
   * network error, time-out, 408, 429, 5xx, 401/403, a redirect, and a 200 that is not the
   * server's JSON (a proxy page) or has no "results": back off the whole server.
   */
  | { readonly kind: 'transient'; readonly reason: string; readonly retryAfterMs?: number }
  /** other 4xx, a row that is not ok, no row for the binary: count towards holding back. */
  | { readonly kind: 'permanent'; readonly reason: string };

export interface UploaderOptions {
  /** Base URL (SFM_URL). The import path is appended. */
  readonly url: string;
  readonly token: string;
  readonly caFile: string;
  readonly proxy: string;
  readonly timeoutMs: number;
  readonly concurrency: number;
}

export type ServerCheck =
  | { readonly kind: 'ok'; readonly detail: string }
  | { readonly kind: 'failed'; readonly reason: string };
