// The pair module: pure rules from directory entries to ready / waiting / too-old events (SPEC §1–2).
export { pairEvents } from './pair-events.js';
export {
  NON_EVENT_EXTENSIONS,
  REPORT_SUFFIX,
  binaryNameOfReport,
  isEventBinaryName,
  isReportNameOf,
  reportNameFor,
} from './event-names.js';
export type { PairOptions, PairResult, ReadyEvent, WaitReason, WaitingEvent } from './types.js';
