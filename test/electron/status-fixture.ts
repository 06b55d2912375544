// Agent statuses for the tray and notification tests: a healthy forwarding agent,
// overridden per case.
import type { AgentStatus, HeldBackEvent } from '../../src/agent/status-types.js';

export const NOW_MS = Date.parse('2026-05-08T12:00:00.000Z');
export const minutesAgo = (minutes: number, nowMs: number = NOW_MS): string => new Date(nowMs - minutes * 60_000).toISOString();

export function statusWith(overrides: Partial<AgentStatus> = {}): AgentStatus {
  return {
    version: 1,
    updatedAt: minutesAgo(0),
    pid: 4242,
    running: true,
    forwardEnabled: true,
    paused: false,
    passInProgress: false,
    watchFolder: 'C:\\Blastware 10\\Event\\autocall home',
    serverUrl: 'http://sfm.example:8000',
    serverReachable: true,
    deliveredTotal: 52_311,
    deliveredToday: 1_204,
    waiting: 0,
    heldBack: [],
    lastSuccessAt: minutesAgo(2),
    lastFailureAt: null,
    lastFailureReason: null,
    backoffUntil: null,
    failingSince: null,
    lastPass: null,
    problems: [],
    ...overrides,
  };
}

export function heldBack(filename: string, reason: string): HeldBackEvent {
  return { sha256: 'a'.repeat(64), filename, reason, attempts: 3, since: minutesAgo(30) };
}
