// The test receiver is a stand-in for seismo-relay that many suites lean on, so its
// own contract is pinned here, talking to it with plain undici requests.

import { Blob } from 'node:buffer';
import { FormData, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { receiver } from './helpers.js';

async function post(url: string, parts: ReadonlyArray<readonly [field: string, name: string, type: string, content: string]>, headers: Record<string, string> = {}) {
  const form = new FormData();
  for (const [field, name, type, content] of parts) form.append(field, new Blob([content], { type }), name);
  const response = await request(`${url}/db/import/blastware_file`, { method: 'POST', body: form, headers });
  return { status: response.statusCode, headers: response.headers, body: (await response.body.json()) as unknown };
}

describe('test receiver', () => {
  it('answers like seismo-relay: a row per file, inserted the first time, skipped (still ok) after', async () => {
    const server = await receiver();
    const parts = [['files', 'A.XYZ', 'application/octet-stream', 'binary'], ['files', 'A.TXT', 'text/plain', 'report']] as const;
    const first = await post(server.url, parts);
    const second = await post(server.url, [['files', 'B.XYZ', 'application/octet-stream', 'binary']]);

    expect(first).toMatchObject({
      status: 200,
      body: {
        count: 2,
        results: [
          { filename: 'A.XYZ', status: 'ok', filesize: 6, inserted: 1, skipped: 0 },
          { filename: 'A.TXT', status: 'ok', filesize: 6, inserted: 1, skipped: 0 },
        ],
      },
    });
    expect(second.body).toEqual({ count: 1, results: [{ filename: 'B.XYZ', status: 'ok', filesize: 6, inserted: 0, skipped: 1 }] });
    expect(server.received()).toEqual([{ sha256: expect.stringMatching(/^[0-9a-f]{64}$/), filename: 'A.XYZ', size: 6 }]);
  });

  it('wants the part name `files` (422 otherwise, nothing stored)', async () => {
    const server = await receiver();
    const answer = await post(server.url, [['file', 'A.XYZ', 'application/octet-stream', 'binary']]);

    expect(answer.status).toBe(422);
    expect(server.requests[0]?.files.map((f) => f.field)).toEqual(['file']);
    expect(server.received()).toEqual([]);
  });

  it('answers GET on the import path with 405 and Allow: POST, anything else with 404', async () => {
    const server = await receiver();
    const get = await request(`${server.url}/db/import/blastware_file`);
    const other = await request(`${server.url}/elsewhere`);
    await Promise.all([get.body.dump(), other.body.dump()]);

    expect([get.statusCode, get.headers['allow'], other.statusCode]).toEqual([405, 'POST', 404]);
  });

  it('answers like FastAPI: 405 to a GET before the token, 401 or 403 for a wrong token, 422 without files, storing nothing', async () => {
    for (const refusal of [401, 403] as const) {
      const server = await receiver({ token: 'test-token-abc', tokenRefusalStatus: refusal });
      const get = await request(`${server.url}/db/import/blastware_file`, { headers: { authorization: 'Bearer nope' } });
      const wrong = await request(`${server.url}/db/import/blastware_file`, { method: 'POST', body: '', headers: { authorization: 'Bearer nope' } });
      const empty = await request(`${server.url}/db/import/blastware_file`, { method: 'POST', body: '', headers: { authorization: 'Bearer test-token-abc' } });
      const noFiles = await post(server.url, [['other', 'A.XYZ', 'application/octet-stream', 'x']], { authorization: 'Bearer test-token-abc' });
      const bodies = await Promise.all([get.body.text(), wrong.body.text(), empty.body.text()]);
      expect([get.statusCode, get.headers['allow'], wrong.statusCode, empty.statusCode, noFiles.status]).toEqual([405, 'POST', refusal, 422, 422]);
      expect(JSON.parse(bodies[2]!)).toEqual({ detail: [{ loc: ['body', 'files'], msg: 'Field required', type: 'missing' }] });
      expect(server.received()).toEqual([]);
    }
  });

  it('with a token, answers 401 to a request without the right bearer token', async () => {
    const server = await receiver({ token: 'test-token-abc' });
    const wrong = await post(server.url, [['files', 'A.XYZ', 'application/octet-stream', 'x']], { authorization: 'Bearer nope' });
    const right = await post(server.url, [['files', 'A.XYZ', 'application/octet-stream', 'x']], { authorization: 'Bearer test-token-abc' });

    expect([wrong.status, right.status]).toEqual([401, 200]);
    expect(server.requests.map((r) => r.authorization)).toEqual(['Bearer nope', 'Bearer test-token-abc']);
  });

  it('passes each request and its index to the script', async () => {
    const server = await receiver();
    const seen: Array<[string, number]> = [];
    server.behave((req, index) => {
      seen.push([req.files[0]?.filename ?? '', index]);
      return { kind: 'ok' };
    });
    await post(server.url, [['files', 'A.XYZ', 'application/octet-stream', 'a']]);
    await post(server.url, [['files', 'B.XYZ', 'application/octet-stream', 'b']]);

    expect(seen).toEqual([['A.XYZ', 0], ['B.XYZ', 1]]);
  });

  it('adds latencyMs before every answer', async () => {
    const server = await receiver({ latencyMs: 150 });
    const started = Date.now();
    await post(server.url, [['files', 'A.XYZ', 'application/octet-stream', 'a']]);

    // A lower bound only: the latency is the feature, not a performance claim.
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('close() ends requests parked in a delay at once', async () => {
    const server = await receiver();
    server.behave(() => ({ kind: 'delay', ms: 60_000 }));
    const pending = post(server.url, [['files', 'A.XYZ', 'application/octet-stream', 'a']]).catch((error: unknown) => error);
    while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    // Were the 60 s delay honoured, this would outlast the test's time limit.
    await server.close();

    expect(await pending).toBeInstanceOf(Error);
  });
});
