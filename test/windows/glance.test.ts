// Windows lane, issue 10: the technician's commands that read and write files, under Windows
// Node (Wine), on Windows paths: `units` reading the .MLG monitor logs' heads and times,
// `held-back` / `dismiss` / `retry` keeping held-back.json in STATE_DIR, `recent` reading the
// record, and `check` looking at the watch folder.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { writeEvent, writeMonitorLog } from '../support/fixtures.js';
import { makeWinSite, type WinSite } from './support/win-site.js';
import { winCli } from './support/wine.js';

let receiver: Receiver;
let site: WinSite | undefined;

beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
  await site?.cleanup();
  site = undefined;
});

const HOUR_S = 3600;

describe('Windows lane: the technician\'s glance', () => {
  it('windows: units names each unit from its monitor logs, with its newest call-in and its state', async () => {
    site = await makeWinSite(receiver.url, { watch: 'Blastware 10/Événements ACH' });
    await writeMonitorLog(site.watchDir, 'M529LK44.MLG', 'BE9529', { ageSeconds: 1 * HOUR_S });
    await writeMonitorLog(site.watchDir, 'M529LJ01.MLG', 'BE9529', { ageSeconds: 40 * HOUR_S });
    await writeMonitorLog(site.watchDir, 'N036L318.MLG', 'BE10036', { ageSeconds: 20 * HOUR_S });
    await writeMonitorLog(site.watchDir, 'P335L4H0.MLG', 'BA3353', { ageSeconds: 30 * HOUR_S });
    await writeMonitorLog(site.watchDir, 'Q000L000.MLG', null, { ageSeconds: HOUR_S }); // names no unit

    const ran = await winCli(['units', ...site.configArgs, '--json']);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    const units = (ran.json as { units: Array<{ unit: string; state: string; file: string; lastCallIn: string }> }).units;
    expect(units.map((u) => [u.unit, u.state, u.file]).sort()).toEqual([
      ['BA3353', 'missing', 'P335L4H0.MLG'],
      ['BE10036', 'late', 'N036L318.MLG'],
      ['BE9529', 'ok', 'M529LK44.MLG'],
    ]);
    // The newest log's time, as Windows reported it (within the second the fixture set).
    const be9529 = units.find((u) => u.unit === 'BE9529')!;
    expect(Math.abs(Date.parse(be9529.lastCallIn) - (Date.now() - HOUR_S * 1000))).toBeLessThan(60_000);
  });

  it('windows: a held-back event is listed, dismissed (kept in held-back.json), then retried by name; recent and check read the same folders', async () => {
    site = await makeWinSite(receiver.url, { state: 'données du témoin/état' });
    await site.writeConfig({ SFM_HOLD_BACK_AFTER: '1' });
    receiver.behave((request) =>
      request.files.some((f) => f.filename === 'B000BADD.AB0') ? { kind: 'row', status: 'error', detail: 'unsupported format' } : { kind: 'ok' },
    );
    await writeEvent(site.watchDir, 'B000BADD.AB0', { report: true });
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });

    const first = await winCli(['once', ...site.configArgs, '--json']);
    expect(first.json, first.stderr).toMatchObject({ forwarded: 1, heldBack: 1 });

    const dismissed = await winCli(['dismiss', 'b000badd.ab0', ...site.configArgs, '--json']);
    expect(dismissed.code, dismissed.stdout + dismissed.stderr).toBe(0);
    const listed = await winCli(['held-back', ...site.configArgs, '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.json).toMatchObject({ heldBack: [{ filename: 'B000BADD.AB0', dismissed: true, refusals: 1 }] });

    const recent = await winCli(['recent', ...site.configArgs, '--json']);
    expect(recent.code, recent.stderr).toBe(0);
    expect(recent.json).toMatchObject({ recent: [{ filename: 'M529LK44.AB0', withReport: true }] });

    receiver.behave(() => ({ kind: 'ok' }));
    const retried = await winCli(['retry', 'B000BADD.AB0', ...site.configArgs, '--json']);
    expect(retried.json, retried.stderr).toEqual({ released: 1, filenames: ['B000BADD.AB0'] });
    const second = await winCli(['once', ...site.configArgs, '--json']);
    expect(second.json, second.stderr).toMatchObject({ forwarded: 1, heldBack: 0 });

    const check = await winCli(['check', ...site.configArgs, '--json']);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.json).toMatchObject({ config: 'ok', folder: 'ok', events: 2, server: 'ok' });
  });
});
