// The journal reader's rules (journal-reader.ts): what each kind of line does to the index, how a
// later line supersedes an earlier one, and how a journal is repaired (corrupt lines, torn tail).
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIndex } from '../../src/record/delivery-index.js';
import {
  applyLine,
  deliveredLine,
  hashedLine,
  headerLine,
  journalFileName,
  loadJournal,
  removeStaleTemp,
  repairJournal,
  tempPathOf,
} from '../../src/record/journal-reader.js';
import { makeTempDir, shaOf } from './helpers.js';

const a = shaOf('a');
const b = shaOf('b');
const at = '2026-05-08T10:00:00.000Z';
const delivery = (sha: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ sha256: sha, filename: 'A.IDF', size: 4400, forwardedAt: at, withReport: true, source: 'sent', ...extra });
const cacheLine = (sha: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ hashed: sha, name: 'B.IDF', size: 10, mtimeMs: 5, ...extra });

describe('item 3: each line of the journal, read on its own', () => {
  it.each([
    ['a delivery', delivery(a), 'good', 1, 0],
    ['a delivery with its file identity', delivery(a, { mtimeMs: 7 }), 'good', 1, 1],
    ['a delivery read from another file name', delivery(a, { mtimeMs: 7, fileName: 'other.IDF', fileSize: 9 }), 'good', 1, 1],
    ['a seeded delivery', delivery(a, { source: 'seeded', withReport: false }), 'good', 1, 0],
    ['a legacy delivery', delivery(a, { source: 'legacy' }), 'good', 1, 0],
    ['a cache line', cacheLine(b), 'good', 0, 1],
    ['the header', headerLine().trimEnd(), 'blank', 0, 0],
    ['a blank line', '   ', 'blank', 0, 0],
    ['an empty line', '', 'blank', 0, 0],
    ['not JSON', '{"sha256": "', 'bad', 0, 0],
    ['JSON that is not an object', '42', 'bad', 0, 0],
    ['JSON null', 'null', 'bad', 0, 0],
    ['an object of no known kind', '{"hello":1}', 'bad', 0, 0],
    ['a delivery with a short sha256', delivery('abc'), 'bad', 0, 0],
    ['a delivery with no filename', delivery(a, { filename: 3 }), 'bad', 0, 0],
    ['a delivery with a negative size', delivery(a, { size: -1 }), 'bad', 0, 0],
    ['a delivery with a fractional size', delivery(a, { size: 1.5 }), 'bad', 0, 0],
    ['a delivery with forwardedAt not a date', delivery(a, { forwardedAt: 'yesterday' }), 'bad', 0, 0],
    ['a delivery with withReport not a boolean', delivery(a, { withReport: 'yes' }), 'bad', 0, 0],
    ['a delivery with an unknown source', delivery(a, { source: 'guessed' }), 'bad', 0, 0],
    ['a delivery whose mtimeMs is not a number (kept, nothing cached)', delivery(a, { mtimeMs: 'x' }), 'good', 1, 0],
    ['a cache line with an upper-case sha256', cacheLine(a.toUpperCase()), 'bad', 0, 0],
    ['a cache line with no name', cacheLine(b, { name: '' }), 'bad', 0, 0],
    ['a cache line with a bad size', cacheLine(b, { size: -2 }), 'bad', 0, 0],
    ['a cache line without mtimeMs', cacheLine(b, { mtimeMs: null }), 'bad', 0, 0],
  ] as const)('%s is %s', (_label, line, outcome, deliveries, cached) => {
    const index = createIndex();
    expect(applyLine(index, line, 'J', { wasteLines: 0 })).toBe(outcome);
    expect(index.entries.size).toBe(deliveries);
    expect(index.cache.size).toBe(cached);
  });

  it('item 3: a header of another format version stops the load, naming the file', () => {
    const line = JSON.stringify({ ledger: 'series3-watcher', version: 2 });
    expect(() => applyLine(createIndex(), line, '/state/delivered.jsonl', { wasteLines: 0 })).toThrow(
      /\/state\/delivered\.jsonl has format version 2, this series3-watcher reads version 1/,
    );
  });

  it('item 3: a delivery line caches the identity it carries, under fileName when given', () => {
    const index = createIndex();
    applyLine(index, delivery(a, { mtimeMs: 7, fileName: 'other.IDF', fileSize: 9 }), 'J', { wasteLines: 0 });
    expect(index.cache.get('other.IDF')).toEqual({ size: 9, mtimeMs: 7, sha256: a });
    applyLine(index, delivery(b, { mtimeMs: 8, filename: 'B.IDF' }), 'J', { wasteLines: 0 });
    expect(index.cache.get('B.IDF')).toEqual({ size: 4400, mtimeMs: 8, sha256: b });
  });
});

describe('item 3: later lines supersede earlier ones', () => {
  it.each([
    ['a second delivery of the same sha256 replaces the first', [delivery(a, { size: 1 }), delivery(a, { size: 2 })], 1],
    ['a second cache line for the same name replaces the first', [cacheLine(a, { size: 1 }), cacheLine(b, { size: 2 })], 1],
    ['a cache line repeating a delivery\'s own file is folded away', [delivery(a, { filename: 'B.IDF' }), cacheLine(a)], 1],
    ['deliveries of different sha256 all stay', [delivery(a), delivery(b)], 0],
    ['cache lines for different names all stay', [cacheLine(a), cacheLine(b, { name: 'C.IDF' })], 0],
  ] as const)('%s', (_label, lines, waste) => {
    const index = createIndex();
    const tally = { wasteLines: 0 };
    for (const line of lines) expect(applyLine(index, line, 'J', tally)).toBe('good');
    expect(tally.wasteLines).toBe(waste);
  });

  it('item 3: the last delivery wins and the first line\'s sha256 string is the one kept', () => {
    const index = createIndex();
    applyLine(index, delivery(a, { size: 1, source: 'seeded' }), 'J', { wasteLines: 0 });
    const first = index.entries.get(a)?.sha256;
    applyLine(index, delivery(a, { size: 2 }), 'J', { wasteLines: 0 });
    expect(index.entries.get(a)).toMatchObject({ size: 2, source: 'sent' });
    expect(index.entries.get(a)?.sha256).toBe(first);
  });

  it('item 3: the last cache line for a name wins', () => {
    const index = createIndex();
    applyLine(index, cacheLine(a, { size: 1 }), 'J', { wasteLines: 0 });
    applyLine(index, cacheLine(b, { size: 2, mtimeMs: 3 }), 'J', { wasteLines: 0 });
    expect(index.cache.get('B.IDF')).toEqual({ size: 2, mtimeMs: 3, sha256: b });
  });
});

let dir: string;
let cleanup: () => Promise<void>;
let journal: string;

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
  journal = join(dir, journalFileName);
});

afterEach(async () => {
  await cleanup();
});

const good = [headerLine(), `${delivery(a)}\n`, `${delivery(b)}\n`];
const goodText = good.join('');

describe('item 3: repair rules of a whole journal', () => {
  it.each([
    ['a whole journal', goodText, { lines: 2, corruptLines: 0, tornTail: false }, goodText.length],
    ['a torn last line', `${goodText}{"sha256":"${a}","file`, { lines: 2, corruptLines: 0, tornTail: true }, goodText.length],
    ['a last line without its newline, whole JSON', `${goodText}${delivery(a, { size: 9 })}`, { lines: 2, corruptLines: 0, tornTail: true }, goodText.length],
    ['a complete last line that is not JSON', `${goodText}garbage\n`, { lines: 2, corruptLines: 0, tornTail: true }, goodText.length],
    ['bad lines then blank lines at the end', `${goodText}garbage\n\n \n`, { lines: 2, corruptLines: 0, tornTail: true }, goodText.length],
    ['blank lines at the end alone', `${goodText}\n\n`, { lines: 2, corruptLines: 0, tornTail: false }, goodText.length + 2],
    [
      'a corrupt line between good ones',
      `${good[0]}${good[1]}garbage\n${good[2]}`,
      { lines: 3, corruptLines: 1, tornTail: false },
      goodText.length + 'garbage\n'.length,
    ],
    ['a journal without a header', `${delivery(a)}\n`, { lines: 1, corruptLines: 0, tornTail: false }, delivery(a).length + 1],
    ['an empty file', '', { lines: 0, corruptLines: 0, tornTail: false }, 0],
    ['only a torn header', '{"ledger":"ser', { lines: 0, corruptLines: 0, tornTail: true }, 0],
  ] as const)('%s', async (_label, text, report, goodBytes) => {
    await writeFile(journal, text);
    const loaded = await loadJournal(journal);
    expect(loaded.report).toEqual(report);
    expect(loaded.goodBytes).toBe(goodBytes);
    expect(loaded.fileBytes).toBe(Buffer.byteLength(text));
    expect(loaded.exists).toBe(true);
  });

  it('item 3: a missing journal is an empty record that does not exist yet', async () => {
    const loaded = await loadJournal(journal);
    expect(loaded).toMatchObject({ exists: false, goodBytes: 0, fileBytes: 0, report: { lines: 0, corruptLines: 0, tornTail: false } });
    expect(loaded.index.entries.size).toBe(0);
  });

  it('item 3: a journal larger than one read chunk loads every line, multi-byte names included', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `${delivery(shaOf(`n${i}`), { filename: `Ö-${i}-${'é'.repeat(40)}.IDF` })}\n`);
    await writeFile(journal, headerLine() + lines.join(''));
    const loaded = await loadJournal(journal);
    expect(loaded.report).toEqual({ lines: 3000, corruptLines: 0, tornTail: false });
    expect(loaded.index.entries.get(shaOf('n2999'))?.filename).toBe(`Ö-2999-${'é'.repeat(40)}.IDF`);
  });

  it('item 3: repair cuts a torn tail back to the last good line, durably', async () => {
    await writeFile(journal, `${goodText}{"sha256":"tor`);
    await repairJournal(journal, await loadJournal(journal));
    expect(await readFile(journal, 'utf8')).toBe(goodText);
  });

  it('item 3: repair keeps a copy of an unreadable tail longer than 4 KiB before the cut, and none of a short one', async () => {
    const longTail = `${'x'.repeat(5000)}\n`;
    await writeFile(journal, goodText + longTail);
    await repairJournal(journal, await loadJournal(journal));
    expect((await stat(journal)).size).toBe(goodText.length);
    const copies = (await readdir(dir)).filter((name) => name.startsWith(`${journalFileName}.dropped-`));
    expect(copies).toHaveLength(1);
    expect(await readFile(join(dir, copies[0] ?? ''), 'utf8')).toBe(longTail);

    await writeFile(journal, `${goodText}short tear`);
    await repairJournal(journal, await loadJournal(journal));
    expect((await readdir(dir)).filter((name) => name.includes('.dropped-'))).toHaveLength(1);
  });

  it('item 3: repair leaves a whole journal alone', async () => {
    await writeFile(journal, goodText);
    const before = await stat(journal);
    await repairJournal(journal, await loadJournal(journal));
    expect((await stat(journal)).mtimeMs).toBe(before.mtimeMs);
  });

  it('item 3: the temp file of a compaction cut short is removed, and a missing one is no error', async () => {
    await writeFile(tempPathOf(journal), 'half a snapshot');
    await removeStaleTemp(journal);
    await removeStaleTemp(journal);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('item 3: the encoders write what the reader reads', () => {
  it('a delivery line with its identity and a cache line round-trip through the reader', async () => {
    const stored = { sha256: a, filename: 'A.IDF', size: 4400, atMs: Date.parse(at), withReport: false, source: 'seeded' } as const;
    const text =
      headerLine() +
      deliveredLine(stored, { name: 'A2.IDF', size: 4401, mtimeMs: 12.5 }) +
      hashedLine('B.IDF', { sha256: b, size: 10, mtimeMs: 3 });
    await writeFile(journal, text);
    const { index, report } = await loadJournal(journal);
    expect(report).toEqual({ lines: 2, corruptLines: 0, tornTail: false });
    expect(index.entries.get(a)).toEqual(stored);
    expect(index.cache.get('A2.IDF')).toEqual({ size: 4401, mtimeMs: 12.5, sha256: a });
    expect(index.cache.get('B.IDF')).toEqual({ size: 10, mtimeMs: 3, sha256: b });
  });

  it('a delivery line names fileName and fileSize only when they differ', () => {
    const stored = { sha256: a, filename: 'A.IDF', size: 4400, atMs: Date.parse(at), withReport: true, source: 'sent' } as const;
    expect(JSON.parse(deliveredLine(stored, { name: 'A.IDF', size: 4400, mtimeMs: 1 }))).toEqual({
      sha256: a,
      filename: 'A.IDF',
      size: 4400,
      forwardedAt: at,
      withReport: true,
      source: 'sent',
      mtimeMs: 1,
    });
    expect(deliveredLine(stored, undefined)).not.toContain('mtimeMs');
  });
});
