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

/** The units part of a status: each unit [name, hours since its last call-in], states by the default 12 h / 24 h. */
export function unitsWith(units: ReadonlyArray<readonly [unit: string, hoursAgo: number]>, nowMs: number = NOW_MS): AgentStatus['units'] {
  const list = units.map(([unit, hours], i) => ({
    unit,
    lastCallIn: new Date(nowMs - hours * 3_600_000).toISOString(),
    state: hours > 24 ? ('missing' as const) : hours > 12 ? ('late' as const) : ('ok' as const),
    file: `M${String(529 + i).padStart(3, '0')}LK44.MLG`,
  }));
  const count = (state: string): number => list.filter((u) => u.state === state).length;
  return {
    list,
    counts: { ok: count('ok'), late: count('late'), missing: count('missing') },
    unreadable: [],
    lateHours: 12,
    missingHours: 24,
    scannedAt: new Date(nowMs).toISOString(),
  };
}

export function heldBack(filename: string, reason: string, dismissed = false): HeldBackEvent {
  return { sha256: 'a'.repeat(64), filename, reason, refusals: 3, since: minutesAgo(30), dismissed };
}
