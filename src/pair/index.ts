// The pair module: pure rules from directory entries to ready / waiting / too-old events (SPEC §1–2).
export { pairEvents } from './pair-events.js';
export { binaryNameOfReport, isEventBinaryName } from './event-names.js';
export type { ReadyEvent, WaitReason } from './types.js';
