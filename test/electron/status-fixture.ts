// Agent statuses for the tray and notification tests: a healthy forwarding agent,
// overridden per case.
import type { AgentStatus, HeldBackEvent } from '../../src/agent/status-types.js';
import { idleStatus } from '../../src/agent/status-file.js';

export const NOW_MS = Date.parse('2026-05-08T12:00:00.000Z');
export const minutesAgo = (minutes: number, nowMs: number = NOW_MS): string => new Date(nowMs - minutes * 60_000).toISOString();

export function statusWith(overrides: Partial<AgentStatus> = {}): AgentStatus {
  const base = idleStatus({ forwardEnabled: true, series3Path: 'C:\\Blastware 10\\Event\\autocall home', sfmUrl: 'http://sfm.example:8000' }, NOW_MS);
  return {
    ...base,
    // The backlog counts what waits unless a case gives it whole.
    backlog: { ...base.backlog, waiting: overrides.waiting ?? 0 },
    updatedAt: minutesAgo(0),
    pid: 4242,
    running: true,
    serverReachable: true,
    deliveredTotal: 52_311,
    deliveredToday: 1_204,
    lastSuccessAt: minutesAgo(2),
    ...overrides,
  };
}

export function heldBack(filename: string, reason: string): HeldBackEvent {
  return { sha256: 'a'.repeat(64), filename, reason, attempts: 3, since: minutesAgo(30) };
}
