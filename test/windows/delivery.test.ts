// Windows lane: the built CLI under Windows Node (Wine) delivers each event once, from and to
// Windows paths, including the spaces and accents a French-speaking technician's folders have.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { writeEvent } from '../support/fixtures.js';
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

describe('Windows lane: delivery', () => {
  it('windows: once delivers 3 events with their reports, and a second once sends nothing', async () => {
    site = await makeWinSite(receiver.url);
    for (const name of ['M529LK44.AB0', 'S353L4H0.3M0W', 'P036L318.C80H']) await writeEvent(site.watchDir, name, { report: true });

    const first = await winCli(['once', ...site.configArgs, '--json']);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.json).toMatchObject({ forwarded: 3, withReport: 3, errors: 0, pending: 0 });

    const second = await winCli(['once', ...site.configArgs, '--json']);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(second.json).toMatchObject({ forwarded: 0, errors: 0, pending: 0 });
    expect(receiver.requests).toHaveLength(3);
    expect(receiver.received().map((r) => r.filename).sort()).toEqual(['M529LK44.AB0', 'P036L318.C80H', 'S353L4H0.3M0W']);
    expect(await site.logText()).toMatch(/delivered M529LK44\.AB0/);
  });

  it('windows: SERIES3_PATH, STATE_DIR and the config path with spaces and non-ASCII letters', async () => {
    site = await makeWinSite(receiver.url, {
      watch: 'Blastware 10\\Événements ACH\\autocall home'.replaceAll('\\', '/'),
      state: 'données du témoin/état',
      config: 'Réglages série 3/config.ini',
    });
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });

    const ran = await winCli(['once', ...site.configArgs, '--json']);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(ran.json).toMatchObject({ forwarded: 1, withReport: 1, errors: 0 });
    expect(receiver.received()).toHaveLength(1);
    // The record and the log went where STATE_DIR says, under its accented name.
    const record = await readFile(join(site.stateDir, 'delivered.jsonl'), 'utf8');
    expect(record).toMatch(/M529LK44\.AB0/);
    expect(await site.logText()).toMatch(/delivered M529LK44\.AB0/);

    const again = await winCli(['once', ...site.configArgs, '--json']);
    expect(again.json).toMatchObject({ forwarded: 0, errors: 0 });
    expect(receiver.requests).toHaveLength(1);
  });
});
