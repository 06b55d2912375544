// Issue 10 item 8: every time the command line prints for a person is local time (year-month-day,
// 24-hour clock), never ISO UTC; the --json object keeps ISO UTC for scripts. The built CLI runs
// with TZ=Asia/Kolkata (UTC+05:30 all year), so a local time cannot pass for a UTC one.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeStatus } from '../../src/cli/run-cli.js';
import { localClockOrDate, localDateTime } from '../../src/text/local-time.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { makeSite, writeEvent, type Site } from '../support/fixtures.js';
import { statusWith, NOW_MS, minutesAgo } from '../electron/status-fixture.js';
import { BIN } from './spawn-cli.js';

const ZONE = 'Asia/Kolkata';
const OFFSET_MS = (5 * 60 + 30) * 60_000;
const ISO_TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d/;

/** The instant as a clock in Asia/Kolkata shows it: "2026-11-23 18:36" (with seconds on request). */
function inKolkata(iso: string, withSeconds = false): string {
  const shifted = new Date(Date.parse(iso) + OFFSET_MS).toISOString();
  return `${shifted.slice(0, 10)} ${shifted.slice(11, withSeconds ? 19 : 16)}`;
}

function cliInKolkata(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TZ: ZONE } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every stdout line but the --json one. */
const humanLines = (stdout: string): string[] => stdout.trim().split('\n').filter((line) => !line.startsWith('{'));

let site: Site;
let receiver: Receiver;
let configPath: string;

beforeEach(async () => {
  site = await makeSite('s3w-local-times-');
  receiver = await startReceiver();
  configPath = join(site.root, 'config.ini');
  await writeFile(
    configPath,
    [
      '[watcher]',
      `SERIES3_PATH = ${site.watchDir}`,
      'SFM_FORWARD_ENABLED = true',
      `SFM_URL = ${receiver.url}`,
      'SFM_QUIESCENCE_SECONDS = 30',
      'SFM_HTTP_TIMEOUT_SECONDS = 5',
      'STATE_DIR = state',
      '',
    ].join('\n'),
  );
});

afterEach(async () => {
  await receiver.close();
  await site.cleanup();
});

describe('item 8: local times in the human output', () => {
  it('status: last OK in local time; the JSON keeps ISO UTC', async () => {
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true, ageSeconds: 120 });
    expect((await cliInKolkata(['once', '--config', configPath])).code).toBe(0);
    const ran = await cliInKolkata(['status', '--config', configPath, '--json']);
    expect(ran.code, ran.stderr).toBe(0);
    const json = JSON.parse(ran.stdout.trim().split('\n').at(-1)!) as { lastSuccessAt: string };
    expect(json.lastSuccessAt).toMatch(/Z$/);
    const lines = humanLines(ran.stdout);
    expect(lines.find((line) => line.startsWith('last OK: '))).toMatch(new RegExp(`^last OK: ${inKolkata(json.lastSuccessAt)} \\(\\d+ s ago\\)$`));
    expect(lines.filter((line) => ISO_TIME.test(line))).toEqual([]);
  });

  it('once --dry-run: modification and ready times in local time', async () => {
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true, ageSeconds: 120 });
    await writeEvent(site.watchDir, 'M529LK45.AB0', { report: true, ageSeconds: 0 });
    const ran = await cliInKolkata(['once', '--dry-run', '--config', configPath, '--json']);
    expect(ran.code, ran.stderr).toBe(0);
    const json = JSON.parse(ran.stdout.trim().split('\n').at(-1)!) as {
      wouldSend: Array<{ filename: string; modified: string }>;
      waiting: Array<{ filename: string; readyAt: string | null }>;
    };
    const sent = json.wouldSend.find((e) => e.filename === 'M529LK44.AB0')!;
    const waits = json.waiting.find((e) => e.filename === 'M529LK45.AB0')!;
    expect(sent.modified).toMatch(/Z$/);
    const lines = humanLines(ran.stdout);
    expect(lines).toContain(`would send  M529LK44.AB0  ${inKolkata(sent.modified, true)}  with report`);
    // Ready within the next 30 s: today, so the clock alone (unless that crosses midnight in Kolkata).
    const readyText = inKolkata(waits.readyAt!, true);
    const sameDay = readyText.slice(0, 10) === inKolkata(new Date().toISOString()).slice(0, 10);
    expect(lines.find((l) => l.includes('M529LK45.AB0'))).toContain(`(ready at ${sameDay ? readyText.slice(11) : readyText})`);
    expect(lines.filter((line) => ISO_TIME.test(line))).toEqual([]);
  });
});

describe('item 8: describeStatus writes every time locally', () => {
  it('last OK, last failure and next try', () => {
    const lastFailureAt = minutesAgo(5);
    const backoffUntil = new Date(NOW_MS + 90_000).toISOString();
    const lines = describeStatus(statusWith({ lastFailureAt, lastFailureReason: 'HTTP 503', backoffUntil, serverReachable: false }), NOW_MS);
    expect(lines).toContain(`last OK: ${localDateTime(minutesAgo(2))} (2 min ago)`);
    expect(lines).toContain(`last failure: ${localDateTime(lastFailureAt)} (5 min ago): HTTP 503`);
    expect(lines).toContain(`server: NOT reachable, next try ${localClockOrDate(backoffUntil, NOW_MS, true)}`);
    expect(lines.filter((line) => ISO_TIME.test(line))).toEqual([]);
  });
});
