// Item 9 of issue 7 as a technician sees it: `check` on a config.ini saved as UTF-16 (big-endian,
// or without a BOM) reads its settings; a file that is no text stops with exit 2, the file named.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { makeSite, type Site } from '../support/fixtures.js';
import { BIN, cli } from './spawn-cli.js';

let site: Site;
let receiver: Receiver;
let configPath: string;

beforeEach(async () => {
  expect(existsSync(BIN), `${BIN} is built by 'npm test' (npm run build) before vitest`).toBe(true);
  site = await makeSite('s3w-cli-encoding-');
  receiver = await startReceiver();
  configPath = join(site.root, 'config.ini');
});
afterEach(async () => {
  await receiver.close();
  await site.cleanup();
});

const text = (): string => `[watcher]\r\nSERIES3_PATH = ${site.watchDir}\r\nSFM_URL = ${receiver.url}\r\nSFM_CONCURRENCY = 3\r\n`;

describe('item 9: config.ini encodings on the command line', () => {
  it.each([
    ['UTF-16 BE with BOM', (t: string) => Buffer.from(`\uFEFF${t}`, 'utf16le').swap16()],
    ['UTF-16 LE without BOM', (t: string) => Buffer.from(t, 'utf16le')],
    ['UTF-16 BE without BOM', (t: string) => Buffer.from(t, 'utf16le').swap16()],
  ])('item 9: check reads a %s config.ini as its settings', async (_name, encode) => {
    await writeFile(configPath, encode(text()));
    const ran = await cli(['check', '--config', configPath, '--json']);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/SFM_CONCURRENCY = 3/);
    expect(ran.stdout).toContain(`SFM_URL = ${receiver.url}`);
  });

  it('item 9: check and run stop with exit 2 on a config.ini that is no text, naming it and saying to save it as UTF-8', async () => {
    await writeFile(configPath, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00, 0x21, 0x00]));
    for (const command of ['check', 'run']) {
      const ran = await cli([command, '--config', configPath]);
      expect(ran.code).toBe(2);
      expect(ran.stderr).toContain(configPath);
      expect(ran.stderr).toMatch(/Save config\.ini as UTF-8/);
      expect(ran.stderr).not.toMatch(/\u0000/);
    }
  });
});
