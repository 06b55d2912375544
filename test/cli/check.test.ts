// `series3-watcher check` (issue 10 item 7) as a script and a person see it: the built CLI, a real
// config.ini and the real test receiver answering like FastAPI (405 to a GET, 401/403 for a bad
// token, 422 without files). The folder and the token are really checked, exit 1 says why, the
// words are plain, the probe stores nothing, and the token appears nowhere in the output.
import { describe, expect, it } from 'vitest';

import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cli, useCliSite } from './spawn-cli.js';
import { startReceiver, receiverImportPath, type Receiver } from '../support/receiver.js';
import { writeEvent, type Site } from '../support/fixtures.js';

const TOKEN = 'tok-right-5f1e2d3c';
let site: Site;
let receiver: Receiver;
let configPath: string;

async function writeConfig(extra: Record<string, string> = {}): Promise<void> {
  const keys: Record<string, string> = { SERIES3_PATH: site.watchDir, SFM_URL: receiver.url, SFM_API_TOKEN: TOKEN, STATE_DIR: 'state', ...extra };
  await writeFile(configPath, `[watcher]\n${Object.entries(keys).map(([k, v]) => `${k} = ${v}`).join('\n')}\n`);
}

useCliSite('s3w-check-', async (s) => {
  ({ site, receiver, configPath } = s);
  await writeConfig();
}, { token: TOKEN });

const everything = (ran: { stdout: string; stderr: string }): string => ran.stdout + ran.stderr;

describe('item 7: series3-watcher check', () => {
  it('all well: the folder with its events, "Connected", exit 0, and nothing stored by the probe', async () => {
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
    await writeEvent(site.watchDir, 'S353L4H0.3M0W');
    const ran = await cli(['check', '--config', configPath, '--json']);
    expect(ran.code, everything(ran)).toBe(0);
    expect(ran.stderr).toBe('');
    expect(ran.stdout).toContain(`watch folder ${site.watchDir}: OK, readable, 2 events in it\n`);
    expect(ran.stdout).toContain(`server ${receiver.url}: Connected: the import endpoint answered and the token was accepted\n`);
    expect(ran.json).toEqual({
      config: 'ok',
      folder: 'ok',
      events: 2,
      server: 'ok',
      token: 'accepted',
      detail: `watch folder ${site.watchDir}: OK, readable, 2 events in it; server ${receiver.url}: Connected: the import endpoint answered and the token was accepted`,
    });
    // One POST without a files part; the receiver stored nothing.
    expect(receiver.requests.map((r) => [r.method, r.path, r.files.length, r.authorization])).toEqual([['POST', receiverImportPath, 0, `Bearer ${TOKEN}`]]);
    expect(receiver.received()).toEqual([]);
    expect(everything(ran)).not.toContain(TOKEN);
  });

  it('a watch folder that does not exist is exit 1, with the reason, even with the server fine', async () => {
    await rm(site.watchDir, { recursive: true });
    const ran = await cli(['check', '--config', configPath, '--json']);
    expect(ran.code).toBe(1);
    const reason = `SERIES3_PATH folder ${site.watchDir} does not exist: check the path in config.ini`;
    expect(ran.stdout).toContain(`watch folder: FAILED, ${reason}\n`);
    expect(ran.stderr).toBe(`series3-watcher: check failed: ${reason}\n`);
    expect(ran.json).toMatchObject({ config: 'ok', folder: 'failed', events: null, server: 'ok', token: 'accepted' });
  });

  it.each([401, 403] as const)('a refused token (HTTP %i) is exit 1, saying so, and the token is never shown', async (status) => {
    await receiver.close();
    receiver = await startReceiver({ token: 'the-server-wants-this-one', tokenRefusalStatus: status });
    await writeConfig();
    const ran = await cli(['check', '--config', configPath, '--json']);
    expect(ran.code).toBe(1);
    const reason = `the server refused the token (HTTP ${status}); check SFM_API_TOKEN`;
    expect(ran.stdout).toContain(`server ${receiver.url}: FAILED, ${reason}\n`);
    expect(ran.stderr).toBe(`series3-watcher: check failed: ${reason}\n`);
    expect(ran.json).toMatchObject({ folder: 'ok', server: 'failed', token: 'refused' });
    expect(everything(ran)).not.toContain(TOKEN);
    expect(receiver.received()).toEqual([]);
  });

  it('no token where the server wants one is exit 1: "set SFM_API_TOKEN"', async () => {
    await writeConfig({ SFM_API_TOKEN: '' });
    const ran = await cli(['check', '--config', configPath, '--json']);
    expect(ran.code).toBe(1);
    expect(ran.json).toMatchObject({ server: 'failed', token: 'missing', detail: expect.stringContaining('the server wants a token (HTTP 401) and none is set; set SFM_API_TOKEN') });
  });

  it('a server that needs no token: connected, and it says none was asked for', async () => {
    await receiver.close();
    receiver = await startReceiver();
    await writeConfig({ SFM_API_TOKEN: '' });
    const ran = await cli(['check', '--config', configPath, '--json']);
    expect(ran.code, everything(ran)).toBe(0);
    expect(ran.json).toMatchObject({ server: 'ok', token: 'not-needed' });
    expect(ran.stdout).toContain('Connected: the import endpoint answered; no token is set and the server asked for none');
  });

  it('an address that answers 405 is not "OK" any more', async () => {
    receiver.behave(() => ({ kind: 'status', status: 405 }));
    const ran = await cli(['check', '--config', configPath, '--json']);
    expect(ran.code).toBe(1);
    expect(ran.json).toMatchObject({ server: 'failed', token: 'unknown' });
    expect(ran.stderr).toMatch(/does not take uploads \(HTTP 405 to a POST\): set SFM_URL/);
    expect(ran.stdout).toContain(`server ${receiver.url}: FAILED, `);
  });

  it('both failing: both reasons, one line each on stderr', async () => {
    await rm(site.watchDir, { recursive: true });
    await writeConfig({ SFM_URL: 'http://127.0.0.1:9' });
    const ran = await cli(['check', '--config', configPath, '--json']);
    expect(ran.code).toBe(1);
    expect(ran.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^series3-watcher: check failed: SERIES3_PATH folder .* does not exist/),
      expect.stringMatching(/^series3-watcher: check failed: cannot connect to http:\/\/127\.0\.0\.1:9/),
    ]);
    expect(ran.json).toMatchObject({ folder: 'failed', server: 'failed', token: 'unknown' });
    expect(everything(ran)).not.toContain(TOKEN);
  });
});
