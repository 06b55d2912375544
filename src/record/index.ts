// The record module: the sha256 ledger of delivered events, its lock and the legacy import.

export type { DeliveredEntry, RecentDelivery } from './types.js';
export type { DeliveryFacts, FileIdentity, Ledger, LedgerRecordItem } from './ledger.js';
export { openLedger, journalFileName } from './ledger.js';
export { LedgerLockedError, liveLockHolder, lockDirName, lockHolderFileName } from './state-lock.js';
export { RecordWriteError } from './write-problem.js';
export { importLegacy, LegacyImportError } from './legacy-import.js';
