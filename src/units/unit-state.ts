// A unit's state from the age of its last call-in, and the units part of the status. Pure: the
// time is a parameter, so the same scan read an hour later shows who has turned late or missing.
import type { LastCallIn, UnitCallIn, UnitScan, UnitState, UnitsStatus } from './types.js';

export interface UnitThresholds {
  /** UNIT_LATE_HOURS: a unit not heard from for longer is late. */
  readonly lateHours: number;
  /** UNIT_MISSING_HOURS: a unit not heard from for longer is missing. */
  readonly missingHours: number;
}

const HOUR_MS = 3_600_000;

/** ok, late (older than lateHours) or missing (older than missingHours). A call-in "in the future" (a clock set wrong) is ok. */
export function unitState(lastCallInMs: number, nowMs: number, t: UnitThresholds): UnitState {
  const ageMs = nowMs - lastCallInMs;
  if (ageMs > t.missingHours * HOUR_MS) return 'missing';
  if (ageMs > t.lateHours * HOUR_MS) return 'late';
  return 'ok';
}

const ORDER: Readonly<Record<UnitState, number>> = { missing: 0, late: 1, ok: 2 };

/** The units as shown: each with its state at nowMs, missing first, then late, then ok. */
export function unitsStatus(scan: UnitScan, nowMs: number, t: UnitThresholds): UnitsStatus {
  const list: UnitCallIn[] = scan.callIns.map((c: LastCallIn) => ({
    unit: c.unit,
    lastCallIn: new Date(c.lastCallInMs).toISOString(),
    state: unitState(c.lastCallInMs, nowMs, t),
    file: c.file,
  }));
  list.sort((a, b) => ORDER[a.state] - ORDER[b.state] || (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0));
  const counts = { ok: 0, late: 0, missing: 0 };
  for (const u of list) counts[u.state]++;
  return {
    list,
    counts,
    unreadable: [...scan.unreadable],
    lateHours: t.lateHours,
    missingHours: t.missingHours,
    scannedAt: scan.scannedAtMs === null ? null : new Date(scan.scannedAtMs).toISOString(),
  };
}

/** "Units: 14 ok · 2 late · 1 missing" (counts that are 0 are left out); null when there are no units. */
export function unitsSummaryLine(units: Pick<UnitsStatus, 'list' | 'counts'>): string | null {
  if (units.list.length === 0) return null;
  const parts = (['ok', 'late', 'missing'] as const).filter((s) => units.counts[s] > 0).map((s) => `${units.counts[s]} ${s}`);
  return `Units: ${parts.join(' · ')}`;
}

/** "just now", "45 min ago", "3 h 12 min ago", "2 days 4 h ago": how long since a call-in, to the minute. */
export function callInAgo(lastCallIn: string | number, nowMs: number): string {
  const thenMs = typeof lastCallIn === 'number' ? lastCallIn : Date.parse(lastCallIn);
  if (!Number.isFinite(thenMs)) return 'unknown';
  const minutes = Math.floor(Math.max(0, nowMs - thenMs) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h ago` : `${hours} h ${minutes % 60} min ago`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} days ago` : `${days} days ${hours % 24} h ago`;
}
