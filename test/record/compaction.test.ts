import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { journalFileName, openLedger } from '../../src/record/index.js';
import type { DeliveredEntry, FileIdentity } from '../../src/record/index.js';
import { entryFor, makeTempDir, shaOf } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
let journal: string;

async function parsedLines(): Promise<Record<string, unknown>[]> {
  const text = await readFile(journal, 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
  journal = join(dir, journalFileName);
});

afterEach(async () => {
  await cleanup();
});

describe('compaction', () => {
  const fileOf = (entry: DeliveredEntry): FileIdentity => ({ name: entry.filename, size: entry.size, mtimeMs: 1_000.5 });
  const undelivered: FileIdentity = { name: 'too-old.IDF', size: 10, mtimeMs: 2_000.25 };

  async function writeHistory(): Promise<DeliveredEntry[]> {
    const ledger = await openLedger(dir);
    const finals: DeliveredEntry[] = [];
    for (let index = 0; index < 10; index++) {
      const alone = entryFor(`event ${index}`, { withReport: false });
      await ledger.record([{ entry: alone, file: fileOf(alone) }]);
      const late = { ...alone, withReport: true, forwardedAt: '2026-05-09T08:00:00.000Z' };
      await ledger.record([{ entry: late, file: fileOf(late) }]);
      finals.push(late);
    }
    // A cached hash for a file delivered under another name, and one for a file never delivered.
    ledger.rememberHash({ name: 'copy-of-event-0.IDF', size: 4400, mtimeMs: 3_000 }, shaOf('event 0'));
    ledger.rememberHash(undelivered, shaOf('too old'));
    await ledger.compact();
    await ledger.close();
    return finals;
  }

  it('leaves one line per sha256 plus the cache lines that ride on no delivery', async () => {
    await writeHistory();
    const lines = await parsedLines();
    const deliveries = lines.filter((line) => typeof line['forwardedAt'] === 'string');
    const hashes = lines.filter((line) => typeof line['hashed'] === 'string');
    expect(deliveries).toHaveLength(10);
    expect(new Set(deliveries.map((line) => line['sha256'])).size).toBe(10);
    expect(hashes.map((line) => line['name']).sort()).toEqual(['copy-of-event-0.IDF', 'too-old.IDF']);
    expect(lines[0]).toEqual({ ledger: 'series3-watcher', version: 1 });
    expect(lines).toHaveLength(1 + 10 + 2);
  });

  it('keeps every entry and every cached hash across a reopen', async () => {
    const finals = await writeHistory();
    const ledger = await openLedger(dir, { readOnly: true });
    expect(ledger.size).toBe(10);
    for (const entry of finals) {
      expect(ledger.get(entry.sha256)).toEqual(entry);
      expect(ledger.knownHash(fileOf(entry))).toBe(entry.sha256);
    }
    expect(ledger.knownHash({ name: 'copy-of-event-0.IDF', size: 4400, mtimeMs: 3_000 })).toBe(shaOf('event 0'));
    expect(ledger.knownHash(undelivered)).toBe(shaOf('too old'));
    expect(ledger.loadReport).toEqual({ lines: 12, corruptLines: 0, tornTail: false });
  });

  it('leaves no temp file behind', async () => {
    await writeHistory();
    expect(await readdir(dir)).not.toContain(`${journalFileName}.tmp`);
  });

  it('appends after a compaction as before', async () => {
    await writeHistory();
    const ledger = await openLedger(dir);
    await ledger.compact();
    await ledger.record([{ entry: entryFor('after') }]);
    await ledger.close();
    const again = await openLedger(dir, { readOnly: true });
    expect(again.size).toBe(11);
    expect(again.has(shaOf('after'))).toBe(true);
  });

  it('runs by itself once more than half of the journal is superseded', async () => {
    const ledger = await openLedger(dir);
    const labels = Array.from({ length: 600 }, (_, index) => `event ${index}`);
    for (let round = 0; round < 3; round++) {
      await ledger.record(labels.map((label) => ({ entry: entryFor(label, { size: round }) })));
    }
    await ledger.close();
    const lines = await parsedLines();
    // Without compaction there would be 1 + 1800 lines.
    expect(lines).toHaveLength(1 + 600);
    const again = await openLedger(dir, { readOnly: true });
    expect(again.get(shaOf('event 599'))?.size).toBe(2);
  });

  it('ignores and removes the temp file of a compaction that was cut short', async () => {
    const ledger = await openLedger(dir);
    await ledger.record([{ entry: entryFor('kept') }]);
    await ledger.close();
    await writeFile(`${journal}.tmp`, '{"ledger":"series3-watcher","version":1}\n{"sha256":"half');
    const again = await openLedger(dir);
    expect(again.size).toBe(1);
    expect(again.has(shaOf('kept'))).toBe(true);
    expect(await readdir(dir)).not.toContain(`${journalFileName}.tmp`);
    await again.close();
  });

  it('drops corrupt lines', async () => {
    const ledger = await openLedger(dir);
    await ledger.record([{ entry: entryFor('a') }]);
    await ledger.close();
    await writeFile(journal, `${await readFile(journal, 'utf8')}damaged\n${JSON.stringify({ ...entryFor('b') })}\n`);
    const damaged = await openLedger(dir);
    expect(damaged.loadReport.corruptLines).toBe(1);
    await damaged.compact();
    await damaged.close();
    const again = await openLedger(dir, { readOnly: true });
    expect(again.loadReport).toEqual({ lines: 2, corruptLines: 0, tornTail: false });
    expect(again.size).toBe(2);
  });
});
