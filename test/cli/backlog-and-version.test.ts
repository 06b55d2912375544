// Issue 10 items 1 and 6 from the command line, as a script sees them: the built
// `series3-watcher` against the real test receiver. `--version`; the User-Agent of every request
// (uploads and the check); the progress lines of a long pass on stderr (never on --json's stdout),
// made to come every 300 ms instead of 10 s through S3W_PROGRESS_EVERY_MS; and the backlog in
// words in `status` while the per-pass cap holds the rest back.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startCli, type Ran, useCliSite } from './spawn-cli.js';
import type { Receiver } from '../support/receiver.js';
import { writeEvent, waitFor, type Site } from '../support/fixtures.js';
import { localClockOrDate } from '../../src/text/local-time.js';

const VERSION = (JSON.parse(readFileSync(resolve('package.json'), 'utf8')) as { version: string }).version;
const FAST_PROGRESS = { S3W_PROGRESS_EVERY_MS: '300' };
const PROGRESS_LINE = /^series3-watcher: \d[\d,]* sent, \d[\d,]* to go in this pass/m;

let site: Site;
let receiver: Receiver;
let configPath: string;

async function writeConfig(extra: Record<string, string> = {}): Promise<void> {
  const keys: Record<string, string> = {
    SERIES3_PATH: site.watchDir,
    SFM_FORWARD_ENABLED: 'true',
    SFM_URL: receiver.url,
    SFM_QUIESCENCE_SECONDS: '0.2',
    SFM_MISSING_REPORT_GRACE_SECONDS: '1',
    SFM_HTTP_TIMEOUT_SECONDS: '5',
    SFM_CONCURRENCY: '1',
    STATE_DIR: 'state',
    ...extra,
  };
  await writeFile(configPath, `[watcher]\n${Object.entries(keys).map(([k, v]) => `${k} = ${v}`).join('\n')}\n`);
}

const cli = (args: readonly string[], env: Record<string, string> = {}): Promise<Ran> => startCli(args, env).done;

async function writeEvents(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await writeEvent(site.watchDir, `M529L${String(i).padStart(3, '0')}.AB0`, { report: true, ageSeconds: 900 - i });
}

useCliSite('s3w-backlog-', async (s) => {
  ({ site, receiver, configPath } = s);
  await writeConfig();
});

describe('item 6: the name and the version', () => {
  it('series3-watcher --version prints the name and package.json\'s version and exits 0', async () => {
    const ran = await cli(['--version']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toBe(`series3-watcher ${VERSION}\n`);
    expect(ran.stderr).toBe('');
  });

  it('every request names the client: User-Agent series3-watcher/<version> on uploads and on the check', async () => {
    await writeEvents(2);
    const once = await cli(['once', '--config', configPath, '--json']);
    expect(once.code, once.stderr).toBe(0);
    const check = await cli(['check', '--config', configPath]);
    expect(check.code, check.stdout).toBe(0);
    // The check's probe is a POST with no file in it (the receiver stores nothing for it).
    expect(receiver.requests.map((r) => r.method)).toEqual(['POST', 'POST', 'POST']);
    expect(receiver.received()).toHaveLength(2);
    expect(receiver.requests.map((r) => r.userAgent)).toEqual(Array(3).fill(`series3-watcher/${VERSION}`));
  });

  it("the log's start line names the version", async () => {
    const running = startCli(['run', '--config', configPath]);
    await waitFor(() => running.stdout().includes('watching'), 'run to start');
    running.child.kill('SIGTERM');
    expect((await running.done).code).toBe(0);
    const log = await readFile(join(site.root, 'state', 'series3-watcher.log'), 'utf8');
    expect(log).toContain(`started: series3-watcher ${VERSION}, watching `);
  });
});

describe('item 1: a long pass tells how far it is, on stderr only', () => {
  it('once --json prints progress lines on stderr while the pass runs long, and only the JSON on stdout', async () => {
    await writeEvents(8);
    receiver.behave(() => ({ kind: 'delay', ms: 150 })); // 8 uploads one at a time: about 1.2 s
    const ran = await cli(['once', '--config', configPath, '--json'], FAST_PROGRESS);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.json).toMatchObject({ forwarded: 8 });
    expect(ran.stdout.trim().split('\n')).toHaveLength(2); // the summary line and the JSON
    expect(ran.stdout).not.toMatch(/to go in this pass/);
    const lines = ran.stderr.split('\n').filter((line) => PROGRESS_LINE.test(line));
    expect(lines.length, ran.stderr).toBeGreaterThanOrEqual(2);
    expect(lines.at(-1)).toMatch(/ · \d+ s so far$/);
  });

  it('a pass shorter than the interval prints no progress line (the default interval is 10 s)', async () => {
    await writeEvents(3);
    const ran = await cli(['once', '--config', configPath, '--json']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stderr).toBe('');
  });

  it('run prints progress lines on stderr while its pass runs long, with the backlog in words', async () => {
    await writeEvents(8);
    receiver.behave(() => ({ kind: 'delay', ms: 150 }));
    const running = startCli(['run', '--config', configPath, '--json'], FAST_PROGRESS);
    await waitFor(() => receiver.received().length === 8, 'the 8 deliveries');
    running.child.kill('SIGTERM');
    const ran = await running.done;
    expect(ran.code, ran.stderr).toBe(0);
    const lines = ran.stderr.split('\n').filter((line) => line.startsWith('series3-watcher: pass running, '));
    expect(lines.length, ran.stderr).toBeGreaterThanOrEqual(1);
    expect(lines[0]).toMatch(/^series3-watcher: pass running, \d+ sent so far · \d+ waiting · .*sending now/);
    expect(ran.stdout).not.toMatch(/pass running/);
  });
});

describe('item 1: status tells the backlog in words while the cap holds the rest back', () => {
  it('run with a cap of 2: status says how many wait, about how long, when the next batch goes and at what rate', async () => {
    await writeConfig({ SFM_MAX_FORWARDS_PER_PASS: '2', SCAN_INTERVAL_SECONDS: '60' });
    await writeEvents(5);
    const startedMs = Date.now();
    const running = startCli(['run', '--config', configPath]);
    await waitFor(() => receiver.received().length === 2, 'the first batch of 2');
    const status: Ran = await waitFor(async () => {
      const ran = await cli(['status', '--config', configPath, '--json']);
      return (ran.json['backlog'] as { capReached?: boolean } | undefined)?.capReached === true ? ran : undefined;
    }, 'status.json to tell that the cap was reached') as Ran;
    running.child.kill('SIGTERM');
    await running.done;

    const backlog = status.json['backlog'] as { waiting: number; ratePerMinute: number; etaSeconds: number; nextBatchAt: string; capReached: boolean };
    expect(backlog).toEqual({ waiting: 3, ratePerMinute: 2, etaSeconds: 90, nextBatchAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), capReached: true });
    // The next batch is the next cap window, one SCAN_INTERVAL after the first pass began.
    const nextMs = Date.parse(backlog.nextBatchAt);
    expect(nextMs).toBeGreaterThanOrEqual(startedMs + 60_000);
    expect(nextMs).toBeLessThanOrEqual(Date.now() + 60_000);
    const nowMs = Date.now();
    expect(status.stdout).toContain(`backlog: 3 waiting · about 2 min left · next batch ${localClockOrDate(nextMs, nowMs)} (2 per minute)\n`);
    expect(status.stdout).toContain('the per-pass cap (SFM_MAX_FORWARDS_PER_PASS) is used up for this interval');
  });

  it('after the agent stops, status still counts what waits but promises no next batch', async () => {
    await writeConfig({ SFM_MAX_FORWARDS_PER_PASS: '2' });
    await writeEvents(3);
    const once = await cli(['once', '--config', configPath, '--json']);
    expect(once.json).toMatchObject({ forwarded: 2, pending: 1 });
    const status = await cli(['status', '--config', configPath, '--json']);
    expect(status.json['backlog']).toEqual({ waiting: 1, ratePerMinute: 0, etaSeconds: null, nextBatchAt: null, capReached: true });
    expect(status.stdout).toContain('backlog: 1 waiting\n');
  });

  it('with nothing waiting, status says so and the backlog has no ETA and no next batch', async () => {
    const status = await cli(['status', '--config', configPath, '--json']);
    expect(status.json['backlog']).toEqual({ waiting: 0, ratePerMinute: 0, etaSeconds: null, nextBatchAt: null, capReached: false });
    expect(status.stdout).toContain('backlog: nothing waiting\n');
  });
});
