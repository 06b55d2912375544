// <STATE_DIR>/status.json: the running agent's status, for `series3-watcher status` and the tray.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/types.js';
import type { AgentStatus } from './status-types.js';
import { writeFileAtomic } from '../config/atomic-file.js';
import { statusFrom } from './status-view.js';
import { stoppedBacklog } from './backlog.js';
import { APP_VERSION } from '../text/version.js';
import { NO_UNITS, unitsStatus } from '../units/index.js';

export const STATUS_FILE_NAME = 'status.json';

export function statusFilePath(stateDir: string): string {
  return join(stateDir, STATUS_FILE_NAME);
}

export async function writeStatusFile(stateDir: string, status: AgentStatus): Promise<void> {
  await writeFileAtomic(statusFilePath(stateDir), `${JSON.stringify(status, null, 1)}\n`);
}

/** The last status a running (or crashed) agent wrote, or null when there is none. */
export async function readStatusFile(stateDir: string): Promise<AgentStatus | null> {
  try {
    const parsed = JSON.parse(await readFile(statusFilePath(stateDir), 'utf8')) as AgentStatus;
    return parsed && parsed.version === 1 ? withNewerFields(parsed) : null;
  } catch {
    return null;
  }
}

/** A status.json written before a field existed (an update over a running install) gets its default. */
function withNewerFields(status: AgentStatus): AgentStatus {
  const partial = status as Partial<AgentStatus> & AgentStatus;
  return {
    ...status,
    agentVersion: typeof partial.agentVersion === 'string' ? partial.agentVersion : 'unknown',
    backlog: partial.backlog ?? stoppedBacklog(typeof status.waiting === 'number' ? status.waiting : 0),
    // Written by a version that did not look at units yet.
    units: partial.units ?? unitsStatus(NO_UNITS, Date.parse(status.updatedAt), DEFAULT_UNIT_HOURS),
    recent: Array.isArray(partial.recent) ? partial.recent : [],
  };
}

export function startOfLocalDay(nowMs: number): number {
  const day = new Date(nowMs);
  day.setHours(0, 0, 0, 0);
  return day.getTime();
}

const DEFAULT_UNIT_HOURS = { lateHours: 12, missingHours: 24 };

/** The status of an agent that is not running and has told nothing yet. */
export function idleStatus(
  config: (Pick<Config, 'forwardEnabled' | 'series3Path' | 'sfmUrl'> & Partial<Pick<Config, 'unitLateHours' | 'unitMissingHours'>>) | null,
  nowMs: number,
): AgentStatus {
  return statusFrom({
    updatedAtMs: nowMs,
    agentVersion: APP_VERSION,
    pid: 0,
    running: false,
    forwardEnabled: config?.forwardEnabled ?? false,
    paused: false,
    passInProgress: false,
    watchFolder: config?.series3Path ?? '',
    serverUrl: config?.sfmUrl ?? '',
    serverReachable: null,
    deliveredTotal: 0,
    deliveredToday: 0,
    waiting: 0,
    heldBack: [],
    backlog: stoppedBacklog(0),
    lastSuccessAt: null,
    lastFailureAt: null,
    lastFailureReason: null,
    backoffUntilMs: null,
    failingSince: null,
    lastPass: null,
    problems: [],
    units: unitsStatus(NO_UNITS, nowMs, {
      lateHours: config?.unitLateHours ?? DEFAULT_UNIT_HOURS.lateHours,
      missingHours: config?.unitMissingHours ?? DEFAULT_UNIT_HOURS.missingHours,
    }),
    recent: [],
  });
}
