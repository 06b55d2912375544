import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ConfigFileError,
  defaultConfig,
  parseConfigText,
  readConfigFile,
  saveConfigChanges,
  updateConfigText,
} from '../../src/config/index.js';
import { splitConfigText } from '../../src/config/parse-config.js';
import { useTempFolders } from './temp-folder.js';

const tempFolder = useTempFolders();
const templatePath = fileURLToPath(new URL('../../config-template.ini', import.meta.url));
const configPath = path.join(os.tmpdir(), 'site', 'config.ini');

/** Lines with their own line breaks, so a comparison is byte for byte. */
function linesOf(text: string): string[] {
  return text.split(/(?<=\n)|(?<=\r)(?!\n)/);
}

/** The raw value of a key as the reader sees it (last one in [watcher]). */
function rawValue(text: string, key: string): string | undefined {
  return splitConfigText(text).lines.findLast((l) => l.kind === 'entry' && l.inWatcher && l.key.toUpperCase() === key)?.value;
}

function toCrlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

describe('updateConfigText: changes only what was edited', () => {
  it('changes the edited line of the template and keeps every other line byte for byte', async () => {
    const before = await readFile(templatePath, 'utf8');
    const after = updateConfigText(before, { SFM_URL: 'http://sfm.example:8000' });
    const beforeLines = linesOf(before);
    const afterLines = linesOf(after);
    expect(afterLines).toHaveLength(beforeLines.length);
    const edited = beforeLines.findIndex((line) => line.startsWith('SFM_URL ='));
    afterLines.forEach((line, i) => {
      if (i !== edited) expect(line).toBe(beforeLines[i]);
    });
    expect(afterLines[edited]).toBe('SFM_URL = http://sfm.example:8000\n');
  });

  it('keeps a CRLF file CRLF, every untouched line byte for byte', async () => {
    const before = toCrlf(await readFile(templatePath, 'utf8'));
    const after = updateConfigText(before, { SFM_CONCURRENCY: '8', NEW_KEY_FOR_TEST: 'x' });
    expect(after).not.toMatch(/[^\r]\n/);
    const beforeLines = linesOf(before);
    const afterLines = linesOf(after);
    const edited = beforeLines.findIndex((line) => line.startsWith('SFM_CONCURRENCY ='));
    expect(afterLines[edited]).toBe('SFM_CONCURRENCY = 8\r\n');
    expect(afterLines.filter((_, i) => i !== edited && afterLines[i] !== 'NEW_KEY_FOR_TEST = x\r\n'))
      .toEqual(beforeLines.filter((_, i) => i !== edited));
  });

  it('keeps an LF file LF', () => {
    expect(updateConfigText('[watcher]\nA = 1\n', { SFM_CONCURRENCY: '8' })).toBe('[watcher]\nA = 1\nSFM_CONCURRENCY = 8\n');
  });

  it('keeps the BOM at the start of the file', () => {
    expect(updateConfigText('\uFEFF[watcher]\r\nSFM_CONCURRENCY = 4\r\n', { SFM_CONCURRENCY: '8' }))
      .toBe('\uFEFF[watcher]\r\nSFM_CONCURRENCY = 8\r\n');
  });

  const inPlace: ReadonlyArray<readonly [before: string, value: string, after: string]> = [
    ['SFM_CONCURRENCY = 4 ; four at once', '8', 'SFM_CONCURRENCY = 8 ; four at once'],
    ['SFM_CONCURRENCY = 4\t# tab, then comment', '8', 'SFM_CONCURRENCY = 8\t# tab, then comment'],
    ['\tsfm_Concurrency\t=\t4\t', '8', '\tsfm_Concurrency\t=\t8\t'],
    ['SFM_CONCURRENCY=4', '16', 'SFM_CONCURRENCY=16'],
    ['SFM_URL = ; set me', 'http://sfm.example', 'SFM_URL = http://sfm.example ; set me'],
    ['SFM_URL =', 'http://sfm.example', 'SFM_URL = http://sfm.example'],
    ['SFM_URL=', 'http://sfm.example', 'SFM_URL=http://sfm.example'],
    ['SFM_URL = http://old ; the server', '', 'SFM_URL = ; the server'],
    ['SFM_URL = http://old', '', 'SFM_URL ='],
    ['SERIES3_PATH = "C:\\old path" ; quoted before', 'D:\\new', 'SERIES3_PATH = D:\\new ; quoted before'],
    ['SERIES3_PATH = "C:\\old";glued', 'D:\\new', 'SERIES3_PATH = D:\\new ;glued'],
  ];
  it.each(inPlace)('edits %j in place, keeping spelling, spacing and comment', (before, value, after) => {
    const key = before.trim().split(/\s*=/)[0]?.toUpperCase() ?? '';
    expect(updateConfigText(`[watcher]\n${before}\n[other]\nX = 1\n`, { [key]: value }))
      .toBe(`[watcher]\n${after}\n[other]\nX = 1\n`);
  });

  it('matches the key case-insensitively', () => {
    expect(updateConfigText('sfm_concurrency = 4\n', { Sfm_Concurrency: '8' })).toBe('sfm_concurrency = 8\n');
  });

  it('treats the same key given twice in different case as one change, the last one winning', () => {
    expect(updateConfigText('[watcher]\n', { sfm_concurrency: '2', SFM_CONCURRENCY: '3' })).toBe('[watcher]\nSFM_CONCURRENCY = 3\n');
  });

  it('edits the last of duplicate keys (the one that is read) and leaves the first', () => {
    expect(updateConfigText('SFM_CONCURRENCY = 2\n[watcher]\nSFM_CONCURRENCY = 3\n', { SFM_CONCURRENCY: '9' }))
      .toBe('SFM_CONCURRENCY = 2\n[watcher]\nSFM_CONCURRENCY = 9\n');
  });

  it('edits several keys at once', () => {
    const text = '; mine\n[watcher]\nSFM_URL = http://old\nSFM_FORWARD_ENABLED = false ; off for now\n';
    expect(updateConfigText(text, { SFM_FORWARD_ENABLED: 'true', SFM_URL: 'http://new:8000' }))
      .toBe('; mine\n[watcher]\nSFM_URL = http://new:8000\nSFM_FORWARD_ENABLED = true ; off for now\n');
  });
});

describe('updateConfigText: keys not in the file', () => {
  it('appends them after the last setting of [watcher], before the next section and its comments', () => {
    const text = '[watcher]\nSFM_URL = http://x\n\n; about [other]\n[other]\nFOO = 1\n';
    expect(updateConfigText(text, { SFM_CONCURRENCY: '8', SFM_PROXY: 'http://proxy:3128' }))
      .toBe('[watcher]\nSFM_URL = http://x\nSFM_CONCURRENCY = 8\nSFM_PROXY = http://proxy:3128\n\n; about [other]\n[other]\nFOO = 1\n');
  });

  it('appends them to the last [watcher] section when there are several', () => {
    expect(updateConfigText('[watcher]\nA = 1\n[x]\n[watcher]\nB = 2\n', { SFM_CONCURRENCY: '8' }))
      .toBe('[watcher]\nA = 1\n[x]\n[watcher]\nB = 2\nSFM_CONCURRENCY = 8\n');
  });

  it('appends them right after a [watcher] header that has no settings yet', () => {
    expect(updateConfigText('[watcher]\n\n[other]\n', { SFM_CONCURRENCY: '8' })).toBe('[watcher]\nSFM_CONCURRENCY = 8\n\n[other]\n');
  });

  it('appends them after the last setting of a file without a section header', () => {
    expect(updateConfigText('SFM_URL = http://x\n; trailing note\n', { SFM_CONCURRENCY: '8' }))
      .toBe('SFM_URL = http://x\nSFM_CONCURRENCY = 8\n; trailing note\n');
  });

  it('does not edit the key in another section; it adds it to [watcher]', () => {
    expect(updateConfigText('[watcher]\nA = 1\n[old]\nSFM_CONCURRENCY = 2\n', { SFM_CONCURRENCY: '8' }))
      .toBe('[watcher]\nA = 1\nSFM_CONCURRENCY = 8\n[old]\nSFM_CONCURRENCY = 2\n');
  });

  it('creates the [watcher] section in an empty file', () => {
    expect(updateConfigText('', { SFM_URL: 'http://x', SFM_FORWARD_ENABLED: 'true' }))
      .toBe(`[watcher]${os.EOL}SFM_URL = http://x${os.EOL}SFM_FORWARD_ENABLED = true${os.EOL}`);
  });

  it('creates the [watcher] section at the end of a file that has only other sections', () => {
    expect(updateConfigText('[other]\r\nFOO = 1', { SFM_CONCURRENCY: '8' }))
      .toBe('[other]\r\nFOO = 1\r\n\r\n[watcher]\r\nSFM_CONCURRENCY = 8\r\n');
  });

  it('creates the [watcher] section after a file of comments only', () => {
    expect(updateConfigText('; my notes\n', { SFM_CONCURRENCY: '8' })).toBe('; my notes\n\n[watcher]\nSFM_CONCURRENCY = 8\n');
  });

  it('adds the line break a file was missing at its end, in the file\'s style', () => {
    expect(updateConfigText('[watcher]\r\nSFM_URL = http://x', { SFM_CONCURRENCY: '8' }))
      .toBe('[watcher]\r\nSFM_URL = http://x\r\nSFM_CONCURRENCY = 8\r\n');
  });

  it('writes an empty value as "KEY ="', () => {
    expect(updateConfigText('[watcher]\n', { SFM_PROXY: '' })).toBe('[watcher]\nSFM_PROXY =\n');
  });
});

describe('updateConfigText: values read back exactly as given, quoted only when needed', () => {
  const cases: ReadonlyArray<readonly [value: string, written: string]> = [
    ['C:\\Blastware 10\\Event\\autocall home', 'C:\\Blastware 10\\Event\\autocall home'],
    ['\\\\server\\share\\events', '\\\\server\\share\\events'],
    ['\\\\server\\share\\events\\', '\\\\server\\share\\events\\'],
    ['C:\\Jobs\\Site#4;b', 'C:\\Jobs\\Site#4;b'],
    ['C:\\Jobs ; old', '"C:\\Jobs ; old"'],
    ['C:\\Jobs #2', '"C:\\Jobs #2"'],
    ['C:\\trailing  ', '"C:\\trailing  "'],
    ['  C:\\leading', '"  C:\\leading"'],
    ['"C:\\quoted"', '\'"C:\\quoted"\''],
    ["'C:\\single'", '"\'C:\\single\'"'],
    [';C:\\semicolon first', '";C:\\semicolon first"'],
    ['#hash first', '"#hash first"'],
    ['C:\\it\'s "both" ;', '\'C:\\it\'s "both" ;\''],
    ['C:\\x=y', 'C:\\x=y'],
    ['é€ unicode', 'é€ unicode'],
  ];

  it.each(cases)('%j is written as %j', (value, written) => {
    const text = updateConfigText('[watcher]\n', { SERIES3_PATH: value });
    expect(text).toBe(`[watcher]\nSERIES3_PATH = ${written}\n`);
    expect(rawValue(text, 'SERIES3_PATH')).toBe(value);
  });

  it.each(cases)('%j reads back exactly when replacing a value with a comment after it', (value) => {
    const text = updateConfigText('[watcher]\nSERIES3_PATH = C:\\old ; the old one\n', { SERIES3_PATH: value });
    expect(rawValue(text, 'SERIES3_PATH')).toBe(value);
    expect(text).toContain('; the old one');
  });

  it('reads a written UNC path back into Config unchanged', () => {
    const text = updateConfigText('', { SERIES3_PATH: '\\\\server\\share\\events' });
    expect(parseConfigText(text, configPath).config.series3Path).toBe('\\\\server\\share\\events');
  });

  it('refuses a value with a line break', () => {
    expect(() => updateConfigText('', { SERIES3_PATH: 'C:\\a\nSFM_URL=http://evil' })).toThrow(RangeError);
  });

  it('refuses a key that could not be read back', () => {
    expect(() => updateConfigText('', { 'BAD KEY': 'x' })).toThrow(RangeError);
    expect(() => updateConfigText('', { '[watcher]': 'x' })).toThrow(RangeError);
  });
});

describe('saveConfigChanges', () => {
  async function configFile(text: string | Buffer): Promise<{ folder: string; file: string }> {
    const folder = await tempFolder();
    const file = path.join(folder, 'config.ini');
    await writeFile(file, text);
    return { folder, file };
  }

  it('writes the change, returns the new settings and leaves no temp file behind', async () => {
    const { folder, file } = await configFile('[watcher]\nSFM_URL =\n');
    const result = await saveConfigChanges(file, { SFM_URL: 'http://sfm.example:8000/', SFM_FORWARD_ENABLED: 'yes' });
    expect(result).toEqual({ ok: true, config: { ...defaultConfig(file), sfmUrl: 'http://sfm.example:8000', forwardEnabled: true } });
    expect(await readFile(file, 'utf8')).toBe('[watcher]\nSFM_URL = http://sfm.example:8000/\nSFM_FORWARD_ENABLED = yes\n');
    expect(await readdir(folder)).toEqual(['config.ini']);
  });

  it('changes only the edited line on disk: BOM, CRLF, comments and other lines byte for byte', async () => {
    const template = await readFile(templatePath, 'utf8');
    const before = Buffer.from(`\uFEFF${toCrlf(template)}`, 'utf8');
    const { file } = await configFile(before);
    const result = await saveConfigChanges(file, { SFM_CONCURRENCY: '8' });
    expect(result.ok).toBe(true);
    const after = await readFile(file);
    const expected = Buffer.from(before.toString('utf8').replace('SFM_CONCURRENCY = 4\r\n', 'SFM_CONCURRENCY = 8\r\n'), 'utf8');
    expect(after.equals(expected)).toBe(true);
  });

  it('replaces the file by rename (a new file appears whole), not by rewriting it in place', async () => {
    const { file } = await configFile('[watcher]\nSFM_CONCURRENCY = 4\n');
    const before = await stat(file);
    await saveConfigChanges(file, { SFM_CONCURRENCY: '8' });
    const after = await stat(file);
    if (process.platform !== 'win32') expect(after.ino).not.toBe(before.ino);
    expect(await readFile(file, 'utf8')).toBe('[watcher]\nSFM_CONCURRENCY = 8\n');
  });

  it('writes nothing when a value is not allowed, and says why', async () => {
    const text = '[watcher]\r\nSFM_CONCURRENCY = 4 ; four\r\n';
    const { folder, file } = await configFile(text);
    const result = await saveConfigChanges(file, { SFM_CONCURRENCY: 'abc', MAX_EVENT_AGE_DAYS: '30' });
    expect(result).toEqual({
      ok: false,
      problems: [{ key: 'SFM_CONCURRENCY', value: 'abc', message: 'SFM_CONCURRENCY = "abc" is not allowed: use a whole number from 1 to 32' }],
    });
    expect(await readFile(file, 'utf8')).toBe(text);
    expect(await readdir(folder)).toEqual(['config.ini']);
  });

  it.each([['U+2028', '\u2028'], ['U+2029', '\u2029'], ['a C1 control', '\u0085'], ['a lone surrogate', '\udc00']])(
    'item 5 (issue 8): a value with %s is refused with its key named, never "saved" and then dropped by the reader',
    async (_what, ch) => {
      const text = '[watcher]\nSERIES3_PATH = C:\\Events\n';
      const { file } = await configFile(text);
      const result = await saveConfigChanges(file, { SERIES3_PATH: `C:\\Events${ch}More` });
      expect(result.ok).toBe(false);
      expect(!result.ok && result.problems.map((p) => p.key)).toEqual(['SERIES3_PATH']);
      expect(await readFile(file, 'utf8')).toBe(text);
    },
  );

  it('writes nothing when the resulting file has a cross-key problem', async () => {
    const text = '[watcher]\nSFM_URL =\n';
    const { file } = await configFile(text);
    const result = await saveConfigChanges(file, { SFM_FORWARD_ENABLED: 'true' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.map((p) => p.key)).toEqual(['SFM_URL']);
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it('writes nothing while another key in the file is bad, and names that key', async () => {
    const text = '[watcher]\nLOG_MAX_KB = lots\n';
    const { file } = await configFile(text);
    const result = await saveConfigChanges(file, { SFM_CONCURRENCY: '8' });
    expect(!result.ok && result.problems.map((p) => p.key)).toEqual(['LOG_MAX_KB']);
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it('writes nothing for a key this version does not know', async () => {
    const { file } = await configFile('[watcher]\n');
    const result = await saveConfigChanges(file, { SFM_TOKEN: 'x' });
    expect(!result.ok && result.problems.map((p) => p.key)).toEqual(['SFM_TOKEN']);
    expect(await readFile(file, 'utf8')).toBe('[watcher]\n');
  });

  it('never puts the token in its problems', async () => {
    const { file } = await configFile('[watcher]\n');
    const result = await saveConfigChanges(file, { SFM_API_TOKEN: 'sekrit token' });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain('sekrit');
  });

  it('saves the token and the encrypted token so they read back exactly', async () => {
    const { file } = await configFile('[watcher]\n');
    const result = await saveConfigChanges(file, { SFM_API_TOKEN: 'abc#;=x', SFM_API_TOKEN_ENCRYPTED: 'djEwAAAA+/8=' });
    expect(result.ok && result.config.apiToken).toBe('abc#;=x');
    expect(rawValue(await readFile(file, 'utf8'), 'SFM_API_TOKEN_ENCRYPTED')).toBe('djEwAAAA+/8=');
  });

  it('starts a missing file from the template text when given', async () => {
    const folder = await tempFolder();
    const file = path.join(folder, 'config.ini');
    const template = await readFile(templatePath, 'utf8');
    const result = await saveConfigChanges(file, { SFM_URL: 'http://sfm.example:8000' }, template);
    expect(result.ok).toBe(true);
    expect(await readFile(file, 'utf8')).toBe(template.replace('SFM_URL =\n', 'SFM_URL = http://sfm.example:8000\n'));
  });

  it('starts a missing file from nothing, creating its folder', async () => {
    const folder = await tempFolder();
    const file = path.join(folder, 'new', 'deeper', 'config.ini');
    const result = await saveConfigChanges(file, { SFM_CONCURRENCY: '2' });
    expect(result.ok && result.config.concurrency).toBe(2);
    expect(await readFile(file, 'utf8')).toBe(`[watcher]${os.EOL}SFM_CONCURRENCY = 2${os.EOL}`);
    expect(await readdir(path.dirname(file))).toEqual(['config.ini']);
  });

  it('keeps a UTF-16 file UTF-16', async () => {
    const { file } = await configFile(Buffer.from('\uFEFF[watcher]\r\nSFM_CONCURRENCY = 4\r\n', 'utf16le'));
    await saveConfigChanges(file, { SERIES3_PATH: 'D:\\Événements' });
    const bytes = await readFile(file);
    expect(bytes.toString('utf16le')).toBe('\uFEFF[watcher]\r\nSFM_CONCURRENCY = 4\r\nSERIES3_PATH = D:\\Événements\r\n');
    expect((await readConfigFile(file)).config.series3Path).toBe('D:\\Événements');
  });

  it('keeps the bytes of an old ANSI file it does not edit', async () => {
    const before = Buffer.from('; Réglages\nSFM_CONCURRENCY = 4\n', 'latin1');
    const { file } = await configFile(before);
    await saveConfigChanges(file, { SFM_CONCURRENCY: '5' });
    expect((await readFile(file)).equals(Buffer.from('; Réglages\nSFM_CONCURRENCY = 5\n', 'latin1'))).toBe(true);
  });

  it.skipIf(process.platform === 'win32')('keeps the file\'s permissions', async () => {
    const { file } = await configFile('[watcher]\n');
    await chmod(file, 0o640);
    await saveConfigChanges(file, { SFM_CONCURRENCY: '5' });
    expect((await stat(file)).mode & 0o777).toBe(0o640);
  });

  it.skipIf(process.platform === 'win32')('creates a new file readable by its owner only (it may hold the token)', async () => {
    const folder = await tempFolder();
    const file = path.join(folder, 'config.ini');
    await saveConfigChanges(file, { SFM_CONCURRENCY: '5' });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  const isRoot = process.getuid?.() === 0;
  it.skipIf(process.platform === 'win32' || isRoot)(
    'leaves the old file and no temp file when the folder cannot be written',
    async () => {
      const folder = await tempFolder();
      const inner = path.join(folder, 'ro');
      await mkdir(inner);
      const file = path.join(inner, 'config.ini');
      await writeFile(file, '[watcher]\n');
      await chmod(inner, 0o555);
      try {
        const error = await saveConfigChanges(file, { SFM_CONCURRENCY: '5' }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ConfigFileError);
        expect((error as ConfigFileError).message).toContain(file);
        expect(await readFile(file, 'utf8')).toBe('[watcher]\n');
        expect(await readdir(inner)).toEqual(['config.ini']);
      } finally {
        await chmod(inner, 0o755);
      }
    },
  );
});
