// The units module: which Series 3 units call in, named in the watch folder's .MLG monitor logs,
// when each last called in, and whether that is ok, late or missing.
export { isMonitorLogName, unitNameIn, MONITOR_LOG_HEAD_BYTES } from './unit-name.js';
export { createUnitTracker, NO_UNITS, readFileHead, type ReadHead, type UnitTracker } from './unit-tracker.js';
export { callInAgo, unitState, unitsStatus, unitsSummaryLine, type UnitThresholds } from './unit-state.js';
export type { LastCallIn, UnitCallIn, UnitScan, UnitState, UnitsStatus, UnreadableLog } from './types.js';
