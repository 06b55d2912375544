// The record module: the sha256 ledger of delivered events, its lock and the legacy import.

export type { DeliveredEntry } from './types.js';
export type { DeliveryFacts, FileIdentity, JournalCheck, Ledger, LedgerRecordItem, LoadReport, OpenLedgerOptions } from './ledger.js';
export { openLedger, journalFileName, ledgerFormatVersion } from './ledger.js';
export type { LockHolder } from './state-lock.js';
export { defaultLockStaleMs, LedgerLockedError, liveLockHolder, lockDirName, lockHolderFileName } from './state-lock.js';
export { RecordWriteError } from './write-problem.js';
export type { LegacyImportResult } from './legacy-import.js';
export { importLegacy, LegacyImportError } from './legacy-import.js';
