// The snapshot a compaction writes (journal-compaction.ts): one line per delivery, a cached hash
// riding on its delivery's line when it is that delivery's own file, a line of its own otherwise;
// and the journal swapped whole, the writer's counts starting again from the snapshot.
import { open, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheHash, createIndex, storeDelivery } from '../../src/record/delivery-index.js';
import type { DeliveryIndex, Stored } from '../../src/record/delivery-index.js';
import { compactJournal, writeSnapshot } from '../../src/record/journal-compaction.js';
import { headerLine, journalFileName, loadJournal } from '../../src/record/journal-reader.js';
import { appendLines, closeWriter, openJournalWriter } from '../../src/record/journal-writer.js';
import { makeTempDir, shaOf } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
});

afterEach(async () => {
  await cleanup();
});

const delivered = (label: string): Stored => ({
  sha256: shaOf(label),
  filename: `${label}.IDF`,
  size: 4400,
  atMs: Date.parse('2026-05-08T10:00:00.000Z'),
  withReport: true,
  source: 'sent',
});

async function snapshotLines(index: DeliveryIndex): Promise<{ lines: Record<string, unknown>[]; counted: number }> {
  const path = join(dir, 'snapshot');
  const handle = await open(path, 'w');
  let counted = 0;
  try {
    counted = (await writeSnapshot(handle, index)).lines;
  } finally {
    await handle.close();
  }
  const text = await readFile(path, 'utf8');
  expect(text.startsWith(headerLine())).toBe(true);
  const lines = text.slice(headerLine().length).trimEnd().split('\n').filter((line) => line !== '');
  return { lines: lines.map((line) => JSON.parse(line) as Record<string, unknown>), counted };
}

describe('item 3: what a snapshot holds', () => {
  it.each([
    ['a delivery without a cached file: one plain line', [['a', undefined]], [], 1, 0],
    ['a delivery and its own file cached: one line carrying the identity', [['a', 'a.IDF']], [], 1, 0],
    ['a delivery whose bytes were also read under another name: the other name has a line of its own', [['a', 'a.IDF'], ['a', 'copy.IDF']], [], 1, 1],
    ['a file hashed but not delivered: a cache line', [], [['b', 'b.IDF']], 0, 1],
  ] as const)('%s', async (_label, deliveredWithFiles, hashedOnly, deliveries, cacheLines) => {
    const index = createIndex();
    for (const [label, fileName] of deliveredWithFiles) {
      storeDelivery(index, delivered(label));
      if (fileName !== undefined) cacheHash(index, { name: fileName, size: 4400, mtimeMs: 7 }, shaOf(label));
    }
    for (const [label, fileName] of hashedOnly) cacheHash(index, { name: fileName, size: 10, mtimeMs: 3 }, shaOf(label));
    const { lines, counted } = await snapshotLines(index);
    expect(counted).toBe(lines.length);
    expect(lines.filter((line) => 'forwardedAt' in line)).toHaveLength(deliveries);
    expect(lines.filter((line) => 'hashed' in line)).toHaveLength(cacheLines);
    for (const line of lines.filter((line) => 'forwardedAt' in line)) {
      const ownFileCached = deliveredWithFiles.some(([label, name]) => shaOf(label) === line['sha256'] && name === `${label}.IDF`);
      expect('mtimeMs' in line).toBe(ownFileCached);
    }
  });

  it('replaces the journal with the snapshot, loses nothing, and counts the journal from the snapshot', async () => {
    const journal = join(dir, journalFileName);
    const { writer } = await openJournalWriter(dir, journal, undefined);
    try {
      storeDelivery(writer.index, delivered('a'));
      cacheHash(writer.index, { name: 'a.IDF', size: 4400, mtimeMs: 7 }, shaOf('a'));
      await appendLines(writer, 'garbage that a snapshot drops\n', 1);
      writer.wasteLines = 1;
      await compactJournal(writer);
      expect(writer.journalLines).toBe(1);
      expect(writer.wasteLines).toBe(0);
      expect(await readdir(dir)).not.toContain(`${journalFileName}.tmp`);
      await appendLines(writer, '', 0);
    } finally {
      await closeWriter(writer);
    }
    const loaded = await loadJournal(journal);
    expect(loaded.report).toEqual({ lines: 1, corruptLines: 0, tornTail: false });
    expect(loaded.index.entries.get(shaOf('a'))).toEqual(delivered('a'));
    expect(loaded.index.cache.get('a.IDF')).toEqual({ size: 4400, mtimeMs: 7, sha256: shaOf('a') });
  });
});
