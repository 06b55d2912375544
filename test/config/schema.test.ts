import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_KEYS,
  DEFAULT_CONFIG_NAME,
  defaultConfig,
  describeConfig,
  parseConfigText,
  validateSetting,
  type Config,
} from '../../src/config/index.js';
import { splitConfigText } from '../../src/config/parse-config.js';

const templatePath = fileURLToPath(new URL('../../config-template.ini', import.meta.url));
const configPath = path.join(os.tmpdir(), 'site', DEFAULT_CONFIG_NAME);

async function templateText(): Promise<string> {
  return readFile(templatePath, 'utf8');
}

describe('CONFIG_KEYS', () => {
  it('names config.ini as the default config file', () => {
    expect(DEFAULT_CONFIG_NAME).toBe('config.ini');
  });

  it('lists each key once, in upper case', () => {
    const keys = CONFIG_KEYS.map((spec) => spec.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) expect(key).toMatch(/^[A-Z0-9_]+$/);
  });

  it('fills every Config field from exactly one key', () => {
    const fields = CONFIG_KEYS.flatMap((spec) => (spec.field === null ? [] : [spec.field]));
    expect([...fields].sort()).toEqual(Object.keys(defaultConfig(configPath)).sort());
  });

  it('flags SFM_API_TOKEN_ENCRYPTED as a key the core skips', () => {
    expect(CONFIG_KEYS.find((spec) => spec.key === 'SFM_API_TOKEN_ENCRYPTED')).toMatchObject({ field: null, kind: 'opaque' });
    expect(CONFIG_KEYS.filter((spec) => spec.field === null).map((spec) => spec.key)).toEqual(['SFM_API_TOKEN_ENCRYPTED']);
  });

  it('documents every key in one line', () => {
    for (const spec of CONFIG_KEYS) {
      expect(spec.doc.length).toBeGreaterThan(10);
      expect(spec.doc).not.toMatch(/[\r\n]/);
    }
  });

  it('gives numeric keys a range that contains the default', () => {
    for (const spec of CONFIG_KEYS.filter((s) => s.kind === 'seconds' || s.kind === 'hours' || s.kind === 'integer')) {
      expect(spec.min, spec.key).toBeTypeOf('number');
      expect(spec.max, spec.key).toBeTypeOf('number');
      const value = Number(spec.defaultText);
      expect(value >= (spec.min ?? Infinity) && value <= (spec.max ?? -Infinity), spec.key).toBe(true);
    }
  });

  it('has defaultText that validates to the default Config value', () => {
    const defaults = defaultConfig(configPath);
    for (const spec of CONFIG_KEYS) {
      if (spec.field === null || spec.key === 'STATE_DIR' || spec.key === 'LOG_FILE') continue;
      const result = validateSetting(spec.key, spec.defaultText, configPath);
      expect(result, spec.key).toEqual({ ok: true, value: defaults[spec.field] });
    }
  });
});

describe('config-template.ini', () => {
  it('has every key of CONFIG_KEYS in [watcher], once, and no other key', async () => {
    const { lines } = splitConfigText(await templateText());
    const entries = lines.filter((line) => line.kind === 'entry');
    for (const entry of entries) expect(entry.section).toBe('watcher');
    expect(entries.map((entry) => entry.key)).toEqual(CONFIG_KEYS.map((spec) => spec.key));
  });

  it('writes each key with its defaultText', async () => {
    const { lines } = splitConfigText(await templateText());
    const written = Object.fromEntries(lines.filter((l) => l.kind === 'entry').map((l) => [l.key, l.value]));
    expect(written).toEqual(Object.fromEntries(CONFIG_KEYS.map((spec) => [spec.key, spec.defaultText])));
  });

  it('has a comment line right above every key', async () => {
    const { lines } = splitConfigText(await templateText());
    lines.forEach((line, i) => {
      if (line.kind === 'entry') expect(lines[i - 1]?.kind, line.key).toBe('comment');
    });
  });

  it('reads as exactly the defaults, with no problems or warnings', async () => {
    const parsed = parseConfigText(await templateText(), configPath);
    expect(parsed).toEqual({ config: defaultConfig(configPath), problems: [], warnings: [] });
  });

  it('leaves forwarding off', async () => {
    expect(await templateText()).toMatch(/^SFM_FORWARD_ENABLED = false$/m);
    expect(parseConfigText(await templateText(), configPath).config.forwardEnabled).toBe(false);
  });
});

describe('describeConfig', () => {
  const configured: Config = {
    ...defaultConfig(configPath),
    apiToken: 'sekrit-token',
    proxy: 'http://me:sekrit-pw@proxy.example:3128',
    forwardEnabled: true,
    sfmUrl: 'http://sfm.example:8000',
  };

  it('lists every key the core reads, in template order, with its effective value', () => {
    const described = describeConfig(defaultConfig(configPath));
    expect(Object.keys(described)).toEqual(CONFIG_KEYS.filter((s) => s.field !== null).map((s) => s.key));
    expect(described).toMatchObject({
      SERIES3_PATH: 'C:\\Blastware 10\\Event\\autocall home',
      SCAN_INTERVAL_SECONDS: '60',
      SFM_FORWARD_ENABLED: 'false',
      SFM_URL: '',
      STATE_DIR: path.join(path.dirname(configPath), 'state'),
      LOG_FILE: path.join(path.dirname(configPath), 'state', 'series3-watcher.log'),
    });
  });

  it('shows the token only as set / not set', () => {
    expect(describeConfig(defaultConfig(configPath)).SFM_API_TOKEN).toBe('not set');
    expect(describeConfig(configured).SFM_API_TOKEN).toBe('set');
  });

  it('masks a proxy password and never shows a secret', () => {
    const described = describeConfig(configured);
    expect(described.SFM_PROXY).toBe('http://***@proxy.example:3128');
    expect(JSON.stringify(described)).not.toContain('sekrit');
  });
});

describe('issue 9 item 7: the key table is the one table of keys', () => {
  it('every key has its settings-window label here (the page has no table of its own)', () => {
    for (const spec of CONFIG_KEYS) expect(spec.label.trim(), spec.key).not.toBe('');
    expect(new Set(CONFIG_KEYS.map((spec) => spec.label)).size).toBe(CONFIG_KEYS.length);
  });
});
