// What the units side hands the agent and the views: plain data about the Series 3 units that
// call in, as their .MLG monitor logs tell it.

/** ok: called in within UNIT_LATE_HOURS; late: not since then; missing: not within UNIT_MISSING_HOURS. */
export type UnitState = 'ok' | 'late' | 'missing';

/** The newest monitor log of one unit, as the folder shows it (no state yet: that depends on the time). */
export interface LastCallIn {
  /** "BE12345" or "BA1234": the name found in the log's first 2 KB. */
  readonly unit: string;
  /** The newest modification time of this unit's .MLG files (ms since the epoch). */
  readonly lastCallInMs: number;
  /** That newest .MLG's file name. */
  readonly file: string;
}

/** A monitor log that could not be read: skipped this time, named so a person can look. */
export interface UnreadableLog {
  readonly file: string;
  readonly reason: string;
}

/** What one look at the folder's monitor logs found. */
export interface UnitScan {
  /** One entry per unit, in unit order. */
  readonly callIns: readonly LastCallIn[];
  readonly unreadable: readonly UnreadableLog[];
  /** When the folder was last looked at (ms), or null before the first look. */
  readonly scannedAtMs: number | null;
}

/** One unit as the status, `series3-watcher units` and the settings window show it. */
export interface UnitCallIn {
  readonly unit: string;
  /** ISO UTC of the newest .MLG modification time. */
  readonly lastCallIn: string;
  readonly state: UnitState;
  /** The newest .MLG's file name. */
  readonly file: string;
}

/** The units part of the agent status. */
export interface UnitsStatus {
  /** Missing first, then late, then ok; by unit name within each. */
  readonly list: readonly UnitCallIn[];
  readonly counts: { readonly ok: number; readonly late: number; readonly missing: number };
  readonly unreadable: readonly UnreadableLog[];
  /** The thresholds the states were decided with (UNIT_LATE_HOURS, UNIT_MISSING_HOURS). */
  readonly lateHours: number;
  readonly missingHours: number;
  /** ISO UTC of the last look at the folder, or null before the first one. */
  readonly scannedAt: string | null;
}
