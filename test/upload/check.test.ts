// check() ("Test connection" and `series3-watcher check`): the safe probe, a POST with no `files`
// part, against the real receiver answering in FastAPI's order (405 to a GET before any
// authentication, 401/403 for a bad token, 422 without files), storing nothing; never the token
// in what it says.
import { describe, expect, it } from 'vitest';
import { closedPortUrl, receiver, uploader } from './helpers.js';
import { connectedWithToken, connectedWithoutToken } from '../../src/upload/classify.js';

describe('check() ("Test connection")', () => {
  it('a 422 to the probe means the endpoint answered and took the token', async () => {
    const server = await receiver({ token: 'right-token-1a2b3c' });
    const result = await uploader({ url: server.url, token: 'right-token-1a2b3c' }).check();

    expect(result).toEqual({ kind: 'ok', token: 'accepted', detail: 'Connected: the import endpoint answered and the token was accepted' });
    expect(connectedWithToken).toBe(result.kind === 'ok' ? result.detail : '');
  });

  it('without a token, a 422 says the server asked for none', async () => {
    const server = await receiver();
    expect(await uploader({ url: server.url }).check()).toEqual({ kind: 'ok', token: 'not-needed', detail: connectedWithoutToken });
  });

  it('sends one POST with no files part, and the receiver stores nothing', async () => {
    const server = await receiver({ token: 'right-token-1a2b3c' });
    await uploader({ url: server.url, token: 'right-token-1a2b3c' }).check();
    await uploader({ url: server.url, token: 'wrong-token-4d5e6f' }).check();

    expect(server.requests.map((r) => [r.method, r.path, r.files.length])).toEqual([
      ['POST', '/db/import/blastware_file', 0],
      ['POST', '/db/import/blastware_file', 0],
    ]);
    expect(server.received()).toEqual([]);
  });

  it.each([401, 403] as const)('a %i says the server refused the token, without the token', async (status) => {
    const server = await receiver({ token: 'right-token-1a2b3c', tokenRefusalStatus: status });
    const result = await uploader({ url: server.url, token: 'wrong-token-4d5e6f' }).check();

    expect(result).toEqual({ kind: 'failed', token: 'refused', reason: `the server refused the token (HTTP ${status}); check SFM_API_TOKEN` });
    expect(JSON.stringify(result)).not.toContain('wrong-token');
    expect(server.requests[0]?.authorization).toBe('Bearer wrong-token-4d5e6f');
  });

  it('a server that wants a token when none is set says so', async () => {
    const server = await receiver({ token: 'right-token-1a2b3c' });
    expect(await uploader({ url: server.url }).check()).toEqual({
      kind: 'failed',
      token: 'missing',
      reason: 'the server wants a token (HTTP 401) and none is set; set SFM_API_TOKEN',
    });
  });

  it('a 405 is not "OK": the address takes no uploads', async () => {
    const server = await receiver();
    server.behave(() => ({ kind: 'status', status: 405, headers: { allow: 'GET' } }));
    const result = await uploader({ url: server.url }).check();

    expect(result).toEqual({
      kind: 'failed',
      token: 'unknown',
      reason: `${server.url}/db/import/blastware_file does not take uploads (HTTP 405 to a POST): set SFM_URL to the SFM server's address, e.g. http://sfm-server:8000`,
    });
  });

  it('404 means no import endpoint: an older server or the wrong address', async () => {
    const server = await receiver();
    const result = await uploader({ url: `${server.url}/wrong-prefix` }).check();

    expect(result).toEqual({
      kind: 'failed',
      token: 'unknown',
      reason: `no import endpoint at ${server.url}/wrong-prefix/db/import/blastware_file: is this seismo-relay v0.16 or later?`,
    });
  });

  it('a 200 page that is not the import answer (a proxy or login page) is not "OK"', async () => {
    const server = await receiver();
    server.behave(() => ({ kind: 'not-json' }));
    const result = await uploader({ url: server.url, token: 'right-token-1a2b3c' }).check();

    expect(result.kind).toBe('failed');
    expect(result).toMatchObject({ token: 'unknown' });
    expect(result.kind === 'failed' && result.reason).toMatch(/^the server answered HTTP 200 with "Welcome to nginx!", not as the SFM import endpoint does/);
  });

  it('a 200 with the import contract’s JSON (a server that takes an empty import) is the endpoint answering', async () => {
    const server = await receiver();
    server.behave(() => ({ kind: 'status', status: 200, body: '{"count":0,"results":[]}' }));
    expect(await uploader({ url: server.url, token: 'tok-abc-123' }).check()).toMatchObject({ kind: 'ok', token: 'accepted' });
  });

  it('a dead server gives a plain reason naming it', async () => {
    const url = await closedPortUrl();
    const result = await uploader({ url }).check();

    expect(result).toEqual({ kind: 'failed', token: 'unknown', reason: `cannot connect to ${url}: connection refused` });
  });

  it('a server that does not answer in time is named with the limit', async () => {
    const server = await receiver();
    server.behave(() => ({ kind: 'delay', ms: 3_000 }));
    const result = await uploader({ url: server.url, timeoutMs: 200 }).check();

    expect(result).toEqual({ kind: 'failed', token: 'unknown', reason: `no answer from ${server.url}/db/import/blastware_file within 200 ms` });
  });

  it('any other status is quoted, with a server that echoes the token blanked out', async () => {
    const server = await receiver();
    server.behave(() => ({ kind: 'status', status: 502, body: 'upstream down for Bearer echo-token-9z8y' }));
    const result = await uploader({ url: server.url, token: 'echo-token-9z8y' }).check();

    expect(result).toMatchObject({ kind: 'failed', token: 'unknown' });
    expect(result.kind === 'failed' && result.reason).toMatch(/^HTTP 502: Bad Gateway: "upstream down for Bearer /);
    expect(JSON.stringify(result)).not.toContain('echo-token-9z8y');
  });
});
