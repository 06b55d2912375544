// Windows lane: config.ini as Windows editors save it (Notepad: UTF-8 with a BOM, "Unicode" =
// UTF-16 LE, "Unicode big endian" = UTF-16 BE), with an accented SERIES3_PATH, so a file read
// in the wrong encoding shows as a wrong folder, not as a silently defaulted key.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { writeEvent } from '../support/fixtures.js';
import { makeWinSite, type ConfigEncoding, type WinSite } from './support/win-site.js';
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

const cases: ReadonlyArray<{ readonly encoding: ConfigEncoding; readonly name: string }> = [
  { encoding: 'utf8-bom', name: 'windows: config.ini in UTF-8 with a BOM is read, accented path included' },
  { encoding: 'utf16le', name: 'windows: config.ini in UTF-16 LE (Notepad "Unicode") is read, accented path included' },
  // Item 9 (another developer's fix): until it is merged, BE is read as Latin-1 and every key defaults.
  { encoding: 'utf16be', name: 'item 9 / windows: config.ini in UTF-16 BE is read, or refused saying "save config.ini as UTF-8"' },
];

describe('Windows lane: config.ini encodings', () => {
  for (const { encoding, name } of cases) it(name, async () => {
    site = await makeWinSite(receiver.url, { watch: 'Événements ACH/autocall home', config: 'Réglages/config.ini' });
    await site.writeConfig({ SFM_MAX_FORWARDS_PER_PASS: '7' }, encoding);
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });

    const ran = await winCli(['once', ...site.configArgs, '--json']);
    if (encoding === 'utf16be' && ran.code === 2) {
      // Refusing is allowed for BE, but only with the way out named.
      expect(ran.stderr).toMatch(/save config\.ini as UTF-8/i);
      expect(receiver.requests).toHaveLength(0);
      return;
    }
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(ran.stderr).not.toMatch(/\u0000|warning/);
    expect(ran.json).toMatchObject({ forwarded: 1, withReport: 1, errors: 0 });
    expect(receiver.received()).toHaveLength(1);

    // `check` shows what was read: the accented folder and the non-default cap.
    const check = await winCli(['check', ...site.configArgs, '--json']);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain('Événements ACH');
    expect(check.stdout).toMatch(/SFM_MAX_FORWARDS_PER_PASS = 7/);
  });
});
