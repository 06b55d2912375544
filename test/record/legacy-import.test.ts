import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importLegacy, journalFileName, LegacyImportError, openLedger } from '../../src/record/index.js';
import type { Ledger } from '../../src/record/index.js';
import { entryFor, makeTempDir, shaOf } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
let legacyPath: string;
let ledger: Ledger;

function legacyRecord(forwarded: Record<string, unknown>): string {
  return JSON.stringify({ version: 1, forwarded });
}

const valid = (label: string, forwardedAt = '2026-05-08T10:00:00Z'): [string, unknown] => [
  shaOf(label),
  { filename: `${label}.IDF`, size: 4400, forwarded_at: forwardedAt },
];

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
  legacyPath = join(dir, 'series3_state.json');
  ledger = await openLedger(join(dir, 'state'));
});

afterEach(async () => {
  await ledger.close();
  await cleanup();
});

describe('importing the old series3-watcher record', () => {
  it('imports every entry as legacy, without report, at its forwarded_at, durably', async () => {
    await writeFile(legacyPath, legacyRecord(Object.fromEntries([valid('a'), valid('b', '2026-05-07T09:30:00.250Z')])));
    expect(await importLegacy(ledger, legacyPath)).toEqual({ imported: 2, alreadyKnown: 0, invalid: 0 });

    await ledger.close();
    ledger = await openLedger(join(dir, 'state'));
    expect(ledger.get(shaOf('a'))).toEqual({
      sha256: shaOf('a'),
      filename: 'a.IDF',
      size: 4400,
      forwardedAt: '2026-05-08T10:00:00.000Z',
      withReport: false,
      source: 'legacy',
    });
    expect(ledger.get(shaOf('b'))?.forwardedAt).toBe('2026-05-07T09:30:00.250Z');
  });

  it('skips entries the ledger already knows, and keeps what it knows', async () => {
    const sent = entryFor('already sent');
    await ledger.record([{ entry: sent }]);
    await writeFile(legacyPath, legacyRecord(Object.fromEntries([valid('already sent'), valid('new')])));
    expect(await importLegacy(ledger, legacyPath)).toEqual({ imported: 1, alreadyKnown: 1, invalid: 0 });
    expect(ledger.get(sent.sha256)).toEqual(sent);
  });

  it('imports nothing the second time', async () => {
    await writeFile(legacyPath, legacyRecord(Object.fromEntries([valid('a'), valid('b')])));
    await importLegacy(ledger, legacyPath);
    const journal = await readFile(join(dir, 'state', journalFileName), 'utf8');
    expect(await importLegacy(ledger, legacyPath)).toEqual({ imported: 0, alreadyKnown: 2, invalid: 0 });
    expect(await readFile(join(dir, 'state', journalFileName), 'utf8')).toBe(journal);
  });

  it('reads the sha256 key in either case as the same event', async () => {
    const [key, value] = valid('upper');
    await writeFile(legacyPath, legacyRecord({ [key.toUpperCase()]: value, [key]: value }));
    expect(await importLegacy(ledger, legacyPath)).toEqual({ imported: 1, alreadyKnown: 1, invalid: 0 });
    expect(ledger.has(key)).toBe(true);
  });

  it('reads a forwarded_at without a zone as UTC', async () => {
    await writeFile(legacyPath, legacyRecord(Object.fromEntries([valid('naive', '2026-05-08T10:00:00.123456')])));
    await importLegacy(ledger, legacyPath);
    expect(ledger.get(shaOf('naive'))?.forwardedAt).toBe('2026-05-08T10:00:00.123Z');
  });

  it.each([
    ['a key that is not 64 hex digits', 'abc123', { filename: 'x.IDF', size: 1, forwarded_at: '2026-05-08T10:00:00Z' }],
    ['a missing filename', shaOf('1'), { size: 1, forwarded_at: '2026-05-08T10:00:00Z' }],
    ['an empty filename', shaOf('2'), { filename: '', size: 1, forwarded_at: '2026-05-08T10:00:00Z' }],
    ['a missing size', shaOf('3'), { filename: 'x.IDF', forwarded_at: '2026-05-08T10:00:00Z' }],
    ['a negative size', shaOf('4'), { filename: 'x.IDF', size: -1, forwarded_at: '2026-05-08T10:00:00Z' }],
    ['a size given as text', shaOf('5'), { filename: 'x.IDF', size: '4400', forwarded_at: '2026-05-08T10:00:00Z' }],
    ['a missing forwarded_at', shaOf('6'), { filename: 'x.IDF', size: 1 }],
    ['a forwarded_at that is no date', shaOf('7'), { filename: 'x.IDF', size: 1, forwarded_at: 'yesterday' }],
    ['an entry that is not an object', shaOf('8'), 'x.IDF'],
  ])('counts and skips an entry with %s', async (_label, key, value) => {
    await writeFile(legacyPath, legacyRecord({ [key]: value, ...Object.fromEntries([valid('good')]) }));
    expect(await importLegacy(ledger, legacyPath)).toEqual({ imported: 1, alreadyKnown: 0, invalid: 1 });
    expect(ledger.size).toBe(1);
  });

  it('names the path when the file does not exist', async () => {
    const missing = join(dir, 'nowhere.json');
    const attempt = importLegacy(ledger, missing);
    await expect(attempt).rejects.toBeInstanceOf(LegacyImportError);
    await expect(attempt).rejects.toMatchObject({ kind: 'missing', path: missing });
    await expect(attempt).rejects.toThrow(`the legacy record ${missing} does not exist`);
  });

  it.each([
    ['not JSON', `{"version": 1, "forwarded": {"${shaOf('a')}": {"filename": "a.IDF"`, /is not valid JSON/],
    ['a JSON array', '[]', /is not a JSON object/],
    ['another version', JSON.stringify({ version: 2, forwarded: {} }), /has version 2, expected 1/],
    ['no version', JSON.stringify({ forwarded: {} }), /has version undefined, expected 1/],
    ['no forwarded object', JSON.stringify({ version: 1 }), /has no "forwarded" object/],
    ['forwarded as a list', JSON.stringify({ version: 1, forwarded: [] }), /has no "forwarded" object/],
  ])('refuses a file that is %s, naming the path, and imports nothing', async (_label, content, what) => {
    await ledger.record([{ entry: entryFor('before') }]);
    const journal = await readFile(join(dir, 'state', journalFileName), 'utf8');
    await writeFile(legacyPath, content);

    const attempt = importLegacy(ledger, legacyPath);
    await expect(attempt).rejects.toMatchObject({ kind: 'malformed', path: legacyPath });
    await expect(attempt).rejects.toThrow(what);
    await expect(attempt).rejects.toThrow(`the legacy record ${legacyPath}`);
    expect(ledger.size).toBe(1);
    expect(await readFile(join(dir, 'state', journalFileName), 'utf8')).toBe(journal);
  });

  it('accepts a file that starts with a UTF-8 byte order mark', async () => {
    await writeFile(legacyPath, `\uFEFF${legacyRecord(Object.fromEntries([valid('bom')]))}`);
    expect(await importLegacy(ledger, legacyPath)).toEqual({ imported: 1, alreadyKnown: 0, invalid: 0 });
  });

  it('imports a large record and keeps all of it across a reopen', async () => {
    const forwarded = Object.fromEntries(Array.from({ length: 5000 }, (_, index) => valid(`bulk ${index}`)));
    await writeFile(legacyPath, legacyRecord(forwarded));
    expect(await importLegacy(ledger, legacyPath)).toEqual({ imported: 5000, alreadyKnown: 0, invalid: 0 });
    await ledger.close();
    ledger = await openLedger(join(dir, 'state'));
    expect(ledger.size).toBe(5000);
  });
});
