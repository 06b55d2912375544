import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfigText } from '../../src/config/index.js';

const configPath = path.join(os.tmpdir(), 'site', 'config.ini');
const configDir = path.dirname(configPath);

function parseClean(text: string): ReturnType<typeof parseConfigText>['config'] {
  const parsed = parseConfigText(text, configPath);
  expect(parsed.problems).toEqual([]);
  return parsed.config;
}

describe('parseConfigText: hand-edited files', () => {
  it('gives the defaults for an empty file', () => {
    const parsed = parseConfigText('', configPath);
    expect(parsed).toEqual({ config: defaultConfig(configPath), problems: [], warnings: [] });
  });

  it('reads keys in any case', () => {
    const config = parseClean('[watcher]\nsfm_url = http://sfm.example:8000\nScan_Interval_Seconds=0.2\nSFM_Concurrency = 8\n');
    expect(config.sfmUrl).toBe('http://sfm.example:8000');
    expect(config.scanIntervalSeconds).toBe(0.2);
    expect(config.concurrency).toBe(8);
  });

  it('reads the [Watcher] section header in any case', () => {
    expect(parseClean('[Watcher]\nSFM_CONCURRENCY = 3\n').concurrency).toBe(3);
  });

  it('reads a file without any section header as [watcher]', () => {
    expect(parseClean('SFM_CONCURRENCY = 7\nMAX_EVENT_AGE_DAYS = 30\n')).toMatchObject({ concurrency: 7, maxEventAgeDays: 30 });
  });

  it('reads header-less lines at the top together with a later [watcher] section', () => {
    expect(parseClean('SFM_CONCURRENCY = 7\n[watcher]\nMAX_EVENT_AGE_DAYS = 30\n'))
      .toMatchObject({ concurrency: 7, maxEventAgeDays: 30 });
  });

  it('skips whole-line comments starting with ; or #, indented or not', () => {
    const config = parseClean('; SFM_CONCURRENCY = 9\n# SFM_CONCURRENCY = 9\n   ;SFM_CONCURRENCY=9\n\t#x\nSFM_CONCURRENCY = 5\n');
    expect(config.concurrency).toBe(5);
  });

  const inlineComments: ReadonlyArray<readonly [line: string, concurrency: number]> = [
    ['SFM_CONCURRENCY = 8 ; eight uploads at once', 8],
    ['SFM_CONCURRENCY = 8 # eight', 8],
    ['SFM_CONCURRENCY = 8\t; after a tab', 8],
    ['SFM_CONCURRENCY=8 ;', 8],
    ['SFM_CONCURRENCY = 8    # spaces, then a comment with = and "quotes"', 8],
  ];
  it.each(inlineComments)('drops an inline comment after a value: %s', (line, concurrency) => {
    expect(parseClean(`[watcher]\n${line}\n`).concurrency).toBe(concurrency);
  });

  it('treats an empty value followed by a comment as empty', () => {
    const parsed = parseConfigText('SFM_URL = ; set me\nSTATE_DIR =   # default\n', configPath);
    expect(parsed.problems).toEqual([]);
    expect(parsed.config.sfmUrl).toBe('');
    expect(parsed.config.stateDir).toBe(path.join(configDir, 'state'));
  });

  it('keeps ; and # that are inside a value (no space before them)', () => {
    const config = parseClean('SERIES3_PATH = C:\\Jobs\\Site#4;old\nSFM_API_TOKEN = ab#cd;ef\n');
    expect(config.series3Path).toBe('C:\\Jobs\\Site#4;old');
    expect(config.apiToken).toBe('ab#cd;ef');
  });

  it('reads CRLF files (Notepad)', () => {
    const config = parseClean('[watcher]\r\nSFM_CONCURRENCY = 6\r\nSERIES3_PATH = D:\\ACH\r\n\r\nMAX_EVENT_AGE_DAYS = 10\r\n');
    expect(config).toMatchObject({ concurrency: 6, series3Path: 'D:\\ACH', maxEventAgeDays: 10 });
  });

  it('reads files with old Mac CR line breaks and no final line break', () => {
    expect(parseClean('[watcher]\rSFM_CONCURRENCY = 6\rMAX_EVENT_AGE_DAYS = 10')).toMatchObject({ concurrency: 6, maxEventAgeDays: 10 });
  });

  it('ignores a UTF-8 BOM at the start of the file (Notepad writes one)', () => {
    expect(parseClean('\uFEFF[watcher]\r\nSFM_CONCURRENCY = 6\r\n').concurrency).toBe(6);
    expect(parseClean('\uFEFFSFM_CONCURRENCY = 6\n').concurrency).toBe(6);
    expect(parseConfigText('\uFEFF[watcher]\nSFM_CONCURRENCY = 6\n', configPath).warnings).toEqual([]);
  });

  it('accepts tabs and spaces around keys, = and values', () => {
    const config = parseClean('[watcher]\n\tSFM_CONCURRENCY\t=\t6\t\n  SFM_URL   =   http://sfm.example:8000/  \n');
    expect(config).toMatchObject({ concurrency: 6, sfmUrl: 'http://sfm.example:8000' });
  });

  it('reads Windows paths exactly as typed, backslashes and spaces included', () => {
    const config = parseClean('SERIES3_PATH = C:\\Blastware 10\\Event\\autocall home\n');
    expect(config.series3Path).toBe('C:\\Blastware 10\\Event\\autocall home');
  });

  it.each([
    ['\\\\server\\share\\events', '\\\\server\\share\\events'],
    ['\\\\server\\share\\events\\', '\\\\server\\share\\events\\'],
    ['"\\\\server\\share\\events"', '\\\\server\\share\\events'],
    ['\\\\192.168.1.20\\Blastware 10\\Event\\autocall home ; the office PC', '\\\\192.168.1.20\\Blastware 10\\Event\\autocall home'],
    ['C:\\new\\table', 'C:\\new\\table'],
    ['C:\\#archive\\\\x', 'C:\\#archive\\\\x'],
  ])('reads UNC paths and backslash sequences exactly: %s', (written, expected) => {
    expect(parseClean(`SERIES3_PATH = ${written}\n`).series3Path).toBe(expected);
  });

  const quoted: ReadonlyArray<readonly [written: string, expected: string]> = [
    ['"C:\\Blastware 10\\Event\\autocall home"', 'C:\\Blastware 10\\Event\\autocall home'],
    ["'C:\\Blastware 10\\Event\\autocall home'", 'C:\\Blastware 10\\Event\\autocall home'],
    ['"C:\\Blastware 10\\Event\\autocall home" ; with a comment', 'C:\\Blastware 10\\Event\\autocall home'],
    ['"C:\\Jobs ; and # more"', 'C:\\Jobs ; and # more'],
    ['"C:\\padded  "', 'C:\\padded  '],
    ["'C:\\it\"s'", 'C:\\it"s'],
    ['"C:\\say "hi" here"', 'C:\\say "hi" here'],
    ['"C:\\x";glued comment', 'C:\\x'],
  ];
  it.each(quoted)('reads a quoted value literally: %s', (written, expected) => {
    expect(parseClean(`SERIES3_PATH = ${written}\n`).series3Path).toBe(expected);
  });

  it('reads quoted numbers and booleans', () => {
    expect(parseClean('SFM_CONCURRENCY = "6"\nSFM_FORWARD_ENABLED = \'no\'\n')).toMatchObject({ concurrency: 6, forwardEnabled: false });
  });

  it('reads a value that starts with a quote but never closes it as typed, with a warning', () => {
    const parsed = parseConfigText('SERIES3_PATH = "C:\\events\n', configPath);
    expect(parsed.config.series3Path).toBe(path.resolve(configDir, '"C:\\events'));
    expect(parsed.warnings).toEqual([`${configPath} line 1: the value of SERIES3_PATH starts with a quote that is never closed; it is read as typed`]);
  });

  it('keeps the texts true, false and null as text where text is wanted', () => {
    const config = parseClean('SFM_API_TOKEN = null\nSERIES3_PATH = true\nSFM_FORWARD_ENABLED = false\n');
    expect(config.apiToken).toBe('null');
    expect(config.series3Path).toBe(path.join(configDir, 'true'));
    expect(config.forwardEnabled).toBe(false);
  });

  it('keeps = signs that are part of a value', () => {
    expect(parseClean('SFM_API_TOKEN = abc==\n').apiToken).toBe('abc==');
  });

  it('reads every kind of value into its Config field', () => {
    const text = [
      '[watcher]',
      'SERIES3_PATH = D:\\ACH',
      'SCAN_INTERVAL_SECONDS = 0.2',
      'MAX_EVENT_AGE_DAYS = 30',
      'SFM_FORWARD_ENABLED = yes',
      'SFM_URL = https://sfm.example:8443/',
      'SFM_MAX_FORWARDS_PER_PASS = 0',
      'SFM_QUIESCENCE_SECONDS = 0.5',
      'SFM_MISSING_REPORT_GRACE_SECONDS = 1.5',
      'SFM_HTTP_TIMEOUT_SECONDS = 2.5',
      'SFM_CONCURRENCY = 2',
      'SFM_API_TOKEN = t0ken',
      'SFM_API_TOKEN_ENCRYPTED = djEw',
      'SFM_CA_FILE = ca.pem',
      'SFM_PROXY = http://proxy.example:3128',
      'STATE_DIR = /var/lib/series3',
      'LEGACY_STATE_FILE = old.json',
      'LOG_FILE = /var/log/series3.log',
      'LOG_MAX_KB = 64',
      'SFM_RETRY_BASE_SECONDS = 0.05',
      'SFM_RETRY_MAX_SECONDS = 0.4',
      'SFM_HOLD_BACK_AFTER = 5',
      'UNIT_LATE_HOURS = 1.5',
      'UNIT_MISSING_HOURS = 6',
      'UNIT_MISSING_NOTIFY = no',
    ].join('\n');
    const parsed = parseConfigText(text, configPath);
    expect(parsed.problems).toEqual([]);
    expect(parsed.warnings).toEqual([]);
    expect(parsed.config).toEqual({
      series3Path: 'D:\\ACH',
      scanIntervalSeconds: 0.2,
      maxEventAgeDays: 30,
      forwardEnabled: true,
      sfmUrl: 'https://sfm.example:8443',
      maxForwardsPerPass: 0,
      quiescenceSeconds: 0.5,
      missingReportGraceSeconds: 1.5,
      httpTimeoutSeconds: 2.5,
      concurrency: 2,
      apiToken: 't0ken',
      caFile: path.join(configDir, 'ca.pem'),
      proxy: 'http://proxy.example:3128',
      stateDir: '/var/lib/series3',
      legacyStateFile: path.join(configDir, 'old.json'),
      logFile: '/var/log/series3.log',
      logMaxKb: 64,
      retryBaseSeconds: 0.05,
      retryMaxSeconds: 0.4,
      holdBackAfterFailures: 5,
      unitLateHours: 1.5,
      unitMissingHours: 6,
      unitMissingNotify: false,
    });
  });
});

describe('parseConfigText: relative paths', () => {
  it('defaults STATE_DIR to a "state" folder next to the config file, and LOG_FILE into it', () => {
    const config = parseClean('');
    expect(config.stateDir).toBe(path.join(configDir, 'state'));
    expect(config.logFile).toBe(path.join(configDir, 'state', 'series3-watcher.log'));
  });

  it('resolves STATE_DIR against the config folder, and the default LOG_FILE follows it', () => {
    const config = parseClean('STATE_DIR = data\\..\\data2\n'.replace(/\\/g, path.sep));
    expect(config.stateDir).toBe(path.join(configDir, 'data2'));
    expect(config.logFile).toBe(path.join(configDir, 'data2', 'series3-watcher.log'));
  });

  it('resolves LOG_FILE against the config folder, not STATE_DIR', () => {
    const config = parseClean('STATE_DIR = data\nLOG_FILE = logs/agent.log\n');
    expect(config.logFile).toBe(path.join(configDir, 'logs', 'agent.log'));
  });

  it('resolves SFM_CA_FILE and LEGACY_STATE_FILE against the config folder', () => {
    const config = parseClean('SFM_CA_FILE = certs/ca.pem\nLEGACY_STATE_FILE = ../old/state.json\n');
    expect(config.caFile).toBe(path.join(configDir, 'certs', 'ca.pem'));
    expect(config.legacyStateFile).toBe(path.resolve(configDir, '../old/state.json'));
  });

  it('keeps absolute paths as typed', () => {
    const config = parseClean('STATE_DIR = C:\\ProgramData\\series3\nLOG_FILE = \\\\logs\\share\\s3.log\n');
    expect(config.stateDir).toBe('C:\\ProgramData\\series3');
    expect(config.logFile).toBe('\\\\logs\\share\\s3.log');
  });

  it('puts the default log in the default state folder when STATE_DIR is bad', () => {
    const parsed = parseConfigText('STATE_DIR = "a\tb"\n', configPath);
    expect(parsed.problems.map((p) => p.key)).toEqual(['STATE_DIR']);
    expect(parsed.config.logFile).toBe(path.join(configDir, 'state', 'series3-watcher.log'));
  });
});

describe('parseConfigText: problems and warnings', () => {
  it('falls back to the default for a bad value and reports it', () => {
    const parsed = parseConfigText('[watcher]\nSFM_CONCURRENCY = abc\nMAX_EVENT_AGE_DAYS = 30\n', configPath);
    expect(parsed.config.concurrency).toBe(4);
    expect(parsed.config.maxEventAgeDays).toBe(30);
    expect(parsed.problems).toEqual([
      { key: 'SFM_CONCURRENCY', value: 'abc', message: 'SFM_CONCURRENCY = "abc" is not allowed: use a whole number from 1 to 32' },
    ]);
  });

  it('reports forwarding turned on without an address', () => {
    const parsed = parseConfigText('SFM_FORWARD_ENABLED = true\n', configPath);
    expect(parsed.problems).toEqual([{
      key: 'SFM_URL',
      value: '',
      message: "SFM_URL is empty: set it to the server's address, e.g. http://sfm.example:8000, or set SFM_FORWARD_ENABLED=false",
    }]);
  });

  it('reports only the bad address when forwarding is on and SFM_URL is invalid', () => {
    const parsed = parseConfigText('SFM_FORWARD_ENABLED = true\nSFM_URL = ftp://x\n', configPath);
    expect(parsed.problems.map((p) => p.message)).toEqual([
      'SFM_URL = "ftp://x" is not allowed: use an address starting with http:// or https://, e.g. http://sfm.example:8000',
    ]);
  });

  it('accepts an empty SFM_URL while forwarding is off', () => {
    expect(parseConfigText('SFM_FORWARD_ENABLED = off\nSFM_URL =\n', configPath).problems).toEqual([]);
  });

  it('reports SFM_RETRY_MAX_SECONDS below SFM_RETRY_BASE_SECONDS and keeps the ceiling >= the base', () => {
    const parsed = parseConfigText('SFM_RETRY_BASE_SECONDS = 10\nSFM_RETRY_MAX_SECONDS = 5\n', configPath);
    expect(parsed.problems).toEqual([{
      key: 'SFM_RETRY_MAX_SECONDS',
      value: '5',
      message: 'SFM_RETRY_MAX_SECONDS = "5" is not allowed: use a number of seconds from SFM_RETRY_BASE_SECONDS (10) to 86400',
    }]);
    expect(parsed.config.retryBaseSeconds).toBe(10);
    expect(parsed.config.retryMaxSeconds).toBe(300);
  });

  it('reports a base above the default ceiling, showing the default ceiling, and raises the ceiling to the base', () => {
    const parsed = parseConfigText('SFM_RETRY_BASE_SECONDS = 600\n', configPath);
    expect(parsed.problems.map((p) => p.message)).toEqual([
      'SFM_RETRY_MAX_SECONDS = "300" is not allowed: use a number of seconds from SFM_RETRY_BASE_SECONDS (600) to 86400',
    ]);
    expect(parsed.config.retryMaxSeconds).toBe(600);
  });

  it('keeps the ceiling >= the base when SFM_RETRY_MAX_SECONDS is itself bad', () => {
    const parsed = parseConfigText('SFM_RETRY_BASE_SECONDS = 600\nSFM_RETRY_MAX_SECONDS = soon\n', configPath);
    expect(parsed.problems.map((p) => p.key)).toEqual(['SFM_RETRY_MAX_SECONDS']);
    expect(parsed.config.retryMaxSeconds).toBe(600);
  });

  it('accepts SFM_RETRY_MAX_SECONDS equal to the base', () => {
    expect(parseConfigText('SFM_RETRY_BASE_SECONDS = 0.2\nSFM_RETRY_MAX_SECONDS = 0.2\n', configPath).problems).toEqual([]);
  });

  it('item 3: reports UNIT_MISSING_HOURS not above UNIT_LATE_HOURS, naming both, and falls back to the defaults', () => {
    const parsed = parseConfigText('UNIT_LATE_HOURS = 12\nUNIT_MISSING_HOURS = 12\n', configPath);
    expect(parsed.problems).toEqual([{
      key: 'UNIT_MISSING_HOURS',
      value: '12',
      message: 'UNIT_MISSING_HOURS = "12" is not allowed: use a number of hours greater than UNIT_LATE_HOURS (12), up to 8760',
    }]);
    expect(parsed.config).toMatchObject({ unitLateHours: 12, unitMissingHours: 24 });
  });

  it('item 3: a late threshold above the default missing one shows the default it collides with', () => {
    const parsed = parseConfigText('UNIT_LATE_HOURS = 48\n', configPath);
    expect(parsed.problems.map((p) => p.message)).toEqual([
      'UNIT_MISSING_HOURS = "24" is not allowed: use a number of hours greater than UNIT_LATE_HOURS (48), up to 8760',
    ]);
    expect(parseConfigText('UNIT_LATE_HOURS = 48\nUNIT_MISSING_HOURS = 72\n', configPath).problems).toEqual([]);
  });

  it('item 3: a bad hours value names the key, the value and the range', () => {
    const parsed = parseConfigText('UNIT_LATE_HOURS = half a day\n', configPath);
    expect(parsed.problems.map((p) => p.message)).toEqual(['UNIT_LATE_HOURS = "half a day" is not allowed: use a number of hours from 0.1 to 8760']);
    expect(parsed.config.unitLateHours).toBe(12);
  });

  it('warns about unknown keys without failing, and without showing their values', () => {
    const parsed = parseConfigText('[watcher]\nSFM_URL = http://sfm.example\nOLD_SECRET_TOKEN = abc123\n', configPath);
    expect(parsed.problems).toEqual([]);
    expect(parsed.config.sfmUrl).toBe('http://sfm.example');
    expect(parsed.warnings).toEqual([
      `${configPath} line 3: OLD_SECRET_TOKEN is not a setting this version knows; it is ignored (it may be left over from an older version)`,
    ]);
  });

  it('uses the last of duplicate keys and warns', () => {
    const parsed = parseConfigText('SFM_CONCURRENCY = 2\n[watcher]\nsfm_concurrency = 3\nSFM_CONCURRENCY = 5\n', configPath);
    expect(parsed.config.concurrency).toBe(5);
    expect(parsed.problems).toEqual([]);
    expect(parsed.warnings).toEqual([
      `${configPath} line 3: SFM_CONCURRENCY is set again (first at line 1); the last one, line 3, is used`,
      `${configPath} line 4: SFM_CONCURRENCY is set again (first at line 1); the last one, line 4, is used`,
    ]);
  });

  it('judges only the value that is used when a key is duplicated', () => {
    expect(parseConfigText('SFM_CONCURRENCY = abc\nSFM_CONCURRENCY = 5\n', configPath).problems).toEqual([]);
    expect(parseConfigText('SFM_CONCURRENCY = 5\nSFM_CONCURRENCY = abc\n', configPath).problems).toHaveLength(1);
  });

  it('does not read other sections, and says so', () => {
    const parsed = parseConfigText('[watcher]\nSFM_CONCURRENCY = 2\n[extra]\nSFM_CONCURRENCY = 9\nCOLOUR = blue\n', configPath);
    expect(parsed.config.concurrency).toBe(2);
    expect(parsed.warnings).toEqual([
      `${configPath} line 3: section [extra] is not read; settings belong in [watcher]`,
      `${configPath} line 4: SFM_CONCURRENCY is in section [extra] and is ignored; move it to [watcher]`,
    ]);
  });

  it('goes back to reading after a later [watcher] header', () => {
    expect(parseClean('[extra]\nSFM_CONCURRENCY = 9\n[watcher]\nSFM_CONCURRENCY = 3\n').concurrency).toBe(3);
  });

  it('warns about lines that are neither settings nor headers, without showing them', () => {
    const parsed = parseConfigText('SFM_API_TOKEN sekrit\n[watcher\n= lonely\n', configPath);
    expect(parsed.warnings).toEqual([
      `${configPath} line 1 is not a "KEY = value" line or a [section] header; it is ignored`,
      `${configPath} line 2 is not a "KEY = value" line or a [section] header; it is ignored`,
      `${configPath} line 3 is not a "KEY = value" line or a [section] header; it is ignored`,
    ]);
    expect(JSON.stringify(parsed)).not.toContain('sekrit');
  });

  it('never puts the token in problems or warnings', () => {
    const text = 'SFM_API_TOKEN = sekrit1\nSFM_API_TOKEN = "sekrit2 with spaces"\n[other]\nSFM_API_TOKEN = sekrit3\n';
    const parsed = parseConfigText(text, configPath);
    expect(parsed.problems.map((p) => p.key)).toEqual(['SFM_API_TOKEN']);
    expect(JSON.stringify([parsed.problems, parsed.warnings])).not.toContain('sekrit');
    expect(parsed.config.apiToken).toBe('');
  });
});
