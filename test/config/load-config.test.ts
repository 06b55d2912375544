import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigFileError, isConfigFileError, readConfigFile } from '../../src/config/index.js';
import { useTempFolders } from './temp-folder.js';

const tempFolder = useTempFolders();

describe('readConfigFile', () => {
  it('reads and parses the file, returning its text', async () => {
    const folder = await tempFolder();
    const configPath = path.join(folder, 'config.ini');
    const text = '[watcher]\r\nSFM_CONCURRENCY = 6\r\nOLD_KEY = 1\r\n';
    await writeFile(configPath, text);
    const loaded = await readConfigFile(configPath);
    expect(loaded.text).toBe(text);
    expect(loaded.config.concurrency).toBe(6);
    expect(loaded.config.stateDir).toBe(path.join(folder, 'state'));
    expect(loaded.problems).toEqual([]);
    expect(loaded.warnings).toHaveLength(1);
  });

  it('throws a ConfigFileError naming the path and config-template.ini when the file is missing', async () => {
    const folder = await tempFolder();
    const configPath = path.join(folder, 'config.ini');
    const error: unknown = await readConfigFile(configPath).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigFileError);
    expect(isConfigFileError(error)).toBe(true);
    const fileError = error as ConfigFileError;
    expect(fileError.reason).toBe('missing');
    expect(fileError.configPath).toBe(configPath);
    expect(fileError.message).toBe(
      `Config file not found: ${configPath}. Copy config-template.ini to that path and edit it ` +
      '(or save the settings once from the tray app).',
    );
  });

  it('throws a ConfigFileError naming the path when the file cannot be read', async () => {
    const folder = await tempFolder();
    const configPath = path.join(folder, 'config.ini');
    await mkdir(configPath);
    const error = (await readConfigFile(configPath).catch((e: unknown) => e)) as ConfigFileError;
    expect(error).toBeInstanceOf(ConfigFileError);
    expect(error.reason).toBe('unreadable');
    expect(error.message).toContain(configPath);
    expect(error.message).toContain('config-template.ini');
  });

  it('resolves a relative config path, so relative settings resolve against its real folder', async () => {
    const folder = await tempFolder();
    await writeFile(path.join(folder, 'config.ini'), 'STATE_DIR = data\n');
    const relative = path.relative(process.cwd(), path.join(folder, 'config.ini'));
    const loaded = await readConfigFile(relative);
    expect(loaded.config.stateDir).toBe(path.join(folder, 'data'));
  });

  it('reads a UTF-8 file with a BOM (Notepad)', async () => {
    const folder = await tempFolder();
    const configPath = path.join(folder, 'config.ini');
    await writeFile(configPath, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[watcher]\r\nSERIES3_PATH = D:\\Événements\r\n')]));
    const loaded = await readConfigFile(configPath);
    expect(loaded.problems).toEqual([]);
    expect(loaded.warnings).toEqual([]);
    expect(loaded.config.series3Path).toBe('D:\\Événements');
    expect(loaded.text.startsWith('\uFEFF')).toBe(true);
  });

  it('reads a UTF-16 file (Notepad "Unicode")', async () => {
    const folder = await tempFolder();
    const configPath = path.join(folder, 'config.ini');
    await writeFile(configPath, Buffer.from('\uFEFF[watcher]\r\nSERIES3_PATH = D:\\Événements\r\nSFM_CONCURRENCY = 3\r\n', 'utf16le'));
    const loaded = await readConfigFile(configPath);
    expect(loaded.problems).toEqual([]);
    expect(loaded.config).toMatchObject({ series3Path: 'D:\\Événements', concurrency: 3 });
  });

  it('reads an old ANSI file byte for byte', async () => {
    const folder = await tempFolder();
    const configPath = path.join(folder, 'config.ini');
    await writeFile(configPath, Buffer.from('SERIES3_PATH = D:\\Événements\n', 'latin1'));
    expect((await readConfigFile(configPath)).config.series3Path).toBe('D:\\Événements');
  });
});
