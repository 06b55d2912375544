// The in-memory index's rules (delivery-index.ts): what may go in, how a later delivery
// supersedes, the hash cache, and "sent since" kept current as deliveries arrive.
import { describe, expect, it } from 'vitest';
import {
  cacheHash,
  checkEntry,
  checkIdentity,
  checkSha256,
  countSince,
  createIndex,
  entryOf,
  knownHash,
  storeDelivery,
} from '../../src/record/delivery-index.js';
import type { Stored } from '../../src/record/delivery-index.js';
import type { DeliveredEntry } from '../../src/record/index.js';
import { entryFor, shaOf } from './helpers.js';

const atMs = Date.parse('2026-05-08T10:00:00.000Z');
const stored = (label: string, overrides: Partial<Stored> = {}): Stored => ({
  sha256: shaOf(label),
  filename: `${label}.IDF`,
  size: 4400,
  atMs,
  withReport: true,
  source: 'sent',
  ...overrides,
});

describe('item 3: what a caller may record', () => {
  it.each([
    ['an upper-case sha256', { sha256: shaOf('x').toUpperCase() }, 'record item 2: sha256 "'],
    ['a short sha256', { sha256: 'abc' }, 'is not 64 lowercase hex digits'],
    ['an empty filename', { filename: '' }, 'record item 2: filename is empty'],
    ['a negative size', { size: -1 }, 'size -1 is not a byte count'],
    ['a fractional size', { size: 0.5 }, 'size 0.5 is not a byte count'],
    ['forwardedAt not a date', { forwardedAt: 'soon' }, 'forwardedAt "soon" is not an ISO date'],
    ['withReport not a boolean', { withReport: 1 as unknown as boolean }, 'withReport is not a boolean'],
    ['an unknown source', { source: 'found' as DeliveredEntry['source'] }, 'source "found" is not sent, seeded or legacy'],
  ] as const)('refuses %s, naming the item and the field', (_label, overrides, message) => {
    expect(() => checkEntry(entryFor('x', overrides), 2)).toThrow(message);
  });

  it('keeps forwardedAt as epoch ms and gives it back as UTC ISO text', () => {
    const index = createIndex();
    storeDelivery(index, checkEntry(entryFor('x', { forwardedAt: '2026-05-08T12:00:00+02:00' }), 0));
    expect(index.entries.get(shaOf('x'))?.atMs).toBe(atMs);
    expect(entryOf(index, shaOf('x'))?.forwardedAt).toBe('2026-05-08T10:00:00.000Z');
    expect(entryOf(index, shaOf('unknown'))).toBeUndefined();
  });

  it.each([
    ['an empty name', { name: '', size: 1, mtimeMs: 1 }, 'where: the file name is empty'],
    ['a negative size', { name: 'a', size: -1, mtimeMs: 1 }, 'where: file size -1 is not a byte count'],
    ['an mtime that is not a number', { name: 'a', size: 1, mtimeMs: Number.NaN }, 'where: mtimeMs NaN is not a number'],
  ])('refuses a file identity with %s', (_label, file, message) => {
    expect(() => checkIdentity(file, 'where')).toThrow(message);
  });

  it('refuses a remembered hash that is not lowercase hex', () => {
    expect(() => checkSha256('ABC', 'rememberHash')).toThrow('rememberHash: "ABC" is not a lowercase hex sha256');
    expect(() => checkSha256(shaOf('x'), 'rememberHash')).not.toThrow();
  });
});

describe('item 3: a later delivery of the same bytes supersedes the earlier one', () => {
  it('replaces the facts, keeps the first sha256 string, and says it superseded', () => {
    const index = createIndex();
    const first = stored('x', { withReport: false, source: 'seeded' });
    expect(storeDelivery(index, first)).toBe(false);
    const later = stored('x');
    expect(storeDelivery(index, { ...later, sha256: `${later.sha256}` })).toBe(true);
    expect(index.entries.get(first.sha256)).toMatchObject({ withReport: true, source: 'sent' });
    expect(index.entries.get(first.sha256)?.sha256).toBe(first.sha256);
    expect(index.entries.size).toBe(1);
  });
});

describe('item 3: the hash cache knows a file only while it is unchanged', () => {
  const file = { name: 'A.IDF', size: 10, mtimeMs: 5 };
  it.each([
    ['the same file', file, true],
    ['another size', { ...file, size: 11 }, false],
    ['another mtime', { ...file, mtimeMs: 6 }, false],
    ['another name', { ...file, name: 'B.IDF' }, false],
  ])('%s', (_label, asked, known) => {
    const index = createIndex();
    cacheHash(index, file, shaOf('a'));
    expect(knownHash(index, asked)).toBe(known ? shaOf('a') : undefined);
  });

  it('says whether the cache changed, so an unchanged hash is not written again', () => {
    const index = createIndex();
    expect(cacheHash(index, file, shaOf('a'))).toBe(true);
    expect(cacheHash(index, file, shaOf('a'))).toBe(false);
    expect(cacheHash(index, file, shaOf('b'))).toBe(true);
    expect(cacheHash(index, { ...file, mtimeMs: 6 }, shaOf('b'))).toBe(true);
  });
});

describe('item 3: countSince counts deliveries sent at or after a moment', () => {
  it.each([
    ['sent at the moment', stored('x'), 1],
    ['sent after it', stored('x', { atMs: atMs + 1 }), 1],
    ['sent before it', stored('x', { atMs: atMs - 1 }), 0],
    ['seeded after it', stored('x', { source: 'seeded' }), 0],
    ['imported after it', stored('x', { source: 'legacy' }), 0],
  ] as const)('%s', (_label, delivery, count) => {
    const index = createIndex();
    storeDelivery(index, delivery);
    expect(countSince(index, atMs)).toBe(count);
  });

  it('keeps a count already asked for current as deliveries arrive and supersede', () => {
    const index = createIndex();
    storeDelivery(index, stored('a'));
    expect(countSince(index, atMs)).toBe(1);
    storeDelivery(index, stored('b'));
    expect(countSince(index, atMs)).toBe(2);
    storeDelivery(index, stored('a', { source: 'seeded' }));
    expect(countSince(index, atMs)).toBe(1);
    storeDelivery(index, stored('c', { atMs: atMs - 1 }));
    expect(countSince(index, atMs)).toBe(1);
    expect(countSince(index, atMs - 1)).toBe(2);
  });
});
