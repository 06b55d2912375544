// The command line as a script sees it: the built `series3-watcher` (dist/src/cli/main.js, built by
// `npm test` before vitest runs), a real config.ini, a real receiver, exit codes and JSON.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { BIN, startCli, type Ran } from './spawn-cli.js';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { makeSite, writeEvent, waitFor, type Site } from '../support/fixtures.js';

/** The built CLI as a child process; `onStart` gets the child (to signal it). */
function cli(args: readonly string[], options: { onStart?: (child: ChildProcess) => void } = {}): Promise<Ran> {
  const running = startCli(args);
  options.onStart?.(running.child);
  return running.done;
}

let site: Site;
let receiver: Receiver;
let configPath: string;

async function writeConfig(lines: Record<string, string>): Promise<void> {
  const body = Object.entries(lines)
    .map(([k, v]) => `${k} = ${v}`)
    .join('\n');
  await writeFile(configPath, `; written by the CLI tests\n[watcher]\n${body}\n`);
}

const baseKeys = (): Record<string, string> => ({
  SERIES3_PATH: site.watchDir,
  SFM_FORWARD_ENABLED: 'true',
  SFM_URL: receiver.url,
  SFM_QUIESCENCE_SECONDS: '0.2',
  SFM_MISSING_REPORT_GRACE_SECONDS: '1',
  SFM_HTTP_TIMEOUT_SECONDS: '2',
  SFM_RETRY_BASE_SECONDS: '0.2',
  STATE_DIR: 'state',
});

beforeEach(async () => {
  expect(existsSync(BIN), `${BIN} is built by 'npm test' (npm run build) before vitest`).toBe(true);
  site = await makeSite('s3w-cli-');
  receiver = await startReceiver();
  configPath = join(site.root, 'config.ini');
  await writeConfig(baseKeys());
});
afterEach(async () => {
  await receiver.close();
  await site.cleanup();
});

describe('series3-watcher once', () => {
  it('delivers every ready event once with its report, prints JSON, and a second run sends nothing', async () => {
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
    await writeEvent(site.watchDir, 'S353L4H0.3M0W', { report: true });
    const first = await cli(['once', '--config', configPath, '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.json).toEqual({ forwarded: 2, withReport: 2, errors: 0, pending: 0, heldBack: 0, seconds: expect.any(Number) });

    const second = await cli(['once', '--config', configPath, '--json']);
    expect(second.code).toBe(0);
    expect(second.json).toMatchObject({ forwarded: 0, errors: 0 });
    expect(receiver.received()).toHaveLength(2);
    expect(receiver.requests).toHaveLength(2);
    const log = await readFile(join(site.root, 'state', 'series3-watcher.log'), 'utf8');
    expect(log).toMatch(/delivered M529LK44\.AB0/);
  });

  it('counts ready events left for later passes as pending under the cap', async () => {
    for (let i = 0; i < 3; i++) await writeEvent(site.watchDir, `M529L${i}00.AB0`, { report: true, ageSeconds: 600 - i });
    await writeConfig({ ...baseKeys(), SFM_MAX_FORWARDS_PER_PASS: '2' });
    const ran = await cli(['once', '--config', configPath, '--json']);
    expect(ran.json).toMatchObject({ forwarded: 2, pending: 1 });
  });

  it('exits 1 when an event failed, with the reason', async () => {
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
    receiver.behave(() => ({ kind: 'status', status: 500, body: 'database locked' }));
    const ran = await cli(['once', '--config', configPath, '--json']);
    expect(ran.code).toBe(1);
    expect(ran.json).toMatchObject({ forwarded: 0, errors: 1, pending: 1 });
    expect(ran.stdout).toMatch(/HTTP 500/);
  });

  it('refuses with exit 2 while forwarding is off, and says how to turn it on', async () => {
    await writeConfig({ ...baseKeys(), SFM_FORWARD_ENABLED: 'no' });
    const ran = await cli(['once', '--config', configPath]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/SFM_FORWARD_ENABLED=true/);
    expect(receiver.requests).toHaveLength(0);
  });

  it('lists what a dry run would send and why the rest waits, sending nothing', async () => {
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
    await writeEvent(site.watchDir, 'M529LK45.AB0', { report: true, ageSeconds: 0 });
    await writeConfig({ ...baseKeys(), SFM_QUIESCENCE_SECONDS: '30' });
    const ran = await cli(['once', '--dry-run', '--config', configPath, '--json']);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/would send\s+M529LK44\.AB0/);
    expect(ran.stdout).toMatch(/waits\s+M529LK45\.AB0\s+still being written/);
    expect(ran.json).toMatchObject({ wouldSend: [{ filename: 'M529LK44.AB0', withReport: true }] });
    expect(receiver.requests).toHaveLength(0);
  });
});

describe('bad config and usage', () => {
  const cases: { name: string; args: (c: string) => string[]; keys?: Record<string, string>; stderr: RegExp }[] = [
    { name: 'an unknown command', args: (c) => ['launch', '--config', c], stderr: /unknown command "launch"/ },
    { name: 'an unknown option', args: (c) => ['once', '--fast', '--config', c], stderr: /unknown option --fast/ },
    { name: 'a missing config file', args: (c) => ['once', '--config', `${c}.missing`], stderr: /config\.ini\.missing/ },
    { name: 'a bad value', args: (c) => ['once', '--config', c], keys: { SFM_CONCURRENCY: 'lots' }, stderr: /SFM_CONCURRENCY.*lots/ },
    { name: 'a bad URL', args: (c) => ['check', '--config', c], keys: { SFM_URL: 'ftp://x' }, stderr: /SFM_URL/ },
  ];
  for (const c of cases) {
    it(`exits 2 on ${c.name}, naming it on stderr`, async () => {
      if (c.keys) await writeConfig({ ...baseKeys(), ...c.keys });
      const ran = await cli(c.args(configPath));
      expect(ran.code).toBe(2);
      expect(ran.stderr).toMatch(c.stderr);
    });
  }
});

describe('series3-watcher seed, status and check', () => {
  it('seed prints its counts and marks the backlog without sending', async () => {
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
    await writeEvent(site.watchDir, 'M529LK45.AB0', { report: true });
    await writeEvent(site.watchDir, 'M529LK46.AB0', { ageSeconds: 400 * 86_400 });
    const seeded = await cli(['seed', '--config', configPath, '--json']);
    expect(seeded.code, seeded.stderr).toBe(0);
    expect(seeded.json).toEqual({ scanned: 3, seeded: 2, alreadyKnown: 0, tooOld: 1 });
    const again = await cli(['seed', '--config', configPath, '--json']);
    expect(again.json).toEqual({ scanned: 3, seeded: 0, alreadyKnown: 2, tooOld: 1 });
    const sent = await cli(['once', '--config', configPath, '--json']);
    expect(sent.json).toMatchObject({ forwarded: 0 });
    expect(receiver.requests).toHaveLength(0);
  });

  it('status tells what the record holds when no agent runs', async () => {
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
    await cli(['once', '--config', configPath]);
    const ran = await cli(['status', '--config', configPath, '--json']);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/agent: not running/);
    expect(ran.json).toMatchObject({ running: false, deliveredTotal: 1, deliveredToday: 1, forwardEnabled: true, serverReachable: true });
    // The last one-off pass is remembered for status.
    expect(ran.json['lastSuccessAt']).toEqual(expect.any(String));
    expect(ran.json['lastPass']).toMatchObject({ forwarded: 1, withReport: 1, errors: 0 });
  });

  it('check says the config and the server are fine, or what is wrong', async () => {
    const ok = await cli(['check', '--config', configPath, '--json']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.json).toMatchObject({ config: 'ok', server: 'ok' });

    await writeConfig({ ...baseKeys(), SFM_URL: 'http://127.0.0.1:9', SFM_API_TOKEN: 'hunter2-token' });
    const dead = await cli(['check', '--config', configPath, '--json']);
    expect(dead.code).toBe(1);
    expect(dead.json).toMatchObject({ config: 'ok', server: 'failed' });
    expect(dead.stdout + dead.stderr).not.toContain('hunter2-token');
  });
});

describe('series3-watcher retry', () => {
  it('puts held-back events back in the queue', async () => {
    await writeEvent(site.watchDir, 'B000BADD.AB0', { report: true });
    await writeConfig({ ...baseKeys(), SFM_HOLD_BACK_AFTER: '1' });
    receiver.behave(() => ({ kind: 'row', status: 'error', detail: 'unsupported format' }));
    const refused = await cli(['once', '--config', configPath, '--json']);
    expect(refused.json).toMatchObject({ errors: 1, heldBack: 1 });
    const status = await cli(['status', '--config', configPath]);
    expect(status.stdout).toMatch(/B000BADD\.AB0: .*unsupported format/);

    const released = await cli(['retry', '--config', configPath, '--json']);
    expect(released.json).toEqual({ released: 1, filenames: ['B000BADD.AB0'] });
    receiver.behave(() => ({ kind: 'ok' }));
    const sent = await cli(['once', '--config', configPath, '--json']);
    expect(sent.json).toMatchObject({ forwarded: 1, heldBack: 0 });
  });
});

describe('series3-watcher run', () => {
  it('forwards until SIGTERM, then exits 0 with the record flushed', async () => {
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
    let child: ChildProcess | undefined;
    const running = cli(['run', '--config', configPath, '--json'], { onStart: (c) => (child = c) });
    await waitFor(() => receiver.requests.length === 1, 'the first delivery');
    await writeEvent(site.watchDir, 'M529LK45.AB0', { report: true, ageSeconds: 0 });
    await waitFor(() => receiver.requests.length === 2, 'the watched new event');
    child!.kill('SIGTERM');
    const ran = await running;
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.json).toMatchObject({ running: false, deliveredTotal: 2 });

    const status = await cli(['status', '--config', configPath, '--json']);
    expect(status.json).toMatchObject({ running: false, deliveredTotal: 2 });
    const again = await cli(['once', '--config', configPath, '--json']);
    expect(again.json).toMatchObject({ forwarded: 0 });
  });
});

describe('series3-watcher status after a hard kill', () => {
  it('item 4: a dead agent whose pid another live program now has is not called running (the lock has no heartbeat)', async () => {
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
    let child: ChildProcess | undefined;
    const running = cli(['run', '--config', configPath], { onStart: (c) => (child = c) });
    await waitFor(() => receiver.requests.length === 1, 'the first delivery');
    // status.json is written a moment after the delivery; the live agent is then called running.
    const live = await waitFor(async () => {
      const ran = await cli(['status', '--config', configPath, '--json']);
      return ran.json['running'] === true && ran.json['deliveredTotal'] === 1 ? ran : null;
    }, 'status of the live agent');
    expect(live!.json).toMatchObject({ running: true });
    child!.kill('SIGKILL');
    await running;
    // Another live program has the dead agent's pid now: this test's own process stands in for it.
    const statusPath = join(site.stateDir, 'status.json');
    const written = JSON.parse(await readFile(statusPath, 'utf8')) as Record<string, unknown>;
    await writeFile(statusPath, JSON.stringify({ ...written, running: true, pid: process.pid }));
    // At once, while the dead agent's lock is still fresh: no heartbeat follows, so not running.
    const after = await cli(['status', '--config', configPath, '--json']);
    expect(after.json).toMatchObject({ running: false, deliveredTotal: 1 });
  }, 60_000); // each status of a live or fresh lock watches it for a heartbeat (up to ~3 s)
});
