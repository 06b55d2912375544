// The units as the watch folder shows them now, without a running agent: one listing of the
// folder's .MLG monitor logs, each read once, for `series3-watcher units`. Read-only.
import type { Config } from '../config/types.js';
import { listFolder } from '../scan/index.js';
import { createUnitTracker, isMonitorLogName, unitsStatus, type UnitsStatus } from '../units/index.js';

export { callInAgo, type UnitsStatus } from '../units/index.js';

/** Throws the listing's FolderError (naming SERIES3_PATH and what to do) when the folder cannot be listed. */
export async function unitsNow(config: Config, nowMs: number = Date.now()): Promise<UnitsStatus> {
  const logs = await listFolder(config.series3Path, { include: isMonitorLogName });
  const scan = await createUnitTracker().update(logs, nowMs);
  return unitsStatus(scan, nowMs, { lateHours: config.unitLateHours, missingHours: config.unitMissingHours });
}
