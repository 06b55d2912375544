// Owns the list of settings: every config.ini key, the Config field it fills, its
// kind, default, allowed range, one line of documentation and its group in the
// settings window. Validation (validate.ts), the reader, the writer, the template
// test and the settings window all work from this one table.

import path from 'node:path';
import type { Config } from './types.js';

export const DEFAULT_CONFIG_NAME = 'config.ini';

/** The only section that is read; lines before any section header count as this one. */
export const WATCHER_SECTION = 'watcher';

export const DEFAULT_SERIES3_PATH = 'C:\\Blastware 10\\Event\\autocall home';
export const DEFAULT_STATE_DIR_NAME = 'state';
export const DEFAULT_LOG_FILE_NAME = 'series3-watcher.log';

export type ConfigKeyName =
  | 'SERIES3_PATH'
  | 'SCAN_INTERVAL_SECONDS'
  | 'MAX_EVENT_AGE_DAYS'
  | 'SFM_FORWARD_ENABLED'
  | 'SFM_URL'
  | 'SFM_API_TOKEN'
  | 'SFM_API_TOKEN_ENCRYPTED'
  | 'SFM_MAX_FORWARDS_PER_PASS'
  | 'SFM_CONCURRENCY'
  | 'SFM_QUIESCENCE_SECONDS'
  | 'SFM_MISSING_REPORT_GRACE_SECONDS'
  | 'UNIT_LATE_HOURS'
  | 'UNIT_MISSING_HOURS'
  | 'UNIT_MISSING_NOTIFY'
  | 'SFM_HTTP_TIMEOUT_SECONDS'
  | 'SFM_CA_FILE'
  | 'SFM_PROXY'
  | 'STATE_DIR'
  | 'LEGACY_STATE_FILE'
  | 'LOG_FILE'
  | 'LOG_MAX_KB'
  | 'SFM_RETRY_BASE_SECONDS'
  | 'SFM_RETRY_MAX_SECONDS'
  | 'SFM_HOLD_BACK_AFTER';

/**
 * - folder / path: resolved against the config file's folder when relative.
 * - seconds, hours: decimals allowed; integer: whole numbers only.
 * - secret: never shown back, never in a message.
 * - opaque: kept in the file for the tray app only (field is null: the core skips it).
 */
export type KeyKind = 'path' | 'folder' | 'seconds' | 'hours' | 'integer' | 'boolean' | 'url' | 'secret' | 'opaque';

export type KeyGroup = 'watch' | 'units' | 'server' | 'pacing' | 'state' | 'advanced';

export interface KeySpec {
  readonly key: ConfigKeyName;
  /** The Config field this key fills; null for keys the core does not read. */
  readonly field: keyof Config | null;
  readonly kind: KeyKind;
  /** The default exactly as config-template.ini writes it ('' = empty, or a default computed from other keys). */
  readonly defaultText: string;
  /** One line for the template and the settings window. */
  readonly doc: string;
  /** The field's name in the settings window (the key is shown beside it). */
  readonly label: string;
  readonly group: KeyGroup;
  readonly min?: number;
  readonly max?: number;
}

// Order is the order of config-template.ini and of `series3-watcher check`.
export const CONFIG_KEYS: readonly KeySpec[] = [
  {
    key: 'SERIES3_PATH', field: 'series3Path', kind: 'folder', group: 'watch',
    label: 'Watch folder',
    defaultText: DEFAULT_SERIES3_PATH,
    doc: 'The folder Blastware writes auto-call-home events into (read only, never modified).',
  },
  {
    key: 'SCAN_INTERVAL_SECONDS', field: 'scanIntervalSeconds', kind: 'seconds', group: 'watch',
    label: 'Full pass every (seconds)',
    defaultText: '60', min: 0.1, max: 86400,
    doc: 'Seconds between full passes over the folder (new events are also noticed as they arrive).',
  },
  {
    key: 'MAX_EVENT_AGE_DAYS', field: 'maxEventAgeDays', kind: 'integer', group: 'watch',
    label: 'Ignore events older than (days)',
    defaultText: '365', min: 1, max: 36500,
    doc: 'Events older than this many days are never sent (keeps deep archives out).',
  },
  {
    key: 'SFM_QUIESCENCE_SECONDS', field: 'quiescenceSeconds', kind: 'seconds', group: 'watch',
    label: 'Wait until a file is unchanged for (seconds)',
    defaultText: '5', min: 0, max: 3600,
    doc: 'A file modified less than this many seconds ago is still being written; wait.',
  },
  {
    key: 'SFM_MISSING_REPORT_GRACE_SECONDS', field: 'missingReportGraceSeconds', kind: 'seconds', group: 'watch',
    label: 'Send without its report after (seconds)',
    defaultText: '60', min: 0, max: 86400,
    doc: 'An event whose .TXT report has not appeared is sent alone once it is this many seconds old.',
  },
  {
    key: 'UNIT_LATE_HOURS', field: 'unitLateHours', kind: 'hours', group: 'units',
    label: 'A unit is late after (hours)',
    defaultText: '12', min: 0.1, max: 8760,
    doc: 'A unit whose newest .MLG monitor log is older than this many hours is shown as late.',
  },
  {
    // The lower bound is really UNIT_LATE_HOURS; parseConfigText checks that.
    key: 'UNIT_MISSING_HOURS', field: 'unitMissingHours', kind: 'hours', group: 'units',
    label: 'A unit is missing after (hours)',
    defaultText: '24', min: 0.1, max: 8760,
    doc: 'A unit whose newest .MLG monitor log is older than this many hours is missing (more than UNIT_LATE_HOURS).',
  },
  {
    key: 'UNIT_MISSING_NOTIFY', field: 'unitMissingNotify', kind: 'boolean', group: 'units',
    label: 'Notify when a unit goes missing',
    defaultText: 'true',
    doc: 'The tray app shows a notification when a unit turns missing (true/false).',
  },
  {
    key: 'SFM_FORWARD_ENABLED', field: 'forwardEnabled', kind: 'boolean', group: 'server',
    label: 'Forward events to the server',
    defaultText: 'false',
    doc: 'Send events to the SFM server (true/false). Nothing is sent until this is true.',
  },
  {
    key: 'SFM_URL', field: 'sfmUrl', kind: 'url', group: 'server',
    label: 'Server address',
    defaultText: '',
    doc: 'Address of the SFM server, e.g. http://sfm.example:8000 (no user name or password in it).',
  },
  {
    key: 'SFM_API_TOKEN', field: 'apiToken', kind: 'secret', group: 'server',
    label: 'Server access token',
    defaultText: '',
    doc: 'Access token sent as "Authorization: Bearer <token>"; empty = none. Never logged.',
  },
  {
    key: 'SFM_API_TOKEN_ENCRYPTED', field: null, kind: 'opaque', group: 'server',
    label: 'Server access token (encrypted)',
    defaultText: '',
    doc: 'The token encrypted by the tray app (base64); written by the tray app, leave it alone.',
  },
  {
    key: 'SFM_CA_FILE', field: 'caFile', kind: 'path', group: 'server',
    label: 'Extra CA certificate file',
    defaultText: '',
    doc: 'Extra CA certificate file (PEM) for an HTTPS server with a private CA; empty = none.',
  },
  {
    key: 'SFM_PROXY', field: 'proxy', kind: 'url', group: 'server',
    label: 'Proxy',
    defaultText: '',
    doc: 'HTTP proxy address, e.g. http://proxy.example:3128; empty = connect directly.',
  },
  {
    key: 'SFM_HTTP_TIMEOUT_SECONDS', field: 'httpTimeoutSeconds', kind: 'seconds', group: 'server',
    label: 'Upload time-out (seconds)',
    defaultText: '60', min: 0.1, max: 3600,
    doc: 'Give up on one upload after this many seconds without an answer.',
  },
  {
    key: 'SFM_MAX_FORWARDS_PER_PASS', field: 'maxForwardsPerPass', kind: 'integer', group: 'pacing',
    label: 'Events per pass at most',
    defaultText: '500', min: 0, max: 1_000_000,
    doc: 'At most this many events are sent per pass, oldest first; 0 = unlimited.',
  },
  {
    key: 'SFM_CONCURRENCY', field: 'concurrency', kind: 'integer', group: 'pacing',
    label: 'Uploads at the same time',
    defaultText: '4', min: 1, max: 32,
    doc: 'Uploads in flight at the same time.',
  },
  {
    key: 'STATE_DIR', field: 'stateDir', kind: 'folder', group: 'state',
    label: 'Record folder',
    defaultText: '',
    doc: 'Folder for the delivery record and the log; empty = a folder named "state" next to this file.',
  },
  {
    key: 'LEGACY_STATE_FILE', field: 'legacyStateFile', kind: 'path', group: 'state',
    label: 'Older record to import',
    defaultText: '',
    doc: 'An older series3-watcher JSON record to import once, so nothing it sent is sent again; empty = none.',
  },
  {
    key: 'LOG_FILE', field: 'logFile', kind: 'path', group: 'state',
    label: 'Log file',
    defaultText: '',
    doc: 'Log file; empty = series3-watcher.log in STATE_DIR.',
  },
  {
    key: 'LOG_MAX_KB', field: 'logMaxKb', kind: 'integer', group: 'advanced',
    label: 'Rotate the log past (KB)',
    defaultText: '1024', min: 16, max: 1_048_576,
    doc: 'The log is rotated past this size in KB (3 old files are kept).',
  },
  {
    key: 'SFM_RETRY_BASE_SECONDS', field: 'retryBaseSeconds', kind: 'seconds', group: 'advanced',
    label: 'First retry wait (seconds)',
    defaultText: '2', min: 0.01, max: 3600,
    doc: 'First wait after the server fails; the wait doubles on each failure.',
  },
  {
    // The lower bound is really SFM_RETRY_BASE_SECONDS; parseConfigText checks that.
    key: 'SFM_RETRY_MAX_SECONDS', field: 'retryMaxSeconds', kind: 'seconds', group: 'advanced',
    label: 'Longest retry wait (seconds)',
    defaultText: '300', min: 0.01, max: 86400,
    doc: 'Longest wait between tries while the server is failing (at least SFM_RETRY_BASE_SECONDS).',
  },
  {
    key: 'SFM_HOLD_BACK_AFTER', field: 'holdBackAfterFailures', kind: 'integer', group: 'advanced',
    label: 'Hold an event back after (rejections)',
    defaultText: '3', min: 1, max: 100,
    doc: 'An event the server rejects this many times is held back (shown, not retried until asked).',
  },
];

const specsByKey: ReadonlyMap<string, KeySpec> = new Map(CONFIG_KEYS.map((spec) => [spec.key, spec]));

/** The spec for a key, matched case-insensitively; undefined for keys this version does not know. */
export function findKeySpec(key: string): KeySpec | undefined {
  return specsByKey.get(key.trim().toUpperCase());
}

export function configDirOf(configPath: string): string {
  return path.dirname(path.resolve(configPath));
}

export function defaultStateDir(configPath: string): string {
  return path.join(configDirOf(configPath), DEFAULT_STATE_DIR_NAME);
}

export function defaultLogFile(stateDir: string): string {
  return path.join(stateDir, DEFAULT_LOG_FILE_NAME);
}

/** The settings a config file with no keys at all gives. */
export function defaultConfig(configPath: string): Config {
  const stateDir = defaultStateDir(configPath);
  return {
    series3Path: DEFAULT_SERIES3_PATH,
    scanIntervalSeconds: 60,
    maxEventAgeDays: 365,
    forwardEnabled: false,
    sfmUrl: '',
    maxForwardsPerPass: 500,
    quiescenceSeconds: 5,
    missingReportGraceSeconds: 60,
    unitLateHours: 12,
    unitMissingHours: 24,
    unitMissingNotify: true,
    httpTimeoutSeconds: 60,
    concurrency: 4,
    apiToken: '',
    caFile: '',
    proxy: '',
    stateDir,
    legacyStateFile: '',
    logFile: defaultLogFile(stateDir),
    logMaxKb: 1024,
    retryBaseSeconds: 2,
    retryMaxSeconds: 300,
    holdBackAfterFailures: 3,
  };
}

/**
 * A URL with any user name / password replaced by `***`, for messages and `check`
 * output: a proxy password is as secret as the token.
 */
export function hideUrlCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@');
}

/**
 * For `series3-watcher check`: every key the core reads with its effective value.
 * The token shows only as `set` / `not set`; proxy credentials are masked.
 * SFM_API_TOKEN_ENCRYPTED is not listed: it is not part of Config (the tray app reads it).
 */
export function describeConfig(config: Config): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of CONFIG_KEYS) {
    if (spec.field === null) continue;
    const value = config[spec.field];
    if (spec.kind === 'secret') out[spec.key] = value === '' ? 'not set' : 'set';
    else if (spec.kind === 'url') out[spec.key] = hideUrlCredentials(String(value));
    else out[spec.key] = String(value);
  }
  return out;
}
