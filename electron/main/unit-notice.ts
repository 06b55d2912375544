// Decides the "unit missing" notification: once when a unit turns missing (it was ok or late, or
// new, in the previous status and is missing in this one), not on every status, and never for
// the units already missing when the app first looks (a retired unit's old log would otherwise
// announce itself at every start). Several units turning missing at once make one notification.
// Off when UNIT_MISSING_NOTIFY is false; the watch follows the units all the same, so turning the
// setting on does not announce what went missing while it was off. Pure: main.ts feeds it.
import type { AgentStatus } from '../../src/agent/status-types.js';
import { localDateTime } from '../../src/text/local-time.js';
import { callInAgo } from '../../src/units/index.js';

export interface UnitWatch {
  /** The units seen missing in the last status that had looked at the folder; null before the first such status. */
  readonly missing: ReadonlySet<string> | null;
}

export const FIRST_UNIT_WATCH: UnitWatch = { missing: null };

export interface UnitNotice {
  readonly kind: 'unit-missing';
  readonly title: string;
  readonly body: string;
}

/** Feed every status the tray shows; `notify` is UNIT_MISSING_NOTIFY. */
export function decideUnitNotice(
  watch: UnitWatch,
  status: AgentStatus | null,
  notify: boolean,
  nowMs: number,
): { readonly watch: UnitWatch; readonly notice: UnitNotice | null } {
  // No look at the folder yet (the agent is starting): nothing is known, nothing changes.
  if (status === null || status.units.scannedAt === null) return { watch, notice: null };
  const missingNow = status.units.list.filter((u) => u.state === 'missing');
  const next: UnitWatch = { missing: new Set(missingNow.map((u) => u.unit)) };
  if (watch.missing === null || !notify) return { watch: next, notice: null };
  const turned = missingNow.filter((u) => !watch.missing!.has(u.unit));
  if (turned.length === 0) return { watch: next, notice: null };
  const hours = status.units.missingHours;
  if (turned.length === 1) {
    const unit = turned[0]!;
    return {
      watch: next,
      notice: {
        kind: 'unit-missing',
        title: `Series3 Watcher: unit ${unit.unit} is missing`,
        body: `${unit.unit} has not called in since ${localDateTime(unit.lastCallIn)} (${callInAgo(unit.lastCallIn, nowMs)}; missing after ${hours} h). Last monitor log: ${unit.file}.`,
      },
    };
  }
  return {
    watch: next,
    notice: {
      kind: 'unit-missing',
      title: `Series3 Watcher: ${turned.length} units are missing`,
      body: `${turned.map((u) => u.unit).join(', ')} have not called in for more than ${hours} h.`,
    },
  };
}
