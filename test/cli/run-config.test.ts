// `run` following config.ini, as a script or a technician sees it: the built CLI as a real child
// process, a real config.ini edited on disk, the real receiver (items 13, 14, 15 of issue 7).
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Receiver } from '../support/receiver.js';
import { sleep, waitFor, writeEvent, type Site } from '../support/fixtures.js';
import { cli, startCli, useCliSite } from './spawn-cli.js';

let site: Site;
let receiver: Receiver;
let configPath: string;

const posts = (): number => receiver.requests.filter((r) => r.method === 'POST').length;

async function writeConfig(lines: Record<string, string>, comments = ''): Promise<void> {
  const body = Object.entries(lines).map(([k, v]) => `${k} = ${v}`).join('\n');
  await writeFile(configPath, `; written by the CLI tests\n[watcher]\n${body}\n${comments}`);
}

const baseKeys = (): Record<string, string> => ({
  SERIES3_PATH: site.watchDir,
  SFM_FORWARD_ENABLED: 'true',
  SFM_URL: receiver.url,
  SFM_QUIESCENCE_SECONDS: '0.2',
  SFM_MISSING_REPORT_GRACE_SECONDS: '1',
  SFM_HTTP_TIMEOUT_SECONDS: '5',
  SFM_RETRY_BASE_SECONDS: '0.2',
  STATE_DIR: 'state',
});

async function backlog(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await writeEvent(site.watchDir, `M529L${String(i).padStart(3, '0')}.AB0`, { report: true });
}

/** run's follower polls config.ini every second and reads it once still for 0.5 s. */
const FOLLOW_MS = 1800;

useCliSite('s3w-cli-config-', async (s) => {
  ({ site, receiver, configPath } = s);
});

describe('series3-watcher run and config.ini edits', () => {
  it('item 13: a stop right after a config edit ends the pass at once, not after the whole backlog', async () => {
    await backlog(30);
    receiver.behave(() => ({ kind: 'delay', ms: 400 }));
    const keys = { ...baseKeys(), SFM_CONCURRENCY: '1' };
    await writeConfig(keys);
    const run = startCli(['run', '--config', configPath]);
    await waitFor(() => run.stdout().includes('watching'), 'run to follow config.ini');
    await waitFor(() => posts() >= 1, 'the first upload');
    // A real change, so new settings are waiting for the slow pass when the stop comes.
    await writeConfig({ ...keys, SFM_HTTP_TIMEOUT_SECONDS: '6' });
    await sleep(FOLLOW_MS);
    const stopAt = Date.now();
    run.child.kill('SIGTERM');
    const ran = await run.done;
    expect(ran.code, ran.stderr).toBe(0);
    // The upload in flight finishes (0.4 s); the other 20-odd events wait for the next start.
    expect(ran.endedAt - stopAt).toBeLessThan(3000);
    expect(posts()).toBeLessThan(15);
  });

  it('item 14: comments saved into config.ini again and again never reset the per-pass cap', async () => {
    await backlog(20);
    const keys = { ...baseKeys(), SFM_MAX_FORWARDS_PER_PASS: '5', SCAN_INTERVAL_SECONDS: '60' };
    await writeConfig(keys);
    const run = startCli(['run', '--config', configPath]);
    await waitFor(() => run.stdout().includes('watching'), 'run to follow config.ini');
    await waitFor(() => posts() === 5, 'the first window\'s 5');
    // Each save used to start a new window of 5: two are enough to see it.
    for (let i = 0; i < 2; i++) {
      await appendFile(configPath, `; comment ${i}\n`);
      await sleep(1300);
    }
    expect(posts()).toBe(5);
    run.child.kill('SIGTERM');
    const ran = await run.done;
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stderr).not.toMatch(/new settings applied/);
  });

  it('item 15: a LOG_FILE edit moves the log at once and says which keys were applied', async () => {
    const first = join(site.root, 'first.log');
    const second = join(site.root, 'second.log');
    const keys = { ...baseKeys(), LOG_FILE: first };
    await writeConfig(keys);
    const run = startCli(['run', '--config', configPath]);
    await waitFor(() => run.stdout().includes('watching'), 'run to follow config.ini');
    await waitFor(async () => existsSync(first) && /started:/.test(await readFile(first, 'utf8')), 'the first log');
    await writeConfig({ ...keys, LOG_FILE: second, LOG_MAX_KB: '64' });
    await waitFor(async () => existsSync(second) && /new settings applied: LOG_FILE, LOG_MAX_KB/.test(await readFile(second, 'utf8')), 'the new log');
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
    await waitFor(async () => /M529LK44\.AB0/.test(await readFile(second, 'utf8')), 'the delivery in the new log');
    run.child.kill('SIGTERM');
    expect((await run.done).code).toBe(0);
    expect(await readFile(first, 'utf8')).not.toMatch(/M529LK44/);
    expect(await readFile(second, 'utf8')).toMatch(/stopped; the record is flushed/);
  });

  it('item 15: a bad value kept out during run is in the log and the status problems, and cleared when fixed', async () => {
    const log = join(site.root, 'agent.log');
    const keys = { ...baseKeys(), LOG_FILE: log };
    await writeConfig(keys);
    const run = startCli(['run', '--config', configPath]);
    await waitFor(() => run.stdout().includes('watching'), 'run to follow config.ini');
    await waitFor(async () => existsSync(log) && /started:/.test(await readFile(log, 'utf8')), 'the start');
    await writeConfig({ ...keys, SCAN_INTERVAL_SECONDS: 'soon' });
    await waitFor(async () => /WARN.*config\.ini:.*SCAN_INTERVAL_SECONDS.*soon.*last good settings/.test(await readFile(log, 'utf8')), 'the bad value in the log');
    const bad = await waitFor(async () => {
      const status = await cli(['status', '--config', configPath, '--json']);
      return (status.json.problems as string[] | undefined)?.some((p) => /SCAN_INTERVAL_SECONDS.*soon/.test(p)) ? status : null;
    }, 'the bad value in the status');
    expect(bad!.stdout).toMatch(/problem: config\.ini: .*SCAN_INTERVAL_SECONDS/);

    await writeConfig({ ...keys, SCAN_INTERVAL_SECONDS: '60' });
    await waitFor(async () => {
      const status = await cli(['status', '--config', configPath, '--json']);
      return status.json.running === true && !(status.json.problems as string[]).some((p) => p.includes('config.ini'));
    }, 'the problem to be cleared');
    expect(await readFile(log, 'utf8')).toMatch(/config\.ini reads without problems again/);
    run.child.kill('SIGTERM');
    expect((await run.done).code).toBe(0);
  });
});
