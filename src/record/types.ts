// What the ledger remembers for each delivered event, keyed by the binary's sha256, and what it
// tells of the recent deliveries.

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

/** One of the events this agent delivered most recently (its latest delivery). */
export interface RecentDelivery {
  /** ISO 8601 UTC of the delivery. */
  readonly deliveredAt: string;
  readonly filename: string;
  readonly size: number;
  /** Whether the report went with it. */
  readonly withReport: boolean;
  /** The binary went alone first and this delivery sent it again with its report, which came late. */
  readonly lateReport: boolean;
}
