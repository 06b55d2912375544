// `series3-watcher units [--json]`: which units call in, from the watch folder's .MLG monitor
// logs, read by this command itself (no running agent needed). A person reads local times;
// --json gives {"units":[{unit, lastCallIn, state, file}], ...} with ISO UTC times.
import type { Config } from '../config/types.js';
import { callInAgo, unitsNow, type UnitsStatus } from '../agent/units-now.js';
import { localDateTime } from '../text/local-time.js';

export interface UnitsOutput {
  readonly stdout: (line: string) => void;
}

/** The human lines: one per unit, then the counts and the thresholds, then any log that could not be read. */
export function describeUnits(units: UnitsStatus, nowMs: number): string[] {
  if (units.list.length === 0) {
    return ['no units: no .MLG monitor log in the watch folder names one (BE or BA and 4–5 digits in its first 2 KB)', ...unreadableLines(units)];
  }
  const width = Math.max(...units.list.map((u) => u.unit.length));
  const lines = units.list.map(
    (u) => `${u.unit.padEnd(width)}  ${u.state.padEnd(7)}  last call-in ${localDateTime(u.lastCallIn)} (${callInAgo(u.lastCallIn, nowMs)})  ${u.file}`,
  );
  const { ok, late, missing } = units.counts;
  lines.push(
    `${units.list.length} ${units.list.length === 1 ? 'unit' : 'units'}: ${ok} ok, ${late} late, ${missing} missing ` +
      `(late after ${units.lateHours} h, missing after ${units.missingHours} h without a call-in)`,
  );
  return [...lines, ...unreadableLines(units)];
}

function unreadableLines(units: UnitsStatus): string[] {
  return units.unreadable.map((u) => `cannot read: ${u.reason}`);
}

/** Exit 0 with the list; a watch folder that cannot be listed throws (the CLI's exit 2, with the reason). */
export async function unitsCommand(config: Config, json: boolean, out: UnitsOutput, nowMs: number = Date.now()): Promise<number> {
  const units = await unitsNow(config, nowMs);
  for (const line of describeUnits(units, nowMs)) out.stdout(line);
  if (json) {
    out.stdout(
      JSON.stringify({
        units: units.list.map((u) => ({ unit: u.unit, lastCallIn: u.lastCallIn, state: u.state, file: u.file })),
        counts: units.counts,
        unreadable: units.unreadable,
      }),
    );
  }
  return 0;
}
