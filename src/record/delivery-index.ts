// The record in memory: sha256 -> the facts of its delivery, file identity -> sha256 (so an
// unchanged file is never hashed twice), the "sent since" count, and the recent deliveries. It
// owns what one delivery and one cached hash hold, the checks a new entry or file identity must
// pass, how a later delivery of the same bytes supersedes the earlier one, and the one rule for a
// late report. No files here: the reader fills the index, the writer writes what it holds.
import type { DeliveredEntry, RecentDelivery } from './types.js';

export interface FileIdentity {
  readonly name: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export interface DeliveryFacts {
  readonly withReport: boolean;
  readonly source: DeliveredEntry['source'];
}

export type Source = DeliveredEntry['source'];

/**
 * What is kept per sha256. forwardedAt is kept as epoch ms (cheap countSince, no string kept) and
 * turned back into ISO text by `entryOf`; the sha256 string is the Map key's own string.
 */
export interface Stored {
  readonly sha256: string;
  readonly filename: string;
  readonly size: number;
  readonly atMs: number;
  readonly withReport: boolean;
  readonly source: Source;
}

/** What the cache keeps per file name: the identity the hash was taken from, and the hash. */
export interface CachedHash {
  readonly size: number;
  readonly mtimeMs: number;
  readonly sha256: string;
}

/** The record in memory; lives as long as its ledger. */
export interface DeliveryIndex {
  /** sha256 -> the last delivery of those bytes. */
  readonly entries: Map<string, Stored>;
  /** file name -> the identity it had when hashed and its sha256. */
  readonly cache: Map<string, CachedHash>;
  /** The last `countSince` answer, kept current by `storeDelivery` (a pass asks every time). */
  sinceCache: { readonly sinceMs: number; count: number } | undefined;
  /**
   * The events this agent sent most recently (seeded and imported ones are not deliveries), at most
   * `recentLimit`, oldest first by delivery time: each one's latest delivery, so an event whose
   * report came late is listed once, as a late report.
   */
  readonly recent: Stored[];
  /** sha256 of the deliveries that were late reports; few, so they cost nothing on the common path. */
  readonly lateReports: Set<string>;
  /** `recentDeliveries`'s last answer until the next delivery (the status asks for it often). */
  recentView: readonly RecentDelivery[] | undefined;
}

/** How many recent deliveries the record keeps at hand (the Activity page, `series3-watcher recent`). */
export const recentLimit = 50;

export const sha256Pattern = /^[0-9a-f]{64}$/;

export function createIndex(): DeliveryIndex {
  return { entries: new Map(), cache: new Map(), sinceCache: undefined, recent: [], lateReports: new Set(), recentView: undefined };
}

// Seeding marks thousands of events "delivered" at once; they were never sent, so they must not
// show up as "sent today".
function countsAsSent(stored: { readonly atMs: number; readonly source: string }, sinceMs: number): boolean {
  return stored.source === 'sent' && stored.atMs >= sinceMs;
}

/** Returns the one shared string for each source, so 100,000 entries do not hold 100,000 copies. */
export function sourceOf(value: unknown): Source | undefined {
  switch (value) {
    case 'sent':
      return 'sent';
    case 'seeded':
      return 'seeded';
    case 'legacy':
      return 'legacy';
    default:
      return undefined;
  }
}

export function isSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * The one rule for a late report: the bytes went alone before (sent by this agent, without their
 * report) and now went again with it. The pass sends exactly those again (plan.ts needsLateReport).
 */
export function isLateReport(previous: Pick<Stored, 'withReport' | 'source'> | undefined, next: Pick<Stored, 'withReport' | 'source'>): boolean {
  return previous !== undefined && previous.source === 'sent' && !previous.withReport && next.source === 'sent' && next.withReport;
}

/**
 * Stores a delivery; a later one for the same sha256 replaces it. True when it superseded one.
 * `lateReport` says the line read back was marked a late report (a compaction keeps the mark after
 * the earlier delivery it superseded is gone); otherwise the rule above decides.
 */
export function storeDelivery(index: DeliveryIndex, next: Stored, lateReport = false): boolean {
  const previous = index.entries.get(next.sha256);
  // A superseding entry keeps the first line's sha256 string: one copy per sha256, not two.
  const stored = previous === undefined ? next : { ...next, sha256: previous.sha256 };
  index.entries.set(stored.sha256, stored);
  const since = index.sinceCache;
  if (since !== undefined) {
    if (previous !== undefined && countsAsSent(previous, since.sinceMs)) since.count--;
    if (countsAsSent(next, since.sinceMs)) since.count++;
  }
  if (lateReport || isLateReport(previous, next)) index.lateReports.add(stored.sha256);
  else if (previous !== undefined) index.lateReports.delete(stored.sha256);
  noteRecent(index.recent, previous, stored);
  index.recentView = undefined;
  return previous !== undefined;
}

/** Keeps `recent` the newest `recentLimit` sent events, oldest first; cheap for the usual newest-last order. */
function noteRecent(recent: Stored[], previous: Stored | undefined, stored: Stored): void {
  if (previous !== undefined) {
    const at = recent.indexOf(previous);
    if (at >= 0) recent.splice(at, 1);
  }
  if (stored.source !== 'sent') return;
  if (recent.length >= recentLimit && stored.atMs < recent[0]!.atMs) return;
  let at = recent.length;
  while (at > 0 && recent[at - 1]!.atMs > stored.atMs) at--;
  recent.splice(at, 0, stored);
  if (recent.length > recentLimit) recent.shift();
}

/** The recent deliveries, newest first, as callers see them. */
export function recentDeliveries(index: DeliveryIndex): readonly RecentDelivery[] {
  if (index.recentView !== undefined) return index.recentView;
  const list: RecentDelivery[] = [];
  for (let at = index.recent.length - 1; at >= 0; at--) {
    const stored = index.recent[at]!;
    list.push({
      deliveredAt: new Date(stored.atMs).toISOString(),
      filename: stored.filename,
      size: stored.size,
      withReport: stored.withReport,
      lateReport: index.lateReports.has(stored.sha256),
    });
  }
  index.recentView = list;
  return list;
}

/** Caches a file's hash; false when the cache already said exactly that. */
export function cacheHash(index: DeliveryIndex, file: FileIdentity, sha256: string): boolean {
  const known = index.cache.get(file.name);
  if (known !== undefined && known.size === file.size && known.mtimeMs === file.mtimeMs && known.sha256 === sha256) {
    return false;
  }
  index.cache.set(file.name, { size: file.size, mtimeMs: file.mtimeMs, sha256: index.entries.get(sha256)?.sha256 ?? sha256 });
  return true;
}

/** The sha256 cached for this file, if the file is unchanged since it was hashed. */
export function knownHash(index: DeliveryIndex, file: FileIdentity): string | undefined {
  const cached = index.cache.get(file.name);
  if (cached === undefined || cached.size !== file.size || cached.mtimeMs !== file.mtimeMs) return undefined;
  return cached.sha256;
}

/** The delivery as callers see it (forwardedAt as ISO text). */
export function entryOf(index: DeliveryIndex, sha256: string): DeliveredEntry | undefined {
  const stored = index.entries.get(sha256);
  if (stored === undefined) return undefined;
  return {
    sha256: stored.sha256,
    filename: stored.filename,
    size: stored.size,
    forwardedAt: new Date(stored.atMs).toISOString(),
    withReport: stored.withReport,
    source: stored.source,
  };
}

/** Deliveries sent by this agent (not seeded, not imported) with forwardedAt >= epochMs. */
export function countSince(index: DeliveryIndex, epochMs: number): number {
  if (index.sinceCache?.sinceMs !== epochMs) {
    let count = 0;
    for (const stored of index.entries.values()) if (countsAsSent(stored, epochMs)) count++;
    index.sinceCache = { sinceMs: epochMs, count };
  }
  return index.sinceCache.count;
}

/** When this agent last sent an event (seeded and imported ones excluded), or null: one walk, for a start. */
export function lastSentAtMs(index: DeliveryIndex): number | null {
  let last: number | null = null;
  for (const stored of index.entries.values()) if (stored.source === 'sent' && (last === null || stored.atMs > last)) last = stored.atMs;
  return last;
}

/** A caller's entry checked and turned into what is stored; throws a TypeError naming the field. */
export function checkEntry(entry: DeliveredEntry, index: number): Stored {
  const where = `record item ${index}`;
  if (typeof entry.sha256 !== 'string' || !sha256Pattern.test(entry.sha256)) {
    throw new TypeError(`${where}: sha256 "${String(entry.sha256)}" is not 64 lowercase hex digits`);
  }
  if (typeof entry.filename !== 'string' || entry.filename === '') throw new TypeError(`${where}: filename is empty`);
  if (!isSize(entry.size)) throw new TypeError(`${where}: size ${String(entry.size)} is not a byte count`);
  const atMs = Date.parse(entry.forwardedAt);
  if (!Number.isFinite(atMs)) throw new TypeError(`${where}: forwardedAt "${entry.forwardedAt}" is not an ISO date`);
  if (typeof entry.withReport !== 'boolean') throw new TypeError(`${where}: withReport is not a boolean`);
  const source = sourceOf(entry.source);
  if (source === undefined) throw new TypeError(`${where}: source "${String(entry.source)}" is not sent, seeded or legacy`);
  return { sha256: entry.sha256, filename: entry.filename, size: entry.size, atMs, withReport: entry.withReport, source };
}

/** Throws a TypeError naming `where` unless the file identity is usable as a cache key. */
export function checkIdentity(file: FileIdentity, where: string): void {
  if (typeof file.name !== 'string' || file.name === '') throw new TypeError(`${where}: the file name is empty`);
  if (!isSize(file.size)) throw new TypeError(`${where}: file size ${String(file.size)} is not a byte count`);
  if (typeof file.mtimeMs !== 'number' || !Number.isFinite(file.mtimeMs)) {
    throw new TypeError(`${where}: mtimeMs ${String(file.mtimeMs)} is not a number`);
  }
}

export function checkSha256(sha256: string, where: string): void {
  if (!sha256Pattern.test(sha256)) throw new TypeError(`${where}: "${sha256}" is not a lowercase hex sha256`);
}
