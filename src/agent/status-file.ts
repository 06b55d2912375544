// <STATE_DIR>/status.json: the running agent's status, for `series3-watcher status` and the tray.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/types.js';
import type { AgentStatus } from './status-types.js';
import { writeFileAtomic } from '../config/atomic-file.js';
import { statusFrom } from './status-view.js';

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
    if (!parsed || parsed.version !== 1) return null;
    // Written by a series3-watcher from before the recent list: read as none yet.
    return Array.isArray(parsed.recent) ? parsed : { ...parsed, recent: [] };
  } catch {
    return null;
  }
}

export function startOfLocalDay(nowMs: number): number {
  const day = new Date(nowMs);
  day.setHours(0, 0, 0, 0);
  return day.getTime();
}

/** The status of an agent that is not running and has told nothing yet. */
export function idleStatus(config: Pick<Config, 'forwardEnabled' | 'series3Path' | 'sfmUrl'> | null, nowMs: number): AgentStatus {
  return statusFrom({
    updatedAtMs: nowMs,
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
    lastSuccessAt: null,
    lastFailureAt: null,
    lastFailureReason: null,
    backoffUntilMs: null,
    failingSince: null,
    lastPass: null,
    problems: [],
    recent: [],
  });
}
