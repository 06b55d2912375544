import { describe, expect, it } from 'vitest';
import { closedPortUrl, receiver, uploader } from './helpers.js';

describe('check() ("Test connection")', () => {
  it('405 on GET means the import endpoint is there', async () => {
    const server = await receiver();
    const result = await uploader({ url: server.url }).check();

    expect(result).toEqual({
      kind: 'ok',
      detail: `server answered HTTP 405 at ${server.url}/db/import/blastware_file: the import endpoint is there`,
    });
  });

  it('uploads nothing: one GET, no files', async () => {
    const server = await receiver();
    await uploader({ url: server.url }).check();

    expect(server.requests.map((r) => [r.method, r.path, r.files.length])).toEqual([['GET', '/db/import/blastware_file', 0]]);
    expect(server.received()).toEqual([]);
  });

  it('404 means no import endpoint: an older server or the wrong address', async () => {
    const server = await receiver();
    const result = await uploader({ url: `${server.url}/wrong-prefix` }).check();

    expect(result).toEqual({
      kind: 'failed',
      reason: `no import endpoint at ${server.url}/wrong-prefix/db/import/blastware_file: is this seismo-relay v0.16 or later?`,
    });
  });

  it('401 says the server refused the token, without the token', async () => {
    const server = await receiver({ token: 'right-token-1a2b3c' });
    const result = await uploader({ url: server.url, token: 'wrong-token-4d5e6f' }).check();

    expect(result).toEqual({ kind: 'failed', reason: 'the server refused the token (HTTP 401); check SFM_API_TOKEN' });
    expect(server.requests[0]?.authorization).toBe('Bearer wrong-token-4d5e6f');
  });

  it('with the right token the check passes', async () => {
    const server = await receiver({ token: 'right-token-1a2b3c' });
    const result = await uploader({ url: server.url, token: 'right-token-1a2b3c' }).check();

    expect(result.kind).toBe('ok');
  });

  it('a dead server gives a plain reason naming it', async () => {
    const url = await closedPortUrl();
    const result = await uploader({ url }).check();

    expect(result).toEqual({ kind: 'failed', reason: `cannot connect to ${url}: connection refused` });
  });

  it('a server that does not answer in time is named with the limit', async () => {
    const server = await receiver();
    server.behave(() => ({ kind: 'delay', ms: 3_000 }));
    const result = await uploader({ url: server.url, timeoutMs: 200 }).check();

    expect(result).toEqual({ kind: 'failed', reason: `no answer from ${server.url}/db/import/blastware_file within 200 ms` });
  });

  it('any other status is quoted', async () => {
    const server = await receiver();
    server.behave(() => ({ kind: 'status', status: 502, body: 'upstream down' }));
    const result = await uploader({ url: server.url }).check();

    expect(result).toEqual({ kind: 'failed', reason: 'HTTP 502: Bad Gateway: "upstream down"' });
  });
});
