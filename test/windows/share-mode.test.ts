// Windows lane: files another Windows program holds open with share mode 0 (a viewer, a backup
// or an antivirus). Wine enforces share modes (EBUSY), so these run for real: the holder is a
// second Windows Node process (scripts/windows-lane/hold-file.cjs, UV_FS_O_EXLOCK).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { writeEvent } from '../support/fixtures.js';
import { makeWinSite, type WinSite } from './support/win-site.js';
import { holdFile, winCli, type HeldFile } from './support/wine.js';

let receiver: Receiver;
let site: WinSite;
let held: HeldFile | undefined;

beforeEach(async () => {
  receiver = await startReceiver();
  site = await makeWinSite(receiver.url);
});
afterEach(async () => {
  await held?.release();
  held = undefined;
  await receiver.close();
  await site.cleanup();
});

describe('Windows lane: share mode 0', () => {
  it('windows: an event held with share mode 0 is not sent while held, quietly, and is sent after release', async () => {
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
    held = await holdFile(join(site.watchDir, 'M529LK44.AB0'));

    const whileHeld = await winCli(['once', ...site.configArgs, '--json']);
    expect(whileHeld.code, whileHeld.stdout + whileHeld.stderr).toBe(0);
    expect(whileHeld.json).toMatchObject({ forwarded: 0, errors: 0, heldBack: 0 });
    expect(receiver.requests).toHaveLength(0);
    // Locked is quiet: nothing on stderr, no failure line, no warning or error in the log.
    expect(whileHeld.stderr).toBe('');
    expect(whileHeld.stdout).not.toMatch(/last failure|cannot|locked|busy/i);
    expect(await site.logText()).not.toMatch(/ WARN | ERROR /);

    await held.release();
    held = undefined;
    const afterRelease = await winCli(['once', ...site.configArgs, '--json']);
    expect(afterRelease.code, afterRelease.stdout + afterRelease.stderr).toBe(0);
    expect(afterRelease.json).toMatchObject({ forwarded: 1, withReport: 1, errors: 0 });
    expect(receiver.received().map((r) => r.filename)).toEqual(['M529LK44.AB0']);
  });

  it('item 5 / windows: rotating the log while .log.1 is held with share mode 0 deletes nothing', async () => {
    // A log just under LOG_MAX_KB (16, the least allowed), so the first line of the run rotates.
    const logMaxKb = 16;
    await mkdir(site.stateDir, { recursive: true });
    const filler = (tag: string, bytes: number): string => {
      const line = `2026-01-01T00:00:00.000Z INFO  ${tag} history line\n`;
      return `${tag}\n${line.repeat(Math.floor(bytes / line.length))}`;
    };
    await writeFile(site.logPath, filler('MARK-CURRENT', logMaxKb * 1024 - 200));
    for (const n of [1, 2, 3]) await writeFile(`${site.logPath}.${n}`, filler(`MARK-OLD-${n}`, 4096));
    await site.writeConfig({ LOG_MAX_KB: String(logMaxKb) });
    for (let i = 0; i < 5; i++) await writeEvent(site.watchDir, `M529L${i}44.AB0`, { report: true, ageSeconds: 600 - i });
    held = await holdFile(`${site.logPath}.1`);

    const ran = await winCli(['once', ...site.configArgs, '--json']);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(ran.json).toMatchObject({ forwarded: 5, errors: 0 });

    await held.release();
    held = undefined;
    const logs = await site.logText();
    const lost = ['MARK-CURRENT', 'MARK-OLD-1', 'MARK-OLD-2', 'MARK-OLD-3'].filter((mark) => !logs.includes(mark));
    expect(lost, 'the history these files held was deleted').toEqual([]);
    // And what the run logged is there too.
    expect(logs).toMatch(/delivered M529L444\.AB0/);
    expect(await readFile(`${site.logPath}.1`, 'utf8')).toContain('MARK-OLD-1');
  });
});
