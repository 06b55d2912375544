// What the ledger remembers for each delivered event, keyed by the binary's sha256.

export interface DeliveredEntry {
  readonly sha256: string;
  readonly filename: string;
  readonly size: number;
  /** ISO 8601 UTC, e.g. 2026-05-08T10:00:00.000Z */
  readonly forwardedAt: string;
  /** Whether the report went with it (false for seeded and legacy entries). */
  readonly withReport: boolean;
  /** How the entry came to be: sent by this agent, seeded (skip backlog), or imported. */
  readonly source: 'sent' | 'seeded' | 'legacy';
}
