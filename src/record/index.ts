// The record module: the sha256 ledger of delivered events, its lock and the legacy import.

export type { DeliveredEntry } from './types.js';
export type { DeliveryFacts, FileIdentity, Ledger, LedgerRecordItem, LoadReport, OpenLedgerOptions } from './ledger.js';
export { openLedger, journalFileName, ledgerFormatVersion } from './ledger.js';
export { LedgerLockedError, lockFileName } from './state-lock.js';
export type { LegacyImportResult } from './legacy-import.js';
export { importLegacy, LegacyImportError } from './legacy-import.js';
