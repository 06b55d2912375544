// Item 3: `series3-watcher units [--json]` as a script sees it: the built CLI on a real config.ini
// and a real watch folder whose monitor logs have real modification times (fs.utimes). No agent
// runs; the command reads the folder itself and never asks the server.
import { existsSync } from 'node:fs';
import { rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, useCliSite } from './spawn-cli.js';
import type { Receiver } from '../support/receiver.js';
import { writeEvent, writeMonitorLog, type Site } from '../support/fixtures.js';
import { localDateTime } from '../../src/text/local-time.js';
import { describeUnits } from '../../src/cli/units-command.js';

let site: Site;
let receiver: Receiver;
let configPath: string;
const HOUR_MS = 3_600_000;

async function writeConfig(extra: Record<string, string> = {}): Promise<void> {
  const keys = { SERIES3_PATH: site.watchDir, SFM_FORWARD_ENABLED: 'false', SFM_URL: receiver.url, STATE_DIR: 'state', ...extra };
  await writeFile(configPath, `[watcher]\n${Object.entries(keys).map(([k, v]) => `${k} = ${v}`).join('\n')}\n`);
}

/** Sets a file's modification time to exactly `ms`. */
async function touch(name: string, ms: number): Promise<void> {
  await utimes(join(site.watchDir, name), new Date(ms), new Date(ms));
}

useCliSite('s3w-cli-units-', async (s) => {
  ({ site, receiver, configPath } = s);
  await writeConfig();
});

describe('item 3: series3-watcher units', () => {
  it('--json lists each unit with its last call-in (ISO UTC), state and newest .MLG, without an agent or the server', async () => {
    const nowMs = Date.now();
    await writeMonitorLog(site.watchDir, 'M529LK44.MLG', 'BE9529');
    await writeMonitorLog(site.watchDir, 'M529LKA1.MLG', 'BE9529');
    await writeMonitorLog(site.watchDir, 'S353L4H0.MLG', 'BA3353');
    await writeMonitorLog(site.watchDir, 'P036L318.MLG', 'BE10036');
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
    const ok = Math.floor(nowMs / 1000) * 1000 - 2 * HOUR_MS; // whole seconds: every file system keeps them
    await touch('M529LK44.MLG', ok - 48 * HOUR_MS);
    await touch('M529LKA1.MLG', ok);
    await touch('S353L4H0.MLG', ok - 12 * HOUR_MS);
    await touch('P036L318.MLG', ok - 40 * HOUR_MS);
    const ran = await cli(['units', '--config', configPath, '--json']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.json).toEqual({
      units: [
        { unit: 'BE10036', lastCallIn: new Date(ok - 40 * HOUR_MS).toISOString(), state: 'missing', file: 'P036L318.MLG' },
        { unit: 'BA3353', lastCallIn: new Date(ok - 12 * HOUR_MS).toISOString(), state: 'late', file: 'S353L4H0.MLG' },
        { unit: 'BE9529', lastCallIn: new Date(ok).toISOString(), state: 'ok', file: 'M529LKA1.MLG' },
      ],
      counts: { ok: 1, late: 1, missing: 1 },
      unreadable: [],
    });
    expect(receiver.requests).toEqual([]);
    expect(existsSync(join(site.root, 'state', 'delivered.jsonl'))).toBe(false); // no record opened or made
  });

  it('prints one line per unit in local time with how long ago, then the counts and the thresholds', async () => {
    await writeMonitorLog(site.watchDir, 'M529LK44.MLG', 'BE9529');
    const lastMs = Math.floor(Date.now() / 1000) * 1000 - 3 * HOUR_MS - 12 * 60_000;
    await touch('M529LK44.MLG', lastMs);
    await writeConfig({ UNIT_LATE_HOURS: '3', UNIT_MISSING_HOURS: '6' });
    const ran = await cli(['units', '--config', configPath]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout.trim().split('\n')).toEqual([
      `BE9529  late     last call-in ${localDateTime(lastMs)} (3 h 12 min ago)  M529LK44.MLG`,
      '1 unit: 0 ok, 1 late, 0 missing (late after 3 h, missing after 6 h without a call-in)',
    ]);
    expect(ran.stdout).not.toMatch(/\d{4}-\d\d-\d\dT/); // no ISO time for a person
  });

  it('follows a new call-in: a unit whose log is written again is ok again', async () => {
    await writeMonitorLog(site.watchDir, 'M529LK44.MLG', 'BE9529');
    await touch('M529LK44.MLG', Date.now() - 30 * HOUR_MS);
    expect((await cli(['units', '--config', configPath, '--json'])).json).toMatchObject({ counts: { ok: 0, late: 0, missing: 1 } });
    await touch('M529LK44.MLG', Date.now());
    expect((await cli(['units', '--config', configPath, '--json'])).json).toMatchObject({ counts: { ok: 1, late: 0, missing: 0 } });
  });

  it('says so when no monitor log names a unit', async () => {
    await writeMonitorLog(site.watchDir, 'M529LK44.MLG', null);
    const ran = await cli(['units', '--config', configPath, '--json']);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('no units: no .MLG monitor log in the watch folder names one');
    expect(ran.json).toEqual({ units: [], counts: { ok: 0, late: 0, missing: 0 }, unreadable: [] });
  });

  it('a watch folder that does not exist is exit 2 with the reason naming SERIES3_PATH', async () => {
    await rm(site.watchDir, { recursive: true });
    const ran = await cli(['units', '--config', configPath, '--json']);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain(`SERIES3_PATH folder ${site.watchDir} does not exist: check the path in config.ini`);
  });

  it('a bad UNIT_MISSING_HOURS is exit 2 with the message naming both keys', async () => {
    await writeConfig({ UNIT_LATE_HOURS: '30' });
    const ran = await cli(['units', '--config', configPath]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('UNIT_MISSING_HOURS = "24" is not allowed: use a number of hours greater than UNIT_LATE_HOURS (30), up to 8760');
  });
});

describe('item 3: the human lines name every monitor log that could not be read', () => {
  it('after the units, one line each', () => {
    const lines = describeUnits(
      {
        list: [],
        counts: { ok: 0, late: 0, missing: 0 },
        unreadable: [{ file: 'S353L4H0.MLG', reason: 'monitor log S353L4H0.MLG cannot be read (permission denied); its unit is left out until it can' }],
        lateHours: 12,
        missingHours: 24,
        scannedAt: null,
      },
      Date.now(),
    );
    expect(lines.at(-1)).toBe('cannot read: monitor log S353L4H0.MLG cannot be read (permission denied); its unit is left out until it can');
  });
});
