// The settled, validated settings the rest of the core runs on. Produced only by
// src/config (parse + validate); everything else receives it read-only.

export interface Config {
  /** SERIES3_PATH: the folder Blastware writes ACH events into (read only, never modified). */
  readonly series3Path: string;
  /** SCAN_INTERVAL_SECONDS: the safety-net full pass interval. */
  readonly scanIntervalSeconds: number;
  /** MAX_EVENT_AGE_DAYS: binaries older than this are out of window and never sent. */
  readonly maxEventAgeDays: number;
  /** SFM_FORWARD_ENABLED: nothing is sent until a person turns this on. */
  readonly forwardEnabled: boolean;
  /** SFM_URL: base URL of the SFM server, no trailing slash; '' when not set. */
  readonly sfmUrl: string;
  /** SFM_MAX_FORWARDS_PER_PASS: 0 = unlimited. */
  readonly maxForwardsPerPass: number;
  /** SFM_QUIESCENCE_SECONDS */
  readonly quiescenceSeconds: number;
  /** SFM_MISSING_REPORT_GRACE_SECONDS */
  readonly missingReportGraceSeconds: number;
  /** UNIT_LATE_HOURS: a unit whose newest .MLG is older than this is late (default 12). */
  readonly unitLateHours: number;
  /** UNIT_MISSING_HOURS: ... older than this is missing (default 24; more than unitLateHours). */
  readonly unitMissingHours: number;
  /** UNIT_MISSING_NOTIFY: the tray app notifies when a unit turns missing (default true). */
  readonly unitMissingNotify: boolean;
  /** SFM_HTTP_TIMEOUT_SECONDS */
  readonly httpTimeoutSeconds: number;
  /** SFM_CONCURRENCY: uploads in flight at once. */
  readonly concurrency: number;
  /** SFM_API_TOKEN: '' when none. Secret: never log, never put in an error message. */
  readonly apiToken: string;
  /** SFM_CA_FILE: absolute path of an extra CA bundle (PEM), '' when none. */
  readonly caFile: string;
  /** SFM_PROXY: proxy URL, '' when none. */
  readonly proxy: string;
  /** STATE_DIR: absolute; default `<config dir>/state`. */
  readonly stateDir: string;
  /** LEGACY_STATE_FILE: absolute path of a series3-watcher JSON record to import, '' when none. */
  readonly legacyStateFile: string;
  /** LOG_FILE: absolute; default `<STATE_DIR>/series3-watcher.log`. */
  readonly logFile: string;
  /** LOG_MAX_KB: the log rotates past this size (3 old files kept). Default 1024. */
  readonly logMaxKb: number;
  /** SFM_RETRY_BASE_SECONDS: first server back-off step (default 2). */
  readonly retryBaseSeconds: number;
  /** SFM_RETRY_MAX_SECONDS: back-off ceiling (default 300). */
  readonly retryMaxSeconds: number;
  /** SFM_HOLD_BACK_AFTER: permanent failures of one event before it is held back (default 3). */
  readonly holdBackAfterFailures: number;
}

/** One problem with one key. `message` names key, value and what is allowed. */
export interface ConfigProblem {
  readonly key: string;
  readonly value: string;
  readonly message: string;
}
