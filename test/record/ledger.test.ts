import { open as openFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { journalFileName, openLedger } from '../../src/record/index.js';
import type { Ledger } from '../../src/record/index.js';
import { entryFor, makeTempDir, shaOf } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
const open: Ledger[] = [];

async function openTracked(options?: { readonly readOnly?: boolean }): Promise<Ledger> {
  const ledger = await openLedger(dir, options);
  open.push(ledger);
  return ledger;
}

async function reopen(ledger: Ledger): Promise<Ledger> {
  await ledger.close();
  return openTracked();
}

async function journalLines(): Promise<string[]> {
  const text = await readFile(join(dir, journalFileName), 'utf8');
  return text.split('\n').filter((line) => line !== '');
}

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
});

afterEach(async () => {
  for (const ledger of open.splice(0)) await ledger.close();
  await cleanup();
});

describe('the ledger remembers deliveries by sha256', () => {
  it('keeps every recorded entry across a reopen', async () => {
    const ledger = await openTracked();
    const a = entryFor('a');
    const b = entryFor('b', { withReport: false, source: 'seeded', size: 12 });
    await ledger.record([{ entry: a }]);
    await ledger.record([{ entry: b }]);

    const again = await reopen(ledger);
    expect(again.size).toBe(2);
    expect(again.get(a.sha256)).toEqual(a);
    expect(again.get(b.sha256)).toEqual(b);
    expect(again.has(shaOf('never sent'))).toBe(false);
    expect(again.get(shaOf('never sent'))).toBeUndefined();
  });

  it('lets a later record for the same sha256 supersede the earlier one (the late report)', async () => {
    const ledger = await openTracked();
    const alone = entryFor('late', { withReport: false, forwardedAt: '2026-05-08T10:00:00.000Z' });
    const withReport = entryFor('late', { withReport: true, forwardedAt: '2026-05-08T10:05:00.000Z' });
    await ledger.record([{ entry: alone }]);
    await ledger.record([{ entry: withReport }]);
    expect(ledger.size).toBe(1);
    expect(ledger.get(alone.sha256)).toEqual(withReport);

    const again = await reopen(ledger);
    expect(again.size).toBe(1);
    expect(again.get(alone.sha256)).toEqual(withReport);
  });

  it('writes one line per delivered event instead of rewriting the record', async () => {
    const ledger = await openTracked();
    await ledger.record([{ entry: entryFor('one') }]);
    const before = await journalLines();
    await ledger.record([{ entry: entryFor('two') }]);
    const after = await journalLines();
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after).toHaveLength(before.length + 1);
    expect(JSON.parse(after.at(-1) ?? '')).toMatchObject({ sha256: shaOf('two'), filename: 'two.IDF' });
  });

  it('stores forwardedAt as UTC ISO text', async () => {
    const ledger = await openTracked();
    await ledger.record([{ entry: entryFor('zone', { forwardedAt: '2026-05-08T12:00:00+02:00' }) }]);
    expect(ledger.get(shaOf('zone'))?.forwardedAt).toBe('2026-05-08T10:00:00.000Z');
  });

  it('rejects an entry that is not a lowercase hex sha256 and records nothing of that call', async () => {
    const ledger = await openTracked();
    const good = entryFor('good');
    const bad = entryFor('bad', { sha256: 'ABC' });
    await expect(ledger.record([{ entry: good }, { entry: bad }])).rejects.toThrow(/record item 1: sha256 "ABC"/);
    expect(ledger.size).toBe(0);
  });
});

describe('deliveryOf tells what a pass needs without building an entry', () => {
  it('gives withReport and source of the latest record, and nothing for an unknown hash', async () => {
    const ledger = await openTracked();
    await ledger.record([{ entry: entryFor('alone', { withReport: false }) }, { entry: entryFor('seeded', { source: 'seeded', withReport: false }) }]);
    expect(ledger.deliveryOf(entryFor('alone').sha256)).toMatchObject({ withReport: false, source: 'sent' });
    expect(ledger.deliveryOf(entryFor('seeded').sha256)).toMatchObject({ withReport: false, source: 'seeded' });
    await ledger.record([{ entry: entryFor('alone', { withReport: true }) }]);
    expect(ledger.deliveryOf(entryFor('alone').sha256)).toMatchObject({ withReport: true, source: 'sent' });
    expect(ledger.deliveryOf(entryFor('never').sha256)).toBeUndefined();
  });
});

describe('countSince counts deliveries at or after a moment', () => {
  it('counts by forwardedAt and follows new and superseding records', async () => {
    const ledger = await openTracked();
    const midnight = Date.parse('2026-05-08T00:00:00.000Z');
    await ledger.record([
      { entry: entryFor('yesterday', { forwardedAt: '2026-05-07T23:59:59.999Z' }) },
      { entry: entryFor('at midnight', { forwardedAt: '2026-05-08T00:00:00.000Z' }) },
      { entry: entryFor('morning', { forwardedAt: '2026-05-08T09:00:00.000Z' }) },
    ]);
    expect(ledger.countSince(midnight)).toBe(2);

    await ledger.record([{ entry: entryFor('noon', { forwardedAt: '2026-05-08T12:00:00.000Z' }) }]);
    expect(ledger.countSince(midnight)).toBe(3);
    // Sent alone yesterday, its report today: now counts as today's.
    await ledger.record([{ entry: entryFor('yesterday', { forwardedAt: '2026-05-08T13:00:00.000Z' }) }]);
    expect(ledger.countSince(midnight)).toBe(4);
    expect(ledger.countSince(Date.parse('2026-05-08T10:00:00.000Z'))).toBe(2);

    const again = await reopen(ledger);
    expect(again.countSince(midnight)).toBe(4);
  });

  it('does not count seeded or imported events as sent', async () => {
    const ledger = await openTracked();
    const midnight = Date.parse('2026-05-08T00:00:00.000Z');
    await ledger.record([
      { entry: entryFor('sent', { forwardedAt: '2026-05-08T09:00:00.000Z' }) },
      { entry: entryFor('seeded', { forwardedAt: '2026-05-08T09:00:00.000Z', source: 'seeded' }) },
      { entry: entryFor('legacy', { forwardedAt: '2026-05-08T09:00:00.000Z', source: 'legacy' }) },
    ]);
    expect(ledger.countSince(midnight)).toBe(1);
    expect((await reopen(ledger)).countSince(midnight)).toBe(1);
  });
});

describe('the hash cache: an unchanged file is never hashed twice', () => {
  const file = { name: 'UM12345.IDF', size: 4400, mtimeMs: 1_715_162_400_123.456 };

  it('knows the hash of a file recorded with its identity, across a reopen', async () => {
    const ledger = await openTracked();
    const entry = entryFor('cached', { filename: file.name });
    await ledger.record([{ entry, file }]);
    expect(ledger.knownHash(file)).toBe(entry.sha256);

    const again = await reopen(ledger);
    expect(again.knownHash(file)).toBe(entry.sha256);
  });

  it.each([
    ['a different size', { ...file, size: 4401 }],
    ['a different mtime', { ...file, mtimeMs: file.mtimeMs + 1 }],
    ['a different name', { ...file, name: 'UM99999.IDF' }],
  ])('does not answer for %s', async (_label, changed) => {
    const ledger = await openTracked();
    await ledger.record([{ entry: entryFor('cached', { filename: file.name }), file }]);
    expect(ledger.knownHash(changed)).toBeUndefined();
  });

  it('persists a remembered hash of an undelivered file with the next record()', async () => {
    const ledger = await openTracked();
    ledger.rememberHash(file, shaOf('known from elsewhere'));
    expect(ledger.knownHash(file)).toBe(shaOf('known from elsewhere'));
    await ledger.record([{ entry: entryFor('other') }]);

    const again = await reopen(ledger);
    expect(again.knownHash(file)).toBe(shaOf('known from elsewhere'));
    expect(again.has(shaOf('known from elsewhere'))).toBe(false);
  });

  it('persists a remembered hash with flush()', async () => {
    const ledger = await openTracked();
    ledger.rememberHash(file, shaOf('flushed'));
    await ledger.flush();
    expect((await journalLines()).some((line) => line.includes(shaOf('flushed')))).toBe(true);
  });

  it('persists a remembered hash on close()', async () => {
    const ledger = await openTracked();
    ledger.rememberHash(file, shaOf('closed'));
    const again = await reopen(ledger);
    expect(again.knownHash(file)).toBe(shaOf('closed'));
  });

  it('writes nothing when the same hash is remembered again', async () => {
    const ledger = await openTracked();
    ledger.rememberHash(file, shaOf('once'));
    await ledger.flush();
    const before = await journalLines();
    ledger.rememberHash(file, shaOf('once'));
    await ledger.flush();
    expect(await journalLines()).toEqual(before);
  });

  it('does not write a separate cache line for a file whose delivery carries it', async () => {
    const ledger = await openTracked();
    const entry = entryFor('carried', { filename: file.name });
    ledger.rememberHash(file, entry.sha256);
    await ledger.record([{ entry, file }]);
    await ledger.flush();
    const lines = await journalLines();
    expect(lines.filter((line) => line.includes(entry.sha256))).toHaveLength(1);
  });
});

describe('group commit', () => {
  it('resolves and persists every one of many concurrent record() calls', async () => {
    const ledger = await openTracked();
    const labels = Array.from({ length: 200 }, (_, index) => `concurrent ${index}`);
    await Promise.all(labels.map((label) => ledger.record([{ entry: entryFor(label) }])));
    expect(ledger.size).toBe(200);

    const again = await reopen(ledger);
    expect(again.size).toBe(200);
    for (const label of labels) expect(again.has(shaOf(label))).toBe(true);
    expect(again.loadReport).toEqual({ lines: 200, corruptLines: 0, tornTail: false });
  });

  it('shares one fsync among records issued together instead of one fsync each', async () => {
    const ledger = await openTracked();
    const probe = await openFile(join(dir, journalFileName), 'r');
    const fileHandlePrototype = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    const datasync = vi.spyOn(fileHandlePrototype, 'datasync');
    try {
      const labels = Array.from({ length: 50 }, (_, index) => `together ${index}`);
      await Promise.all(labels.map((label) => ledger.record([{ entry: entryFor(label) }])));
      expect(datasync.mock.calls.length).toBeGreaterThan(0);
      expect(datasync.mock.calls.length).toBeLessThan(5);
    } finally {
      datasync.mockRestore();
    }
  });

  it('keeps the last of concurrent records for the same sha256, in memory and on disk', async () => {
    const ledger = await openTracked();
    const versions = Array.from({ length: 20 }, (_, index) => entryFor('same', { size: index }));
    await Promise.all(versions.map((entry) => ledger.record([{ entry }])));
    expect(ledger.get(shaOf('same'))?.size).toBe(19);
    const again = await reopen(ledger);
    expect(again.get(shaOf('same'))?.size).toBe(19);
  });
});

describe('opening', () => {
  it('creates STATE_DIR when it does not exist', async () => {
    const nested = join(dir, 'not', 'yet');
    const ledger = await openLedger(nested);
    open.push(ledger);
    await ledger.record([{ entry: entryFor('x') }]);
    expect(await readFile(join(nested, journalFileName), 'utf8')).toContain(shaOf('x'));
  });

  it('reads a missing STATE_DIR read-only as an empty ledger and creates nothing', async () => {
    const missing = join(dir, 'missing');
    const ledger = await openLedger(missing, { readOnly: true });
    expect(ledger.size).toBe(0);
    await expect(readFile(join(missing, journalFileName))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses to write when read-only', async () => {
    const ledger = await openTracked({ readOnly: true });
    await expect(ledger.record([{ entry: entryFor('x') }])).rejects.toThrow(/read-only/);
    await expect(ledger.compact()).rejects.toThrow(/read-only/);
    expect(() => ledger.rememberHash({ name: 'a', size: 1, mtimeMs: 1 }, shaOf('a'))).toThrow(/read-only/);
  });

  it('refuses to write after close, and close is idempotent', async () => {
    const ledger = await openTracked();
    await ledger.close();
    await ledger.close();
    await expect(ledger.record([{ entry: entryFor('late') }])).rejects.toThrow(/closed/);
  });
});
