// Item 9 of issue 7: config.ini in every encoding Notepad and other Windows editors save, read as
// the same settings; bytes that are not text are refused with the file named and what to do.
import { describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isConfigFileError, readConfigFile, saveConfigChanges } from '../../src/config/index.js';
import { useTempFolders } from './temp-folder.js';

const makeTempFolder = useTempFolders();

const TEXT = '[watcher]\r\nSERIES3_PATH = D:\\Événements\\autocall home\r\nSFM_CONCURRENCY = 3\r\nSCAN_INTERVAL_SECONDS = 17 ; seconds\r\n';

const utf16be = (text: string): Buffer => Buffer.from(text, 'utf16le').swap16();

const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');
const utf16le = (text: string): Buffer => Buffer.from(text, 'utf16le');

const ENCODINGS: readonly (readonly [string, (text: string) => Buffer])[] = [
  ['UTF-8', (t) => utf8(t)],
  ['UTF-8 with BOM', (t) => utf8(`\uFEFF${t}`)],
  ['UTF-16 LE with BOM', (t) => utf16le(`\uFEFF${t}`)],
  ['UTF-16 BE with BOM', (t) => utf16be(`\uFEFF${t}`)],
  ['UTF-16 LE without BOM', (t) => utf16le(t)],
  ['UTF-16 BE without BOM', (t) => utf16be(t)],
];

describe('item 9: config.ini encodings', () => {
  it.each(ENCODINGS)('item 9: reads a %s file as its settings, with no warnings', async (_name, encode) => {
    const configPath = path.join(await makeTempFolder(), 'config.ini');
    await writeFile(configPath, encode(TEXT));
    const loaded = await readConfigFile(configPath);
    expect(loaded.problems).toEqual([]);
    expect(loaded.warnings).toEqual([]);
    expect(loaded.config.series3Path).toBe('D:\\Événements\\autocall home');
    expect(loaded.config.concurrency).toBe(3);
    expect(loaded.config.scanIntervalSeconds).toBe(17);
  });

  it.each(ENCODINGS.slice(3))('item 9: a save keeps a %s file in its encoding', async (_name, encode) => {
    const configPath = path.join(await makeTempFolder(), 'config.ini');
    await writeFile(configPath, encode(TEXT));
    const saved = await saveConfigChanges(configPath, { SFM_CONCURRENCY: '5' });
    expect(saved.ok).toBe(true);
    // Only the edited value changed, in the same encoding (BOM and byte order kept).
    expect(await readFile(configPath)).toEqual(encode(TEXT.replace('SFM_CONCURRENCY = 3', 'SFM_CONCURRENCY = 5')));
  });

  it.each([
    ['binary with NULs', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00, 0x21, 0x00, 0x7f, 0x10, 0x00, 0x00, 0x00, 0x00])],
    ['UTF-32 LE', Buffer.from([0xff, 0xfe, 0x00, 0x00, 0x5b, 0x00, 0x00, 0x00, 0x77, 0x00, 0x00, 0x00])],
    ['UTF-16 with an odd byte count', Buffer.concat([Buffer.from('\uFEFF[watcher]\r\n', 'utf16le'), Buffer.from([0x41])])],
    ['UTF-16 BE with a lone surrogate', Buffer.concat([utf16be('\uFEFF[watcher]\r\n'), Buffer.from([0xd8, 0x00, 0x00, 0x41])])],
  ])('item 9: refuses %s, naming the file and saying to save it as UTF-8', async (_name, bytes) => {
    const configPath = path.join(await makeTempFolder(), 'config.ini');
    await writeFile(configPath, bytes);
    const error = await readConfigFile(configPath).then(
      () => null,
      (err: unknown) => err,
    );
    expect(isConfigFileError(error)).toBe(true);
    expect((error as Error).message).toContain(configPath);
    expect((error as Error).message).toMatch(/Save config\.ini as UTF-8/);
    expect((error as Error).message).not.toMatch(/\u0000/);
  });
});
