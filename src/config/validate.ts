// Owns the rules for one key's value and the words of every problem message. Pure:
// the settings window calls validateSetting for inline validation, the reader calls
// it for every key in the file, and the cross-key checks live here too so every
// message is written in one place.
//
// Every message names the key, the value as given and what is allowed. Secrets are
// never echoed: the token and the encrypted token show as "(hidden)", URL
// credentials as "***".

import { escapeControls } from '../text/one-line.js';
import path from 'node:path';
import type { ConfigProblem } from './types.js';
import { DEFAULT_SERIES3_PATH, configDirOf, findKeySpec, hideUrlCredentials, type KeySpec } from './schema.js';

export type SettingResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly problem: ConfigProblem };

export const HIDDEN = '(hidden)';

const EXAMPLE_SFM_URL = 'http://sfm.example:8000';
const EXAMPLE_PROXY_URL = 'http://proxy.example:3128';

const TRUE_WORDS: ReadonlySet<string> = new Set(['true', 'yes', 'on', '1']);
const FALSE_WORDS: ReadonlySet<string> = new Set(['false', 'no', 'off', '0']);

const LOG_FILE_EXTENSION = /\.(?:log|txt)$/i;

/**
 * Checks one key's raw text (as read from the file or typed in the settings window).
 * The value on success:
 * - seconds / integer: number; boolean: boolean;
 * - url: the address with trailing slashes removed ('' allowed);
 * - folder / path: absolute (relative ones resolve against the config file's folder),
 *   absolute ones exactly as typed; '' for an empty STATE_DIR / LOG_FILE, meaning
 *   "the default", which depends on other keys and is filled in by parseConfigText;
 * - secret / opaque: the text as given.
 */
export function validateSetting(key: string, raw: string, configPath: string): SettingResult {
  const spec = findKeySpec(key);
  if (spec === undefined) {
    // The value is not shown: an unknown key may be an old name for a secret.
    return fail(key.trim(), '', `${key.trim()} is not a setting this version knows: check the spelling against config-template.ini`);
  }
  const name = spec.key;
  // The INI reader would drop or split a line holding these (C0/C1 controls, U+2028/U+2029, lone
  // surrogates, direction overrides): refused here so a save never says "saved" for a lost key.
  if (escapeControls(raw) !== raw) {
    return fail(name, shownValue(spec, raw),
      `${label(spec, raw)} is not allowed: it contains a line break or another control or invisible character; a value must be plain text on one line`);
  }
  switch (spec.kind) {
    case 'seconds': return checkSeconds(spec, raw);
    case 'hours': return checkHours(spec, raw);
    case 'integer': return checkInteger(spec, raw);
    case 'boolean': return checkBoolean(spec, raw);
    case 'url': return spec.key === 'SFM_PROXY' ? checkProxy(spec, raw) : checkServerUrl(spec, raw);
    case 'folder':
    case 'path': return checkPath(spec, raw, configPath);
    case 'secret': return checkToken(spec, raw);
    case 'opaque': return checkEncryptedToken(spec, raw);
  }
}

/** Cross-key: forwarding needs an address. */
export function missingUrlProblem(): ConfigProblem {
  return {
    key: 'SFM_URL',
    value: '',
    message: `SFM_URL is empty: set it to the server's address, e.g. ${EXAMPLE_SFM_URL}, or set SFM_FORWARD_ENABLED=false`,
  };
}

/** Cross-key: the back-off ceiling cannot be below its first step. */
export function retryMaxBelowBaseProblem(rawMax: string, baseSeconds: number): ConfigProblem {
  const shown = rawMax.trim();
  return {
    key: 'SFM_RETRY_MAX_SECONDS',
    value: shown,
    message: `SFM_RETRY_MAX_SECONDS = ${quote(shown)} is not allowed: use a number of seconds from SFM_RETRY_BASE_SECONDS (${baseSeconds}) to 86400`,
  };
}

/** Cross-key: a unit is late before it is missing. */
export function missingNotAfterLateProblem(rawMissing: string, lateHours: number): ConfigProblem {
  const shown = rawMissing.trim();
  return {
    key: 'UNIT_MISSING_HOURS',
    value: shown,
    message: `UNIT_MISSING_HOURS = ${quote(shown)} is not allowed: use a number of hours greater than UNIT_LATE_HOURS (${lateHours}), up to 8760`,
  };
}

function checkSeconds(spec: KeySpec, raw: string): SettingResult {
  const text = raw.trim();
  const value = /^(?:\d+(?:\.\d*)?|\.\d+)$/.test(text) ? Number(text) : Number.NaN;
  if (inRange(spec, value)) return { ok: true, value };
  return fail(spec.key, text, `${spec.key} = ${quote(text)} is not allowed: use a number of seconds from ${spec.min} to ${spec.max}`);
}

function checkHours(spec: KeySpec, raw: string): SettingResult {
  const text = raw.trim();
  const value = /^(?:\d+(?:\.\d*)?|\.\d+)$/.test(text) ? Number(text) : Number.NaN;
  if (inRange(spec, value)) return { ok: true, value };
  return fail(spec.key, text, `${spec.key} = ${quote(text)} is not allowed: use a number of hours from ${spec.min} to ${spec.max}`);
}

function checkInteger(spec: KeySpec, raw: string): SettingResult {
  const text = raw.trim();
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (inRange(spec, value)) return { ok: true, value };
  const unlimited = spec.min === 0 ? ' (0 = unlimited)' : '';
  return fail(spec.key, text, `${spec.key} = ${quote(text)} is not allowed: use a whole number from ${spec.min} to ${spec.max}${unlimited}`);
}

function checkBoolean(spec: KeySpec, raw: string): SettingResult {
  const text = raw.trim();
  const word = text.toLowerCase();
  if (TRUE_WORDS.has(word)) return { ok: true, value: true };
  if (FALSE_WORDS.has(word)) return { ok: true, value: false };
  return fail(spec.key, text, `${spec.key} = ${quote(text)} is not allowed: use true or false (yes/no, on/off and 1/0 work too)`);
}

function checkServerUrl(spec: KeySpec, raw: string): SettingResult {
  const text = raw.trim();
  if (text === '') return { ok: true, value: '' };
  const shown = hideUrlCredentials(text);
  const notAllowed = `${spec.key} = ${quote(shown)} is not allowed`;
  const address = parseHttpAddress(text);
  if (address.kind === 'bad-scheme') {
    return fail(spec.key, shown, `${notAllowed}: use an address starting with http:// or https://, e.g. ${EXAMPLE_SFM_URL}`);
  }
  if (address.kind === 'no-host') {
    return fail(spec.key, shown, `${notAllowed}: the address has no server name; use e.g. ${EXAMPLE_SFM_URL}`);
  }
  if (address.kind === 'credentials') {
    return fail(spec.key, shown,
      `${notAllowed}: remove the user name and password from the address and put the server's token in SFM_API_TOKEN`);
  }
  if (address.kind === 'invalid') {
    return fail(spec.key, shown, `${notAllowed}: it is not a valid address; use e.g. ${EXAMPLE_SFM_URL}`);
  }
  if (text.includes('?')) {
    return fail(spec.key, shown, `${notAllowed}: remove the query (the part from "?"); the agent adds its own path and query`);
  }
  if (text.includes('#')) {
    return fail(spec.key, shown, `${notAllowed}: remove the part from "#"; an address for the server has no fragment`);
  }
  return { ok: true, value: text.replace(/\/+$/, '') };
}

function checkProxy(spec: KeySpec, raw: string): SettingResult {
  const text = raw.trim();
  if (text === '') return { ok: true, value: '' };
  const shown = hideUrlCredentials(text);
  const address = parseHttpAddress(text);
  // A proxy may carry user:password (that is how proxies authenticate); it is masked in messages.
  if (address.kind === 'ok' || address.kind === 'credentials') return { ok: true, value: text };
  return fail(spec.key, shown,
    `${spec.key} = ${quote(shown)} is not allowed: use a proxy address starting with http:// or https://, e.g. ${EXAMPLE_PROXY_URL}, or leave it empty`);
}

function checkPath(spec: KeySpec, raw: string, configPath: string): SettingResult {
  if (raw.trim() === '') {
    if (spec.key === 'SERIES3_PATH') {
      return fail(spec.key, raw,
        `${spec.key} = ${quote(raw)} is not allowed: set it to the folder Blastware writes events into, e.g. ${DEFAULT_SERIES3_PATH}`);
    }
    return { ok: true, value: '' };
  }
  // The tray's "Open log" hands this file to the shell, which runs a .bat or .exe: only a text log.
  if (spec.key === 'LOG_FILE' && !LOG_FILE_EXTENSION.test(raw.trim())) {
    return fail(spec.key, raw,
      `${spec.key} = ${quote(raw)} is not allowed: a log file name must end in .log or .txt, e.g. series3-watcher.log`);
  }
  return { ok: true, value: resolveConfigPath(raw, configPath) };
}

function checkToken(spec: KeySpec, raw: string): SettingResult {
  // It goes into an HTTP header as is: visible ASCII only, no spaces.
  if (/^[\u0021-\u007e]*$/.test(raw)) return { ok: true, value: raw };
  return fail(spec.key, HIDDEN,
    `${spec.key} ${HIDDEN} is not allowed: use the token exactly as the server issued it (letters, digits and symbols, no spaces)`);
}

function checkEncryptedToken(spec: KeySpec, raw: string): SettingResult {
  const text = raw.trim();
  if (/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return { ok: true, value: text };
  return fail(spec.key, HIDDEN,
    `${spec.key} ${HIDDEN} is not allowed: it must be base64 as the tray app writes it; delete the line and enter the token again in Settings`);
}

/**
 * Relative paths resolve against the config file's folder (not the working folder,
 * which differs between the tray app, a service and a shell). A path that is
 * absolute for Windows or POSIX stays exactly as typed: `C:\...` and `\\server\share`
 * must read back unchanged even when the core runs on another OS (tests, CI).
 */
export function resolveConfigPath(text: string, configPath: string): string {
  if (path.win32.isAbsolute(text) || path.posix.isAbsolute(text)) return text;
  return path.resolve(configDirOf(configPath), text);
}

type HttpAddress = { readonly kind: 'ok' | 'bad-scheme' | 'no-host' | 'credentials' | 'invalid' };

function parseHttpAddress(text: string): HttpAddress {
  // WHATWG URL parsing is lenient ("http:host", "http:///host" both get a host), so
  // the shape is checked on the text first.
  const match = /^https?:\/\/([^/?#]*)/i.exec(text);
  if (match === null) return { kind: 'bad-scheme' };
  const authority = match[1] ?? '';
  const host = authority.slice(authority.lastIndexOf('@') + 1).replace(/:\d*$/, '');
  if (host === '') return { kind: 'no-host' };
  try {
    new URL(text);
  } catch {
    return { kind: 'invalid' };
  }
  return { kind: authority.includes('@') ? 'credentials' : 'ok' };
}

function inRange(spec: KeySpec, value: number): boolean {
  return Number.isFinite(value) && value >= (spec.min ?? -Infinity) && value <= (spec.max ?? Infinity);
}

function label(spec: KeySpec, raw: string): string {
  return spec.kind === 'secret' || spec.kind === 'opaque' ? `${spec.key} ${HIDDEN}` : `${spec.key} = ${quote(shownValue(spec, raw))}`;
}

function shownValue(spec: KeySpec, raw: string): string {
  if (spec.kind === 'secret' || spec.kind === 'opaque') return HIDDEN;
  if (spec.kind === 'url') return hideUrlCredentials(raw);
  return raw;
}

/** The value in double quotes, with control characters written as escapes so a message stays on one line. */
function quote(value: string): string {
  return `"${escapeControls(value)}"`;
}

function fail(key: string, value: string, message: string): SettingResult {
  return { ok: false, problem: { key, value, message } };
}
