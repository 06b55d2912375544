// Issue 8 item 3: the stored token goes only to the origin (scheme, host, port) it was
// saved for. Driven through the IPC handlers the settings page calls, with the real
// settings service, the real checkServer and two real receivers on different ports.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkServer } from '../../src/agent/check-server.js';
import { createIpcHandlers, type HandlerTable } from '../../electron/main/ipc-handlers.js';
import { createSettingsService } from '../../electron/main/settings-service.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { testVault } from './page-harness.js';

const TOKEN = 'tok-saved-for-first-7';

let dir: string;
let first: Receiver;
let second: Receiver;
let handlers: HandlerTable;
let configPath: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 's3w-token-origin-'));
  first = await startReceiver({ token: TOKEN });
  second = await startReceiver();
  configPath = path.join(dir, 'config.ini');
  await writeFile(configPath, `SFM_URL = ${first.url}\n`);
  const service = createSettingsService({
    configPath,
    vault: testVault(),
    loginItem: { get: () => false, set: () => undefined },
    checkServer,
    seedPreview: async () => Promise.reject(new Error('unused')),
    seed: async () => Promise.reject(new Error('unused')),
    onSaved: () => undefined,
  });
  handlers = createIpcHandlers(service, { chooseFolder: async () => null, close: () => undefined });
  const saved = await handlers['settings:save']([{ changes: {}, token: { action: 'replace', token: TOKEN }, startAtLogin: false }]);
  expect(saved.kind).toBe('saved');
});
afterEach(async () => {
  await first.close();
  await second.close();
  await rm(dir, { recursive: true, force: true });
});

const keep = { action: 'keep' } as const;
const sawToken = (r: Receiver): boolean => r.requests.some((q) => q.authorization !== undefined);

describe('item 3: the stored token goes only to the saved server’s origin', () => {
  it('Test connection with the stored token reaches the saved server with it', async () => {
    const answer = await handlers['settings:test-connection']([{}, keep]);
    expect(answer.kind).toBe('ok');
    expect(first.requests.at(-1)?.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('the same origin written differently (case, trailing slash, a path) still gets the stored token', async () => {
    const sameOrigin = `${first.url.replace('http://', 'HTTP://')}/`;
    const answer = await handlers['settings:test-connection']([{ SFM_URL: sameOrigin }, keep]);
    expect(answer.kind).toBe('ok');
    expect(first.requests.at(-1)?.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('Test connection with the stored token and an unsaved address on another port sends nothing there, and says why in plain words', async () => {
    const answer = await handlers['settings:test-connection']([{ SFM_URL: second.url }, keep]);
    expect(second.requests).toEqual([]);
    expect(sawToken(second)).toBe(false);
    expect(answer).toEqual({
      kind: 'failed',
      reason:
        `Nothing was sent: the stored token was saved for ${first.url} and is sent only there, not to ${second.url}. ` +
        `To use a token with ${second.url}, choose Replace\u2026 under Server access token and type it again (or Clear the token).`,
    });
    expect(JSON.stringify(answer)).not.toContain(TOKEN);
  });

  it('another scheme on the same host and port is another origin (https saved, http asked)', async () => {
    await writeFile(configPath, (await readFile(configPath, 'utf8')).replace(first.url, first.url.replace('http:', 'https:')));
    const answer = await handlers['settings:test-connection']([{ SFM_URL: first.url }, keep]);
    expect(answer.kind).toBe('failed');
    expect(first.requests).toEqual([]);
  });

  it('Save that moves SFM_URL to a new origin while keeping the stored token is refused at SFM_URL, and config.ini is unchanged', async () => {
    const before = await readFile(configPath, 'utf8');
    const result = await handlers['settings:save']([{ changes: { SFM_URL: second.url }, token: keep, startAtLogin: false }]);
    expect(result).toEqual({
      kind: 'invalid',
      problems: [{
        key: 'SFM_URL',
        message:
          `SFM_URL now points to ${second.url}, but the stored token was saved for ${first.url} and is sent only there. ` +
          `To use a token with ${second.url}, choose Replace\u2026 under Server access token and type it again (or Clear the token).`,
      }],
    });
    expect(await readFile(configPath, 'utf8')).toBe(before);
    await handlers['settings:test-connection']([{}, keep]);
    expect(sawToken(second)).toBe(false);
  });

  it('a new origin with the token typed again is saved, and then that server gets it', async () => {
    const saved = await handlers['settings:save']([{ changes: { SFM_URL: second.url }, token: { action: 'replace', token: 'tok-for-second' }, startAtLogin: false }]);
    expect(saved.kind).toBe('saved');
    await handlers['settings:test-connection']([{}, keep]);
    expect(second.requests.at(-1)?.authorization).toBe('Bearer tok-for-second');
    expect(first.requests.filter((r) => r.authorization === 'Bearer tok-for-second')).toEqual([]);
  });

  it('a new origin with the token cleared is saved and tested without a token', async () => {
    const saved = await handlers['settings:save']([{ changes: { SFM_URL: second.url }, token: { action: 'clear' }, startAtLogin: false }]);
    expect(saved.kind).toBe('saved');
    await handlers['settings:test-connection']([{}, keep]);
    expect(second.requests.length).toBeGreaterThan(0);
    expect(sawToken(second)).toBe(false);
  });
});
