// A real HTTP server on 127.0.0.1 that speaks the SFM import contract (SPEC §3) the
// way seismo-relay does, for tests, benchmarks and the settings-page tests. It parses
// multipart for real, records every request, deduplicates by sha256 like the server,
// and can be told per request to fail in each of the ways a real server fails.
//
// It answers in FastAPI's order, which is what makes "Test connection"'s safe probe work: the
// route first (404 for another path, 405 with `Allow: POST` for another method, before any
// authentication), then the token (401, or `tokenRefusalStatus`), then the body (422 "files: Field
// required" when there is no `files` part, storing nothing), and only then the import.

import { createHash } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { Request } from 'undici';

export const receiverImportPath = '/db/import/blastware_file';

export interface ReceivedFile {
  /** The multipart part name; the contract wants `files`. */
  readonly field: string;
  readonly filename: string;
  readonly contentType: string;
  readonly size: number;
  readonly sha256: string;
}

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly authorization: string | undefined;
  /** The User-Agent header as it arrived. */
  readonly userAgent: string | undefined;
  /** In the order they were sent; empty when the body is not multipart. */
  readonly files: readonly ReceivedFile[];
  /** Epoch ms when the request arrived. */
  readonly at: number;
}

export interface StoredBinary {
  readonly sha256: string;
  readonly filename: string;
  readonly size: number;
}

/** A scripted answer comes before the route and the token, as from a proxy or a broken server in front. */
export type Behaviour =
  /** Answer as the server would (FastAPI's order, see the top of this file). */
  | { readonly kind: 'ok' }
  | { readonly kind: 'status'; readonly status: number; readonly body?: string; readonly headers?: Readonly<Record<string, string>> }
  /** Destroy the socket without an answer. */
  | { readonly kind: 'reset' }
  /** 200 with an HTML page. */
  | { readonly kind: 'not-json' }
  /** 200 whose row for the binary has this status and detail (nothing is stored). */
  | { readonly kind: 'row'; readonly status: string; readonly detail: string }
  | { readonly kind: 'delay'; readonly ms: number; readonly then?: Behaviour };

export type BehaviourFn = (request: ReceivedRequest, index: number) => Behaviour;

export interface ReceiverOptions {
  /** Added before every answer. */
  readonly latencyMs?: number;
  /** When set, a POST to the import path without `Authorization: Bearer <token>` is refused. */
  readonly token?: string;
  /** How a missing or wrong token is refused: 401 (the default) or 403, as FastAPI's HTTPBearer answers. */
  readonly tokenRefusalStatus?: 401 | 403;
  /** Serve https with this key and certificate (PEM). */
  readonly tls?: { readonly key: string; readonly cert: string };
  /** Bodies beyond this get 413 (default 64 MB); the large-event benchmark raises it. */
  readonly maxBodyBytes?: number;
  /** Read request bodies no faster than this (a slow line), so a test can act mid-upload. */
  readonly readBytesPerSecond?: number;
}

export interface Receiver {
  /** Base URL (SFM_URL), e.g. http://127.0.0.1:40123, no trailing slash. */
  readonly url: string;
  /** Every request so far, in arrival order. */
  readonly requests: readonly ReceivedRequest[];
  /** Distinct binaries (application/octet-stream parts) imported, by sha256, in order. */
  received(): readonly StoredBinary[];
  /** Script the answers; replaces the previous script. */
  behave(fn: BehaviourFn): void;
  /** The most requests that were being answered at the same moment. */
  peakInFlight(): number;
  /** TCP (or TLS) connections accepted so far: keep-alive reuse keeps this low. */
  connectionCount(): number;
  /** Request body bytes read so far, all requests together: a test can act once an upload is on the wire. */
  bodyBytesRead(): number;
  close(): Promise<void>;
}

/** Bodies beyond this get 413, so a runaway test cannot fill memory. */
const defaultMaxBodyBytes = 64 * 1024 * 1024;

export async function startReceiver(options: ReceiverOptions = {}): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const stored = new Map<string, StoredBinary & { readonly binary: boolean }>();
  // Pending waits, so close() can end them at once instead of leaving timers behind.
  const timers = new Map<NodeJS.Timeout, () => void>();
  let script: BehaviourFn = () => ({ kind: 'ok' });
  let inFlight = 0;
  let peak = 0;
  let connections = 0;
  let bodyBytes = 0;
  let closed = false;
  const maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes;

  const wait = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (ms <= 0 || closed) return resolve();
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.set(timer, resolve);
    });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const target = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req, maxBodyBytes, options.readBytesPerSecond, wait, (n) => (bodyBytes += n));
    const files = raw === undefined ? [] : await parseFiles(req, raw);
    const record: ReceivedRequest = {
      method: req.method ?? '',
      path: target.pathname,
      query: Object.fromEntries(target.searchParams),
      authorization: req.headers.authorization,
      userAgent: req.headers['user-agent'],
      files: files ?? [],
      at,
    };
    const index = requests.push(record) - 1;

    await wait(options.latencyMs ?? 0);
    let behaviour = script(record, index);
    while (behaviour.kind === 'delay') {
      await wait(behaviour.ms);
      behaviour = behaviour.then ?? { kind: 'ok' };
    }
    if (closed) return void req.socket.destroy();

    switch (behaviour.kind) {
      case 'reset':
        req.socket.destroy();
        return;
      case 'status':
        res.writeHead(behaviour.status, { 'content-type': 'application/json', ...behaviour.headers });
        res.end(behaviour.body ?? JSON.stringify({ detail: `scripted ${behaviour.status}` }));
        return;
      case 'not-json':
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html><body><h1>Welcome to nginx!</h1></body></html>');
        return;
      case 'row':
      case 'ok':
        break;
    }

    if (record.path !== receiverImportPath) return json(res, 404, { detail: 'Not Found' });
    if (record.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return json(res, 405, { detail: 'Method Not Allowed' });
    }
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      return json(res, options.tokenRefusalStatus ?? 401, { detail: 'invalid or missing token' });
    }
    if (raw === undefined) return json(res, 413, { detail: `body larger than ${maxBodyBytes} bytes` });
    // Like FastAPI's validation: the only field is `files`, and there must be one.
    if (files === undefined || files.length === 0 || files.some((f) => f.field !== 'files')) {
      return json(res, 422, { detail: [{ loc: ['body', 'files'], msg: 'Field required', type: 'missing' }] });
    }

    const results = files.map((file) => {
      const binary = file.contentType === 'application/octet-stream';
      if (behaviour.kind === 'row' && binary) {
        return { filename: file.filename, status: behaviour.status, detail: behaviour.detail, filesize: file.size, inserted: 0, skipped: 0 };
      }
      const known = stored.has(file.sha256);
      if (!known) stored.set(file.sha256, { sha256: file.sha256, filename: file.filename, size: file.size, binary });
      return { filename: file.filename, status: 'ok', filesize: file.size, inserted: known ? 0 : 1, skipped: known ? 1 : 0 };
    });
    json(res, 200, { count: results.length, results });
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    res.on('close', () => {
      inFlight -= 1;
    });
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) json(res, 500, { detail: `receiver failed: ${String(error)}` });
      else res.destroy();
    });
  };

  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, onRequest) : createHttpServer(onRequest);
  server.on(options.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    connections += 1;
    // A reset client must not crash the test process.
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    received: () => [...stored.values()].filter((s) => s.binary).map(({ sha256, filename, size }) => ({ sha256, filename, size })),
    behave(fn) {
      script = fn;
    },
    peakInFlight: () => peak,
    connectionCount: () => connections,
    bodyBytesRead: () => bodyBytes,
    async close() {
      if (closed) return;
      closed = true;
      for (const [timer, resolve] of timers) {
        clearTimeout(timer);
        resolve();
      }
      timers.clear();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle keep-alive sockets (and requests parked in a delay) would keep the
      // process alive; nothing still owed an answer gets one after close().
      server.closeAllConnections();
      await done;
    },
  };
}

async function readBody(
  req: IncomingMessage,
  maxBodyBytes: number,
  bytesPerSecond: number | undefined,
  wait: (ms: number) => Promise<void>,
  onRead: (bytes: number) => void,
): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    onRead(chunk.length);
    if (size > maxBodyBytes) tooLarge = true;
    else chunks.push(chunk);
    // Not reading holds the client back through TCP flow control, as a slow line would.
    if (bytesPerSecond !== undefined) await wait((chunk.length / bytesPerSecond) * 1000);
  }
  return tooLarge ? undefined : Buffer.concat(chunks);
}

/** The multipart parts, parsed by undici's own parser; undefined when not multipart or malformed. */
async function parseFiles(req: IncomingMessage, body: Buffer): Promise<ReceivedFile[] | undefined> {
  const contentType = req.headers['content-type'] ?? '';
  if (!contentType.toLowerCase().startsWith('multipart/form-data')) return undefined;
  let form: Awaited<ReturnType<Request['formData']>>;
  try {
    form = await new Request('http://127.0.0.1/', { method: 'POST', headers: { 'content-type': contentType }, body }).formData();
  } catch {
    return undefined;
  }
  const files: ReceivedFile[] = [];
  for (const [field, value] of form) {
    if (typeof value === 'string') {
      files.push({ field, filename: '', contentType: 'text/plain', size: Buffer.byteLength(value), sha256: sha256(Buffer.from(value)) });
      continue;
    }
    const bytes = Buffer.from(await value.arrayBuffer());
    files.push({ field, filename: value.name, contentType: value.type, size: bytes.length, sha256: sha256(bytes) });
  }
  return files;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}
