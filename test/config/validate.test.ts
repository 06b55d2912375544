import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateSetting } from '../../src/config/index.js';

const configPath = path.join(os.tmpdir(), 'site', 'config.ini');
const configDir = path.dirname(configPath);

describe('validateSetting: every problem names the key, the value as given and what is allowed', () => {
  const cases: ReadonlyArray<readonly [key: string, raw: string, message: string]> = [
    ['SFM_CONCURRENCY', 'abc', 'SFM_CONCURRENCY = "abc" is not allowed: use a whole number from 1 to 32'],
    ['SFM_CONCURRENCY', '0', 'SFM_CONCURRENCY = "0" is not allowed: use a whole number from 1 to 32'],
    ['SFM_CONCURRENCY', '33', 'SFM_CONCURRENCY = "33" is not allowed: use a whole number from 1 to 32'],
    ['SFM_CONCURRENCY', '4.0', 'SFM_CONCURRENCY = "4.0" is not allowed: use a whole number from 1 to 32'],
    ['MAX_EVENT_AGE_DAYS', '0', 'MAX_EVENT_AGE_DAYS = "0" is not allowed: use a whole number from 1 to 36500'],
    ['MAX_EVENT_AGE_DAYS', '36501', 'MAX_EVENT_AGE_DAYS = "36501" is not allowed: use a whole number from 1 to 36500'],
    ['MAX_EVENT_AGE_DAYS', '1.5', 'MAX_EVENT_AGE_DAYS = "1.5" is not allowed: use a whole number from 1 to 36500'],
    ['SFM_MAX_FORWARDS_PER_PASS', '-1',
      'SFM_MAX_FORWARDS_PER_PASS = "-1" is not allowed: use a whole number from 0 to 1000000 (0 = unlimited)'],
    ['SFM_MAX_FORWARDS_PER_PASS', '1000001',
      'SFM_MAX_FORWARDS_PER_PASS = "1000001" is not allowed: use a whole number from 0 to 1000000 (0 = unlimited)'],
    ['LOG_MAX_KB', '15', 'LOG_MAX_KB = "15" is not allowed: use a whole number from 16 to 1048576'],
    ['LOG_MAX_KB', '1048577', 'LOG_MAX_KB = "1048577" is not allowed: use a whole number from 16 to 1048576'],
    ['SFM_HOLD_BACK_AFTER', '0', 'SFM_HOLD_BACK_AFTER = "0" is not allowed: use a whole number from 1 to 100'],
    ['SFM_HOLD_BACK_AFTER', '101', 'SFM_HOLD_BACK_AFTER = "101" is not allowed: use a whole number from 1 to 100'],
    ['SCAN_INTERVAL_SECONDS', 'abc', 'SCAN_INTERVAL_SECONDS = "abc" is not allowed: use a number of seconds from 0.1 to 86400'],
    ['SCAN_INTERVAL_SECONDS', '0.05', 'SCAN_INTERVAL_SECONDS = "0.05" is not allowed: use a number of seconds from 0.1 to 86400'],
    ['SCAN_INTERVAL_SECONDS', '86401', 'SCAN_INTERVAL_SECONDS = "86401" is not allowed: use a number of seconds from 0.1 to 86400'],
    ['SCAN_INTERVAL_SECONDS', '1e3', 'SCAN_INTERVAL_SECONDS = "1e3" is not allowed: use a number of seconds from 0.1 to 86400'],
    ['SCAN_INTERVAL_SECONDS', '', 'SCAN_INTERVAL_SECONDS = "" is not allowed: use a number of seconds from 0.1 to 86400'],
    ['SFM_QUIESCENCE_SECONDS', '-1', 'SFM_QUIESCENCE_SECONDS = "-1" is not allowed: use a number of seconds from 0 to 3600'],
    ['SFM_QUIESCENCE_SECONDS', '3601', 'SFM_QUIESCENCE_SECONDS = "3601" is not allowed: use a number of seconds from 0 to 3600'],
    ['SFM_MISSING_REPORT_GRACE_SECONDS', '86400.5',
      'SFM_MISSING_REPORT_GRACE_SECONDS = "86400.5" is not allowed: use a number of seconds from 0 to 86400'],
    ['SFM_HTTP_TIMEOUT_SECONDS', '0', 'SFM_HTTP_TIMEOUT_SECONDS = "0" is not allowed: use a number of seconds from 0.1 to 3600'],
    ['SFM_HTTP_TIMEOUT_SECONDS', '1 min',
      'SFM_HTTP_TIMEOUT_SECONDS = "1 min" is not allowed: use a number of seconds from 0.1 to 3600'],
    ['SFM_RETRY_BASE_SECONDS', '0.001',
      'SFM_RETRY_BASE_SECONDS = "0.001" is not allowed: use a number of seconds from 0.01 to 3600'],
    ['SFM_RETRY_MAX_SECONDS', '90000',
      'SFM_RETRY_MAX_SECONDS = "90000" is not allowed: use a number of seconds from 0.01 to 86400'],
    ['SFM_FORWARD_ENABLED', 'maybe',
      'SFM_FORWARD_ENABLED = "maybe" is not allowed: use true or false (yes/no, on/off and 1/0 work too)'],
    ['SFM_FORWARD_ENABLED', '',
      'SFM_FORWARD_ENABLED = "" is not allowed: use true or false (yes/no, on/off and 1/0 work too)'],
    ['SFM_URL', 'ftp://sfm.example',
      'SFM_URL = "ftp://sfm.example" is not allowed: use an address starting with http:// or https://, e.g. http://sfm.example:8000'],
    ['SFM_URL', 'sfm.example:8000',
      'SFM_URL = "sfm.example:8000" is not allowed: use an address starting with http:// or https://, e.g. http://sfm.example:8000'],
    ['SFM_URL', 'http://',
      'SFM_URL = "http://" is not allowed: the address has no server name; use e.g. http://sfm.example:8000'],
    ['SFM_URL', 'http://:8000/db',
      'SFM_URL = "http://:8000/db" is not allowed: the address has no server name; use e.g. http://sfm.example:8000'],
    ['SFM_URL', 'http://sfm example:8000',
      'SFM_URL = "http://sfm example:8000" is not allowed: it is not a valid address; use e.g. http://sfm.example:8000'],
    ['SFM_URL', 'http://sfm.example:99999',
      'SFM_URL = "http://sfm.example:99999" is not allowed: it is not a valid address; use e.g. http://sfm.example:8000'],
    ['SFM_URL', 'http://admin:hunter2@sfm.example:8000',
      'SFM_URL = "http://***@sfm.example:8000" is not allowed: remove the user name and password from the address ' +
      "and put the server's token in SFM_API_TOKEN"],
    ['SFM_URL', 'http://sfm.example:8000/?serial=1',
      'SFM_URL = "http://sfm.example:8000/?serial=1" is not allowed: remove the query (the part from "?"); ' +
      'the agent adds its own path and query'],
    ['SFM_URL', 'http://sfm.example:8000/#top',
      'SFM_URL = "http://sfm.example:8000/#top" is not allowed: remove the part from "#"; an address for the server has no fragment'],
    ['SFM_PROXY', 'socks5://proxy.example:1080',
      'SFM_PROXY = "socks5://proxy.example:1080" is not allowed: use a proxy address starting with http:// or https://, ' +
      'e.g. http://proxy.example:3128, or leave it empty'],
    ['SFM_PROXY', 'http://user:pw@',
      'SFM_PROXY = "http://***@" is not allowed: use a proxy address starting with http:// or https://, ' +
      'e.g. http://proxy.example:3128, or leave it empty'],
    ['SERIES3_PATH', '',
      'SERIES3_PATH = "" is not allowed: set it to the folder Blastware writes events into, e.g. C:\\Blastware 10\\Event\\autocall home'],
    ['SERIES3_PATH', 'C:\\Events\nD:\\More',
      'SERIES3_PATH = "C:\\Events\\nD:\\More" is not allowed: it contains a line break or another control or invisible character; ' +
      'a value must be plain text on one line'],
    ['LOG_FILE', 'log\u0000.txt',
      'LOG_FILE = "log\\u0000.txt" is not allowed: it contains a line break or another control or invisible character; ' +
      'a value must be plain text on one line'],
    ['SFM_API_TOKEN', 'abc def',
      'SFM_API_TOKEN (hidden) is not allowed: use the token exactly as the server issued it (letters, digits and symbols, no spaces)'],
    ['SFM_API_TOKEN', 'tök€n',
      'SFM_API_TOKEN (hidden) is not allowed: use the token exactly as the server issued it (letters, digits and symbols, no spaces)'],
    ['SFM_API_TOKEN', 'abc\r\n',
      'SFM_API_TOKEN (hidden) is not allowed: it contains a line break or another control or invisible character; ' +
      'a value must be plain text on one line'],
    // Item 5 of issue 8: characters the INI reader drops or splits on are refused with the key named.
    ['SERIES3_PATH', 'C:\\Events\u2028D:\\More',
      'SERIES3_PATH = "C:\\Events\\u2028D:\\More" is not allowed: it contains a line break or another control or invisible character; ' +
      'a value must be plain text on one line'],
    ['STATE_DIR', 'C:\\state\u2029',
      'STATE_DIR = "C:\\state\\u2029" is not allowed: it contains a line break or another control or invisible character; ' +
      'a value must be plain text on one line'],
    ['LOG_FILE', 'log\u0085.log',
      'LOG_FILE = "log\\u0085.log" is not allowed: it contains a line break or another control or invisible character; ' +
      'a value must be plain text on one line'],
    ['SFM_URL', 'http://sfm.example\ud800:8000',
      'SFM_URL = "http://sfm.example\\ud800:8000" is not allowed: it contains a line break or another control or invisible character; ' +
      'a value must be plain text on one line'],
    ['SFM_API_TOKEN_ENCRYPTED', 'not base64!',
      'SFM_API_TOKEN_ENCRYPTED (hidden) is not allowed: it must be base64 as the tray app writes it; ' +
      'delete the line and enter the token again in Settings'],
    ['SFM_API_TOKEN_ENCRYPTED', 'abc',
      'SFM_API_TOKEN_ENCRYPTED (hidden) is not allowed: it must be base64 as the tray app writes it; ' +
      'delete the line and enter the token again in Settings'],
    ['SFM_TOKEN', 'whatever', 'SFM_TOKEN is not a setting this version knows: check the spelling against config-template.ini'],
  ];

  it.each(cases)('%s = %j', (key, raw, message) => {
    const result = validateSetting(key, raw, configPath);
    expect(result).toEqual({ ok: false, problem: { key, value: expect.any(String), message } });
  });

  it('reports the value as given in the problem (masked where it is secret)', () => {
    const shown = (key: string, raw: string): string => {
      const result = validateSetting(key, raw, configPath);
      if (result.ok) throw new Error(`${key} = ${raw} was accepted`);
      return result.problem.value;
    };
    expect(shown('SFM_CONCURRENCY', 'abc')).toBe('abc');
    expect(shown('SFM_URL', 'http://admin:hunter2@sfm.example')).toBe('http://***@sfm.example');
    expect(shown('SFM_API_TOKEN', 'abc def')).toBe('(hidden)');
    expect(shown('SFM_API_TOKEN_ENCRYPTED', '!!')).toBe('(hidden)');
    expect(shown('SFM_TOKEN', 'old-secret')).toBe('');
  });

  it('never puts the token, the encrypted token or a URL password in a problem', () => {
    const secrets: ReadonlyArray<readonly [string, string, string]> = [
      ['SFM_API_TOKEN', 'sekrit token', 'sekrit'],
      ['SFM_API_TOKEN', 'sekrit\n', 'sekrit'],
      ['SFM_API_TOKEN_ENCRYPTED', 'sekrit!!', 'sekrit'],
      ['SFM_URL', 'http://me:sekrit@host', 'sekrit'],
      ['SFM_URL', 'http://me:sekrit@host/?q=1', 'sekrit'],
      ['SFM_PROXY', 'ftp://me:sekrit@host', 'sekrit'],
      ['SFM_OLD_TOKEN', 'sekrit', 'sekrit'],
    ];
    for (const [key, raw, secret] of secrets) {
      const result = validateSetting(key, raw, configPath);
      expect(result.ok).toBe(false);
      expect(JSON.stringify(result)).not.toContain(secret);
    }
  });
});

describe('validateSetting: accepted values', () => {
  const accepted: ReadonlyArray<readonly [key: string, raw: string, value: unknown]> = [
    ['SCAN_INTERVAL_SECONDS', '0.2', 0.2],
    ['SCAN_INTERVAL_SECONDS', ' 60 ', 60],
    ['SCAN_INTERVAL_SECONDS', '.5', 0.5],
    ['SCAN_INTERVAL_SECONDS', '86400', 86400],
    ['SFM_QUIESCENCE_SECONDS', '0', 0],
    ['SFM_MISSING_REPORT_GRACE_SECONDS', '0.25', 0.25],
    ['SFM_HTTP_TIMEOUT_SECONDS', '0.1', 0.1],
    ['SFM_RETRY_BASE_SECONDS', '0.01', 0.01],
    ['SFM_RETRY_MAX_SECONDS', '86400', 86400],
    ['MAX_EVENT_AGE_DAYS', '36500', 36500],
    ['SFM_MAX_FORWARDS_PER_PASS', '0', 0],
    ['SFM_MAX_FORWARDS_PER_PASS', '1000000', 1_000_000],
    ['SFM_CONCURRENCY', '32', 32],
    ['SFM_CONCURRENCY', '08', 8],
    ['LOG_MAX_KB', '16', 16],
    ['SFM_HOLD_BACK_AFTER', '100', 100],
    ['SFM_URL', '', ''],
    ['SFM_URL', 'http://sfm.example:8000', 'http://sfm.example:8000'],
    ['SFM_URL', 'https://sfm.example/', 'https://sfm.example'],
    ['SFM_URL', 'HTTPS://sfm.example/seismo//', 'HTTPS://sfm.example/seismo'],
    ['SFM_URL', 'http://127.0.0.1:8123', 'http://127.0.0.1:8123'],
    ['SFM_URL', 'http://[::1]:8123/', 'http://[::1]:8123'],
    ['SFM_PROXY', '', ''],
    ['SFM_PROXY', 'http://proxy.example:3128', 'http://proxy.example:3128'],
    ['SFM_PROXY', 'http://user:pw@proxy.example:3128', 'http://user:pw@proxy.example:3128'],
    ['SFM_API_TOKEN', '', ''],
    ['SFM_API_TOKEN', 'abc.DEF-123_~+/=', 'abc.DEF-123_~+/='],
    ['SFM_API_TOKEN_ENCRYPTED', '', ''],
    ['SFM_API_TOKEN_ENCRYPTED', 'djEwAAAA+/8=', 'djEwAAAA+/8='],
    ['sfm_concurrency', '2', 2],
  ];

  it.each(accepted)('%s = %j', (key, raw, value) => {
    expect(validateSetting(key, raw, configPath)).toEqual({ ok: true, value });
  });

  const booleans: ReadonlyArray<readonly [string, boolean]> = [
    ['true', true], ['TRUE', true], ['Yes', true], ['on', true], ['1', true], [' On ', true],
    ['false', false], ['False', false], ['NO', false], ['off', false], ['0', false],
  ];
  it.each(booleans)('SFM_FORWARD_ENABLED accepts %j in any case', (raw, value) => {
    expect(validateSetting('SFM_FORWARD_ENABLED', raw, configPath)).toEqual({ ok: true, value });
  });
});

describe('validateSetting: paths', () => {
  it('resolves a relative path against the config file folder', () => {
    expect(validateSetting('STATE_DIR', 'data', configPath)).toEqual({ ok: true, value: path.join(configDir, 'data') });
    expect(validateSetting('LOG_FILE', 'logs/agent.log', configPath))
      .toEqual({ ok: true, value: path.resolve(configDir, 'logs/agent.log') });
    expect(validateSetting('SFM_CA_FILE', '../ca.pem', configPath))
      .toEqual({ ok: true, value: path.resolve(configDir, '../ca.pem') });
    expect(validateSetting('LEGACY_STATE_FILE', 'old/state.json', configPath))
      .toEqual({ ok: true, value: path.resolve(configDir, 'old/state.json') });
  });

  it('resolves a relative config path against the working folder first', () => {
    expect(validateSetting('STATE_DIR', 'data', 'config.ini')).toEqual({ ok: true, value: path.resolve('data') });
  });

  it.each([
    'C:\\Blastware 10\\Event\\autocall home',
    '\\\\server\\share\\events',
    'D:/events/ach',
    '/srv/blastware/events',
  ])('keeps an absolute path exactly as typed: %s', (typed) => {
    expect(validateSetting('SERIES3_PATH', typed, configPath)).toEqual({ ok: true, value: typed });
    expect(validateSetting('SFM_CA_FILE', typed, configPath)).toEqual({ ok: true, value: typed });
  });

  it.each(['logs/agent.log', 'C:\\logs\\S3.LOG', 'notes.txt'])('issue 8 item 2: LOG_FILE accepts a .log or .txt file: %s', (typed) => {
    expect(validateSetting('LOG_FILE', typed, configPath).ok).toBe(true);
  });

  it.each([
    'C:\\Users\\tech\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup\\evil.bat',
    'agent.exe', 'agent.log.cmd', 'agent.log.', 'agent.bat ', 'logs',
  ])('issue 8 item 2: LOG_FILE refuses anything but a .log or .txt file (the tray opens it): %j', (typed) => {
    expect(validateSetting('LOG_FILE', typed, configPath)).toEqual({
      ok: false,
      problem: {
        key: 'LOG_FILE',
        value: typed,
        message: `LOG_FILE = "${typed.replace(/\\/g, '\\')}" is not allowed: a log file name must end in .log or .txt, e.g. series3-watcher.log`,
      },
    });
  });

  it('returns "" for an empty optional path (the caller fills in the default)', () => {
    for (const key of ['STATE_DIR', 'LOG_FILE', 'SFM_CA_FILE', 'LEGACY_STATE_FILE']) {
      expect(validateSetting(key, '', configPath)).toEqual({ ok: true, value: '' });
    }
  });
});
