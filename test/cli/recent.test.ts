// `series3-watcher recent` (issue 10 item 4) as a script and a person see it: the built CLI, a
// real config.ini, the real test receiver, with no agent running (the record read without its
// lock) and with one running (its status.json), local times in the human lines, and late reports.
import { describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startCli, type Ran, useCliSite } from './spawn-cli.js';
import type { Receiver } from '../support/receiver.js';
import { writeAged, writeEvent, waitFor, type Site } from '../support/fixtures.js';
import { localDateTime } from '../../src/text/local-time.js';

const cli = (args: readonly string[], onStart?: (child: ChildProcess) => void): Promise<Ran> => {
  const running = startCli(args);
  onStart?.(running.child);
  return running.done;
};

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
    SFM_HTTP_TIMEOUT_SECONDS: '2',
    STATE_DIR: 'state',
    ...extra,
  };
  await writeFile(configPath, `[watcher]\n${Object.entries(keys).map(([k, v]) => `${k} = ${v}`).join('\n')}\n`);
}

interface Row {
  readonly deliveredAt: string;
  readonly filename: string;
  readonly size: number;
  readonly withReport: boolean;
  readonly lateReport: boolean;
}
const rowsOf = (ran: Ran): Row[] => (ran.json as { recent: Row[] }).recent;

useCliSite('s3w-recent-', async (s) => {
  ({ site, receiver, configPath } = s);
  await writeConfig();
});

describe('series3-watcher recent, no agent running', () => {
  it('says there is nothing yet on a fresh install, and {"recent":[]} with --json', async () => {
    const ran = await cli(['recent', '--config', configPath, '--json']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain('no deliveries yet (from the record (no agent running))');
    expect(ran.json).toEqual({ recent: [] });
  });

  it('lists each delivery newest first, with and without report, and a late report once, as such', async () => {
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true, ageSeconds: 900 });
    await writeEvent(site.watchDir, 'S353L4H0.3M0W', { ageSeconds: 800 }); // no report, grace long over
    expect((await cli(['once', '--config', configPath])).code).toBe(0);
    // The report of the lone binary turns up late: the pair goes again, once.
    await writeAged(site.watchDir, 'S353L4H0.3M0W.TXT', 'late report\r\n', 60);
    expect((await cli(['once', '--config', configPath])).code).toBe(0);
    expect(receiver.requests.filter((r) => r.method === 'POST')).toHaveLength(3);

    const ran = await cli(['recent', '--config', configPath, '--json']);
    expect(ran.code, ran.stderr).toBe(0);
    const rows = rowsOf(ran);
    expect(rows.map((r) => [r.filename, r.withReport, r.lateReport])).toEqual([
      ['S353L4H0.3M0W', true, true],
      ['M529LK44.AB0', true, false],
    ]);
    expect(rows[0]!.size).toBe(4400);
    expect(Date.parse(rows[0]!.deliveredAt)).toBeGreaterThan(Date.parse(rows[1]!.deliveredAt));

    const lines = ran.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^the last 2 deliveries, newest first, local time \(UTC[+-]\d\d:\d\d\), from the record \(no agent running\):$/);
    // Local wall-clock time, never ISO UTC.
    expect(lines[1]).toBe(`  ${localDateTime(rows[0]!.deliveredAt, true)}  S353L4H0.3M0W  late report (the binary went alone first)`);
    expect(lines[2]).toBe(`  ${localDateTime(rows[1]!.deliveredAt, true)}  M529LK44.AB0   with report`);
    expect(ran.stdout).not.toContain('Z ');
  }, 30_000);

  it('lists a lone binary as without report, and leaves seeded events out', async () => {
    await writeEvent(site.watchDir, 'P036L318.C80H', { report: true, ageSeconds: 900 });
    expect((await cli(['seed', '--config', configPath])).code).toBe(0);
    await writeEvent(site.watchDir, 'M529LIY6.N00', { ageSeconds: 600 });
    expect((await cli(['once', '--config', configPath])).code).toBe(0);
    const ran = await cli(['recent', '--config', configPath, '--json']);
    expect(rowsOf(ran).map((r) => [r.filename, r.withReport, r.lateReport])).toEqual([['M529LIY6.N00', false, false]]);
    expect(ran.stdout).toMatch(/M529LIY6\.N00 {2}without report/);
  }, 30_000);

  it('keeps only the last 50', async () => {
    for (let i = 0; i < 55; i++) await writeEvent(site.watchDir, `M529L${String(i).padStart(3, '0')}.AB0`, { report: true, ageSeconds: 900 - i });
    await writeConfig({ SFM_CONCURRENCY: '1' }); // oldest first, one at a time: the first five are the oldest deliveries
    expect((await cli(['once', '--config', configPath])).code).toBe(0);
    const rows = rowsOf(await cli(['recent', '--config', configPath, '--json']));
    expect(rows).toHaveLength(50);
    expect(rows.map((r) => r.filename)).not.toContain('M529L000.AB0');
  }, 30_000);
});

describe('series3-watcher recent beside a running agent', () => {
  it('answers at once from the running agent (its lock is not needed) and agrees with the record after it stops', async () => {
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
    let child: ChildProcess | undefined;
    const running = cli(['run', '--config', configPath], (c) => (child = c));
    await waitFor(() => receiver.requests.length === 1, 'the first delivery');
    await writeEvent(site.watchDir, 'M529LK45.AB0', { ageSeconds: 0, report: true });
    await waitFor(() => receiver.requests.length === 2, 'the watched new event');
    const live = (await waitFor(async () => {
      const ran = await cli(['recent', '--config', configPath, '--json']);
      return ran.code === 0 && rowsOf(ran).length === 2 ? ran : null;
    }, 'the running agent’s recent list', 20_000))!;
    expect(live.stdout).toContain('from the running agent:');
    expect(rowsOf(live).map((r) => r.filename)).toEqual(['M529LK45.AB0', 'M529LK44.AB0']);
    child!.kill('SIGTERM');
    expect((await running).code).toBe(0);

    const after = await cli(['recent', '--config', configPath, '--json']);
    expect(after.stdout).toContain('from the record (no agent running)');
    expect(rowsOf(after)).toEqual(rowsOf(live));
    const status = JSON.parse(await readFile(join(site.stateDir, 'status.json'), 'utf8')) as { recent: Row[] };
    expect(status.recent).toEqual(rowsOf(live));
  }, 60_000);
});
