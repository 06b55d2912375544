// The recent deliveries the record keeps at hand (issue 10 item 4): the newest 50 events this
// agent sent, each once (its latest delivery), newest first, with the late-report mark that a
// reopen and a compaction keep, and journals written before the mark existed read the same way.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIndex, isLateReport, recentDeliveries, recentLimit, storeDelivery } from '../../src/record/delivery-index.js';
import type { Stored } from '../../src/record/delivery-index.js';
import { journalFileName, openLedger } from '../../src/record/index.js';
import type { Ledger } from '../../src/record/index.js';
import { entryFor, makeTempDir, shaOf } from './helpers.js';

const startMs = Date.parse('2026-05-08T10:00:00.000Z');
const stored = (label: string, overrides: Partial<Stored> = {}): Stored => ({
  sha256: shaOf(label),
  filename: `${label}.IDF`,
  size: 4400,
  atMs: startMs,
  withReport: true,
  source: 'sent',
  ...overrides,
});
const isoAt = (minutes: number): string => new Date(startMs + minutes * 60_000).toISOString();

describe('item 4: the one rule for a late report', () => {
  it.each([
    ['sent alone, then sent with its report', { withReport: false, source: 'sent' }, { withReport: true, source: 'sent' }, true],
    ['the first delivery', undefined, { withReport: true, source: 'sent' }, false],
    ['sent with its report before', { withReport: true, source: 'sent' }, { withReport: true, source: 'sent' }, false],
    ['sent alone again', { withReport: false, source: 'sent' }, { withReport: false, source: 'sent' }, false],
    ['seeded, then sent with a report', { withReport: false, source: 'seeded' }, { withReport: true, source: 'sent' }, false],
    ['imported, then sent with a report', { withReport: false, source: 'legacy' }, { withReport: true, source: 'sent' }, false],
  ] as const)('%s: %s', (_label, previous, next, late) => {
    expect(isLateReport(previous, next)).toBe(late);
  });
});

describe('item 4: the recent deliveries in memory', () => {
  it('lists the newest 50 sent events, newest first, with time, file, size and report', () => {
    const index = createIndex();
    for (let i = 0; i < 60; i++) storeDelivery(index, stored(`e${i}`, { atMs: startMs + i * 1000, withReport: i % 2 === 0 }));
    const recent = recentDeliveries(index);
    expect(recentLimit).toBe(50);
    expect(recent).toHaveLength(50);
    expect(recent[0]).toEqual({ deliveredAt: new Date(startMs + 59_000).toISOString(), filename: 'e59.IDF', size: 4400, withReport: false, lateReport: false });
    expect(recent[49]?.filename).toBe('e10.IDF');
  });

  it('leaves seeded and imported events out: nothing was sent for them', () => {
    const index = createIndex();
    storeDelivery(index, stored('sent'));
    storeDelivery(index, stored('seeded', { source: 'seeded', atMs: startMs + 1 }));
    storeDelivery(index, stored('legacy', { source: 'legacy', atMs: startMs + 2 }));
    expect(recentDeliveries(index).map((r) => r.filename)).toEqual(['sent.IDF']);
  });

  it('lists an event whose report came late once, at the late delivery, marked as a late report', () => {
    const index = createIndex();
    storeDelivery(index, stored('a', { withReport: false, atMs: startMs }));
    storeDelivery(index, stored('b', { atMs: startMs + 1000 }));
    storeDelivery(index, stored('a', { withReport: true, atMs: startMs + 2000 }));
    expect(recentDeliveries(index).map((r) => [r.filename, r.withReport, r.lateReport])).toEqual([
      ['a.IDF', true, true],
      ['b.IDF', true, false],
    ]);
  });

  it('orders by delivery time whatever the order the lines come in (a compacted journal)', () => {
    const index = createIndex();
    for (const minute of [5, 1, 9, 3]) storeDelivery(index, stored(`m${minute}`, { atMs: startMs + minute * 60_000 }));
    expect(recentDeliveries(index).map((r) => r.filename)).toEqual(['m9.IDF', 'm5.IDF', 'm3.IDF', 'm1.IDF']);
  });

  it('keeps a full list to the newest: an older line read later does not push a newer one out', () => {
    const index = createIndex();
    for (let i = 0; i < recentLimit; i++) storeDelivery(index, stored(`new${i}`, { atMs: startMs + 60_000 + i }));
    storeDelivery(index, stored('old', { atMs: startMs }));
    const names = recentDeliveries(index).map((r) => r.filename);
    expect(names).toHaveLength(recentLimit);
    expect(names).not.toContain('old.IDF');
  });
});

describe('item 4: the recent deliveries in the record on disk', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const open: Ledger[] = [];
  const openTracked = async (readOnly = false): Promise<Ledger> => {
    const ledger = await openLedger(dir, { readOnly });
    open.push(ledger);
    return ledger;
  };
  const journal = (): string => join(dir, journalFileName);

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
  });
  afterEach(async () => {
    for (const ledger of open.splice(0)) await ledger.close();
    await cleanup();
  });

  async function recordLateReport(ledger: Ledger): Promise<void> {
    await ledger.record([{ entry: entryFor('late', { withReport: false, forwardedAt: isoAt(0) }) }]);
    await ledger.record([{ entry: entryFor('other', { forwardedAt: isoAt(1) }) }]);
    await ledger.record([{ entry: entryFor('late', { withReport: true, forwardedAt: isoAt(2) }) }]);
  }

  it('marks the late report in its journal line, and only there', async () => {
    const ledger = await openTracked();
    await recordLateReport(ledger);
    const lines = (await readFile(journal(), 'utf8')).split('\n').filter((line) => line.includes('forwardedAt'));
    expect(lines.map((line) => (JSON.parse(line) as { lateReport?: boolean }).lateReport)).toEqual([undefined, undefined, true]);
  });

  it('reads the same list back read-only (no lock taken) after a reopen and after a compaction', async () => {
    const ledger = await openTracked();
    await recordLateReport(ledger);
    const expected = [
      { deliveredAt: isoAt(2), filename: 'late.IDF', size: 4400, withReport: true, lateReport: true },
      { deliveredAt: isoAt(1), filename: 'other.IDF', size: 4400, withReport: true, lateReport: false },
    ];
    expect(ledger.recent()).toEqual(expected);
    expect((await openTracked(true)).recent()).toEqual(expected);

    await ledger.compact();
    const compacted = await readFile(journal(), 'utf8');
    expect(compacted.split('\n').filter((line) => line.includes('"late.IDF"'))).toHaveLength(1);
    expect((await openTracked(true)).recent()).toEqual(expected);
  });

  it('finds late reports in a journal written before the mark existed', async () => {
    const line = (label: string, minute: number, withReport: boolean): string =>
      JSON.stringify({ sha256: shaOf(label), filename: `${label}.IDF`, size: 10, forwardedAt: isoAt(minute), withReport, source: 'sent' });
    const old = [JSON.stringify({ ledger: 'series3-watcher', version: 1 }), line('a', 0, false), line('b', 1, false), line('a', 2, true)];
    await writeFile(journal(), `${old.join('\n')}\n`);
    const ledger = await openTracked();
    expect(ledger.recent().map((r) => [r.filename, r.withReport, r.lateReport])).toEqual([
      ['a.IDF', true, true],
      ['b.IDF', false, false],
    ]);
    // The mark is written by the next compaction, so the fact outlives the line it was read from.
    await ledger.compact();
    const marked = (await readFile(journal(), 'utf8')).split('\n').find((l) => l.includes('"a.IDF"'));
    expect(JSON.parse(marked ?? '{}')).toMatchObject({ lateReport: true });
  });

  it('is empty for a record that does not exist yet', async () => {
    expect((await openTracked(true)).recent()).toEqual([]);
  });
});
