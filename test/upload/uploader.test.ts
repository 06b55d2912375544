import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createUploader, importUrl } from '../../src/upload/index.js';
import type { Behaviour } from '../support/receiver.js';
import { closedPortUrl, event, receiver, uploader } from './helpers.js';
import { waitFor } from '../support/fixtures.js';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('importUrl', () => {
  it.each([
    ['http://sfm:8000', 'http://sfm:8000/db/import/blastware_file'],
    ['http://sfm:8000/', 'http://sfm:8000/db/import/blastware_file'],
    ['https://sfm.example/relay', 'https://sfm.example/relay/db/import/blastware_file'],
    ['http://sfm:8000/db/import/blastware_file', 'http://sfm:8000/db/import/blastware_file'],
  ])('%s -> %s', (base, expected) => {
    expect(importUrl(base)).toBe(expected);
  });
});

describe('a delivered event', () => {
  it('sends one request with the binary then the report, as `files` parts with their names and types', async () => {
    const server = await receiver();
    const payload = event();
    const outcome = await uploader({ url: server.url }).upload(payload);

    expect(outcome).toEqual({ kind: 'delivered', status: 200 });
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/db/import/blastware_file');
    expect(request?.files).toEqual([
      { field: 'files', filename: payload.binaryName, contentType: 'application/octet-stream', size: 4400, sha256: sha256(payload.binaryBytes) },
      {
        field: 'files',
        filename: payload.reportName,
        contentType: 'text/plain',
        size: payload.reportBytes?.length,
        sha256: sha256(payload.reportBytes ?? new Uint8Array()),
      },
    ]);
    expect(server.received()).toEqual([{ sha256: sha256(payload.binaryBytes), filename: payload.binaryName, size: 4400 }]);
  });

  it('sends the binary alone when there is no report', async () => {
    const server = await receiver();
    const payload = event({ report: false });
    const outcome = await uploader({ url: server.url }).upload(payload);

    expect(outcome.kind).toBe('delivered');
    expect(server.requests[0]?.files.map((f) => [f.filename, f.contentType])).toEqual([[payload.binaryName, 'application/octet-stream']]);
  });

  it('counts as delivered when the server already had it (ok row, skipped 1)', async () => {
    const server = await receiver();
    const payload = event();
    const upload = uploader({ url: server.url });
    await upload.upload(payload);
    const again = await upload.upload({ ...payload, binaryName: 'RENAMED.XYZ' });

    expect(again.kind).toBe('delivered');
    expect(server.received()).toHaveLength(1);
  });

  it('adds ?serial=<hint> when the payload carries a serial hint, and no query otherwise', async () => {
    const server = await receiver();
    const upload = uploader({ url: server.url });
    await upload.upload({ ...event(), serialHint: 'BE 12345' });
    await upload.upload(event());

    expect(server.requests.map((r) => r.query)).toEqual([{ serial: 'BE 12345' }, {}]);
  });

  it('sends Authorization: Bearer <token> when a token is set', async () => {
    const server = await receiver({ token: 'tok-7f3a9c' });
    const outcome = await uploader({ url: server.url, token: 'tok-7f3a9c' }).upload(event());

    expect(outcome.kind).toBe('delivered');
    expect(server.requests[0]?.authorization).toBe('Bearer tok-7f3a9c');
  });

  it('sends no Authorization header when no token is set', async () => {
    const server = await receiver();
    await uploader({ url: server.url }).upload(event());

    expect(server.requests[0]?.authorization).toBeUndefined();
  });
});

describe('a failed upload', () => {
  const httpDate = (msFromNow: number): string => new Date(Date.now() + msFromNow).toUTCString();

  // [what the server does, kind, a piece of the reason]
  const cases: ReadonlyArray<[string, Behaviour, 'transient' | 'permanent', RegExp]> = [
    ['500', { kind: 'status', status: 500, body: 'Traceback: database is locked' }, 'transient', /^HTTP 500: Internal Server Error: "Traceback: database is locked"$/],
    ['502 with an HTML page', { kind: 'status', status: 502, body: '<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>', headers: { 'content-type': 'text/html' } }, 'transient', /^HTTP 502: Bad Gateway: "502 Bad Gateway nginx"$/],
    ['429', { kind: 'status', status: 429 }, 'transient', /^HTTP 429: Too Many Requests/],
    ['408', { kind: 'status', status: 408 }, 'transient', /^HTTP 408: Request Timeout/],
    ['a reset connection', { kind: 'reset' }, 'transient', /^the connection to http:\/\/127\.0\.0\.1:\d+ was closed before the server answered$/],
    ['400 (FastAPI detail)', { kind: 'status', status: 400, body: '{"detail":"not a Blastware file"}' }, 'permanent', /^HTTP 400: Bad Request: "not a Blastware file"$/],
    ['404', { kind: 'status', status: 404 }, 'permanent', /^HTTP 404: Not Found: no import endpoint at http:\/\/127\.0\.0\.1:\d+\/db\/import\/blastware_file: is this seismo-relay v0\.16 or later\?$/],
    ['413', { kind: 'status', status: 413, body: '' }, 'permanent', /^HTTP 413: Payload Too Large$/],
    ['200 that is not JSON', { kind: 'not-json' }, 'transient', /^the server answered HTTP 200 but not with JSON: "Welcome to nginx!"/],
    ['200 with a row that is not ok', { kind: 'row', status: 'error', detail: 'unsupported record type 0x7f' }, 'permanent', /^the server did not import M\d+AB\.XYZ \(status "error"\): unsupported record type 0x7f$/],
    ['200 without a row for the binary', { kind: 'status', status: 200, body: '{"count":1,"results":[{"filename":"OTHER.TXT","status":"ok"}]}' }, 'permanent', /^the server's answer has no row for M\d+AB\.XYZ \(rows for: OTHER\.TXT\)$/],
    ['200 with JSON but no results', { kind: 'status', status: 200, body: '{"ok":true}' }, 'transient', /without a "results" list/],
  ];

  it.each(cases)('%s -> %s', async (_name, behaviour, kind, reason) => {
    const server = await receiver();
    server.behave(() => behaviour);
    const outcome = await uploader({ url: server.url }).upload(event());

    expect(outcome.kind).toBe(kind);
    expect(outcome.kind !== 'delivered' && outcome.reason).toMatch(reason);
    expect(server.received()).toEqual([]);
  });

  it('takes retryAfterMs from Retry-After in seconds', async () => {
    const server = await receiver();
    server.behave(() => ({ kind: 'status', status: 503, headers: { 'retry-after': '120' } }));
    const outcome = await uploader({ url: server.url }).upload(event());

    expect(outcome).toEqual({ kind: 'transient', reason: expect.stringMatching(/^HTTP 503: Service Unavailable/), retryAfterMs: 120_000 });
  });

  it('takes retryAfterMs from Retry-After as an HTTP date', async () => {
    const server = await receiver();
    server.behave(() => ({ kind: 'status', status: 503, headers: { 'retry-after': httpDate(90_000) } }));
    const outcome = await uploader({ url: server.url }).upload(event());

    expect(outcome.kind).toBe('transient');
    const retryAfterMs = outcome.kind === 'transient' ? outcome.retryAfterMs : undefined;
    // An HTTP date has whole seconds: the wait is within a second or two of 90 s.
    expect(retryAfterMs).toBeGreaterThan(87_000);
    expect(retryAfterMs).toBeLessThanOrEqual(90_000);
  });

  it('leaves retryAfterMs out when the server gives none', async () => {
    const server = await receiver();
    server.behave(() => ({ kind: 'status', status: 503 }));
    const outcome = await uploader({ url: server.url }).upload(event());

    expect(outcome).not.toHaveProperty('retryAfterMs');
  });

  it('401 backs off the whole server (every event would be refused), says the token was refused, and never contains the token', async () => {
    const server = await receiver({ token: 'right-token-1a2b3c' });
    const outcome = await uploader({ url: server.url, token: 'wrong-token-4d5e6f' }).upload(event());

    expect(outcome.kind).toBe('transient');
    const reason = outcome.kind === 'transient' ? outcome.reason : '';
    expect(reason).toMatch(/^HTTP 401: Unauthorized: the server refused the access token; check SFM_API_TOKEN$/);
    expect(reason).not.toContain('wrong-token-4d5e6f');
  });

  it('401 without a token set asks for one', async () => {
    const server = await receiver({ token: 'right-token-1a2b3c' });
    const outcome = await uploader({ url: server.url }).upload(event());

    expect(outcome).toEqual({ kind: 'transient', reason: 'HTTP 401: Unauthorized: the server refused the request without an access token; set SFM_API_TOKEN' });
  });

  it('blanks the token out of a reason even when the server echoes it', async () => {
    const server = await receiver();
    server.behave(() => ({ kind: 'status', status: 400, body: 'bad header: Bearer echo-token-9z8y7x' }));
    const outcome = await uploader({ url: server.url, token: 'echo-token-9z8y7x' }).upload(event());

    expect(outcome.kind).toBe('permanent');
    expect(outcome.kind !== 'delivered' && outcome.reason).toBe('HTTP 400: Bad Request: "bad header: Bearer [token]"');
  });

  it('a slow answer is a transient time-out naming the URL and the time limit', async () => {
    const server = await receiver();
    server.behave(() => ({ kind: 'delay', ms: 3_000 }));
    const outcome = await uploader({ url: server.url, timeoutMs: 250 }).upload(event());

    expect(outcome).toEqual({ kind: 'transient', reason: `no answer from ${server.url}/db/import/blastware_file within 250 ms` });
  });

  it('a closed port is a transient connection error naming the server', async () => {
    const url = await closedPortUrl();
    const outcome = await uploader({ url }).upload(event());

    expect(outcome).toEqual({ kind: 'transient', reason: `cannot connect to ${url}: connection refused` });
  });

  it('an aborted signal cancels without blaming the server', async () => {
    const server = await receiver();
    server.behave(() => ({ kind: 'delay', ms: 3_000 }));
    const controller = new AbortController();
    const pending = uploader({ url: server.url }).upload(event(), controller.signal);
    setTimeout(() => controller.abort(), 100);

    expect(await pending).toEqual({ kind: 'transient', reason: expect.stringMatching(/cancelled/) });
  });

  it('an upload still waiting for its turn is cancelled without being sent', async () => {
    const server = await receiver();
    server.behave(() => ({ kind: 'delay', ms: 3_000 }));
    const upload = uploader({ url: server.url, concurrency: 1 });
    const controller = new AbortController();
    const first = upload.upload(event(), controller.signal);
    const queued = upload.upload(event(), controller.signal);
    // Cancel once the first is on the server (not after a fixed delay a loaded machine may outrun).
    await waitFor(() => server.requests.length === 1, 'the first upload at the server');
    controller.abort();

    expect((await first).kind).toBe('transient');
    expect(await queued).toEqual({ kind: 'transient', reason: expect.stringMatching(/cancelled before it was sent$/) });
    expect(server.requests).toHaveLength(1);
  });
});

describe('connections', () => {
  it.each([1, 3])('with concurrency %i, that many requests are in flight together and never more', async (concurrency) => {
    const server = await receiver();
    server.behave(() => ({ kind: 'delay', ms: 150 }));
    const upload = uploader({ url: server.url, concurrency });
    const outcomes = await Promise.all(Array.from({ length: concurrency * 2 + 1 }, () => upload.upload(event())));

    expect(outcomes.every((o) => o.kind === 'delivered')).toBe(true);
    expect(server.peakInFlight()).toBe(concurrency);
  });

  it('starts the time-out when an upload gets its turn, not while it waits for one', async () => {
    const server = await receiver();
    server.behave(() => ({ kind: 'delay', ms: 200 }));
    // Four in a row take ~800 ms in all, longer than the 600 ms each one may take.
    const upload = uploader({ url: server.url, concurrency: 1, timeoutMs: 600 });
    const outcomes = await Promise.all(Array.from({ length: 4 }, () => upload.upload(event())));

    expect(outcomes.map((o) => o.kind)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
  });

  it('quotes only a short excerpt of a huge error body, and the next upload still goes through', async () => {
    const server = await receiver();
    server.behave((_request, index) => (index === 0 ? { kind: 'status', status: 500, body: 'E'.repeat(3 * 1024 * 1024) } : { kind: 'ok' }));
    const upload = uploader({ url: server.url, concurrency: 1 });
    const first = await upload.upload(event());
    const second = await upload.upload(event());

    expect(first.kind).toBe('transient');
    expect(first.kind !== 'delivered' && first.reason.length).toBeLessThan(300);
    expect(second.kind).toBe('delivered');
  });

  it('reuses kept-alive connections, also after error answers (bodies are always finished)', async () => {
    const server = await receiver();
    server.behave((_request, index) =>
      index % 2 === 0 ? { kind: 'status', status: 500, body: 'x'.repeat(100_000) } : { kind: 'ok' },
    );
    const upload = uploader({ url: server.url, concurrency: 1 });
    for (let i = 0; i < 6; i += 1) await upload.upload(event());

    expect(server.requests).toHaveLength(6);
    expect(server.connectionCount()).toBe(1);
  });

  it('close() cuts off a request stuck on a silent server after a short grace', async () => {
    const server = await receiver();
    server.behave(() => ({ kind: 'delay', ms: 15_000 }));
    const upload = createUploader({ url: server.url, token: '', caFile: '', proxy: '', timeoutMs: 60_000, concurrency: 1 });
    const stuck = upload.upload(event());
    await new Promise((resolve) => setTimeout(resolve, 100));
    await upload.close();

    expect(await stuck).toEqual({ kind: 'transient', reason: expect.stringMatching(/^the upload to http:\/\/127\.0\.0\.1:\d+\/db\/import\/blastware_file was cancelled before the server answered$/) });
  });

  it('close() lets the process go: no upload afterwards reaches the server', async () => {
    const server = await receiver();
    const upload = createUploader({ url: server.url, token: '', caFile: '', proxy: '', timeoutMs: 5_000, concurrency: 1 });
    await upload.upload(event());
    await upload.close();
    const after = await upload.upload(event());

    expect(after).toEqual({ kind: 'transient', reason: expect.stringMatching(/uploader is closed/) });
    expect(server.requests).toHaveLength(1);
  });
});

describe('createUploader options', () => {
  const base = { token: '', caFile: '', proxy: '', timeoutMs: 5_000, concurrency: 1 };

  it.each([
    ['a URL that is not one', { url: 'sfm-server:8000/' }, /SFM_URL "sfm-server:8000\/" must start with http:\/\/ or https:\/\//],
    ['garbage', { url: 'not a url' }, /SFM_URL "not a url" is not a URL/],
    ['a proxy that is not a URL', { url: 'http://127.0.0.1:1', proxy: 'proxy here' }, /SFM_PROXY is not a URL/],
    ['zero concurrency', { url: 'http://127.0.0.1:1', concurrency: 0 }, /SFM_CONCURRENCY/],
    ['no time-out', { url: 'http://127.0.0.1:1', timeoutMs: 0 }, /SFM_HTTP_TIMEOUT_SECONDS/],
  ])('rejects %s with a message naming the setting', (_name, options, message) => {
    expect(() => createUploader({ ...base, ...options })).toThrow(message);
  });
});
