import { appendFile, open, readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { journalFileName, openLedger } from '../../src/record/index.js';
import { entryFor, makeTempDir, shaOf } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
let journal: string;
const labels = ['first', 'second', 'third', 'fourth', 'last'];

/** Records one line per label and returns the byte length of the last line (with its newline). */
async function writeJournal(): Promise<number> {
  const ledger = await openLedger(dir);
  for (const label of labels) await ledger.record([{ entry: entryFor(label) }]);
  await ledger.close();
  const text = await readFile(journal, 'utf8');
  const lastLine = text.slice(text.lastIndexOf('\n', text.length - 2) + 1);
  return Buffer.byteLength(lastLine);
}

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
  journal = join(dir, journalFileName);
});

afterEach(async () => {
  await cleanup();
});

describe('a torn last line (a crash mid-write) is dropped and cut off', () => {
  it.each([
    ['only its newline', (_line: number) => 1],
    ['its newline and closing brace', (_line: number) => 2],
    ['half of it', (line: number) => Math.floor(line / 2)],
    ['all but its first byte', (line: number) => line - 1],
  ])('losing %s', async (_label, bytesToCut) => {
    const lastLineBytes = await writeJournal();
    const fullBytes = (await stat(journal)).size;
    await truncate(journal, fullBytes - bytesToCut(lastLineBytes));

    const ledger = await openLedger(dir);
    expect(ledger.loadReport.tornTail).toBe(true);
    expect(ledger.loadReport.corruptLines).toBe(0);
    expect(ledger.size).toBe(labels.length - 1);
    expect(ledger.has(shaOf('last'))).toBe(false);
    for (const label of labels.slice(0, -1)) expect(ledger.has(shaOf(label))).toBe(true);
    // Cut back to the last good newline before anything is appended.
    expect((await stat(journal)).size).toBe(fullBytes - lastLineBytes);

    await ledger.record([{ entry: entryFor('after the crash') }]);
    await ledger.close();
    const text = await readFile(journal, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    for (const line of text.split('\n').filter((l) => l !== '')) expect(() => JSON.parse(line)).not.toThrow();

    const again = await openLedger(dir, { readOnly: true });
    expect(again.loadReport).toEqual({ lines: labels.length, corruptLines: 0, tornTail: false });
    expect(again.has(shaOf('after the crash'))).toBe(true);
  });

  it('treats a cut exactly at a line boundary as no tear at all', async () => {
    const lastLineBytes = await writeJournal();
    await truncate(journal, (await stat(journal)).size - lastLineBytes);
    const ledger = await openLedger(dir, { readOnly: true });
    expect(ledger.loadReport).toEqual({ lines: labels.length - 1, corruptLines: 0, tornTail: false });
  });

  it('drops a complete last line that is not JSON', async () => {
    await writeJournal();
    const goodBytes = (await stat(journal)).size;
    await appendFile(journal, '{"sha256":"garbage\n');
    const ledger = await openLedger(dir);
    expect(ledger.loadReport.tornTail).toBe(true);
    expect(ledger.size).toBe(labels.length);
    expect((await stat(journal)).size).toBe(goodBytes);
    await ledger.close();
  });

  it('opens a torn tail read-only without touching the file', async () => {
    await writeJournal();
    const tornBytes = (await stat(journal)).size - 3;
    await truncate(journal, tornBytes);
    const ledger = await openLedger(dir, { readOnly: true });
    expect(ledger.loadReport.tornTail).toBe(true);
    expect(ledger.size).toBe(labels.length - 1);
    expect((await stat(journal)).size).toBe(tornBytes);
  });

  it('keeps a copy of an unreadable tail longer than a torn line before cutting it off', async () => {
    await writeJournal();
    const goodBytes = (await stat(journal)).size;
    const garbage = Buffer.alloc(10_000, 0); // what a power cut can leave: a run of zero bytes
    await appendFile(journal, garbage);
    const ledger = await openLedger(dir);
    await ledger.close();
    const copies = (await readdir(dir)).filter((name) => name.startsWith(`${journalFileName}.dropped-`));
    expect(copies).toHaveLength(1);
    expect(await readFile(join(dir, copies[0] ?? ''))).toEqual(garbage);
    expect((await stat(journal)).size).toBe(goodBytes);
  });
});

describe('a corrupt line in the middle', () => {
  it('is skipped and counted, and everything around it is kept', async () => {
    await writeJournal();
    const lines = (await readFile(journal, 'utf8')).split('\n');
    lines.splice(3, 0, 'this line was damaged', '{"sha256":"short","forwardedAt":"x"}');
    await writeFile(journal, lines.join('\n'));

    const ledger = await openLedger(dir);
    expect(ledger.loadReport).toEqual({ lines: labels.length + 2, corruptLines: 2, tornTail: false });
    expect(ledger.size).toBe(labels.length);
    await ledger.record([{ entry: entryFor('next') }]);
    await ledger.close();

    const again = await openLedger(dir, { readOnly: true });
    expect(again.size).toBe(labels.length + 1);
    expect(again.loadReport.corruptLines).toBe(2);
  });

  it('refuses a journal written in a newer format, naming the file', async () => {
    await writeFile(journal, '{"ledger":"series3-watcher","version":2}\n');
    await expect(openLedger(dir)).rejects.toThrow(`${journal} has format version 2`);
    // The refused open released its lock: a compatible journal opens again.
    await writeFile(journal, '');
    const ledger = await openLedger(dir);
    await ledger.close();
  });
});

describe('a write that fails half-way (a full disk)', () => {
  it('rejects that record(), cuts the half line off, and writes its line with the next append', async () => {
    const ledger = await openLedger(dir);
    await ledger.record([{ entry: entryFor('before') }]);
    const probe = await open(journal, 'r');
    type WriteBytes = (this: FileHandle, buffer: Buffer, offset: number, length: number) => Promise<unknown>;
    const prototype = Object.getPrototypeOf(probe) as { write: WriteBytes };
    await probe.close();
    const realWrite = prototype.write;
    const write = vi.spyOn(prototype, 'write').mockImplementationOnce(async function (this: FileHandle, buffer, offset, length) {
      await realWrite.call(this, buffer, offset, Math.floor(length / 2));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    });
    try {
      await expect(ledger.record([{ entry: entryFor('lost') }])).rejects.toThrow(`the disk holding STATE_DIR ${dir} is full`);
    } finally {
      write.mockRestore();
    }
    await ledger.record([{ entry: entryFor('after') }]);
    await ledger.close();

    const again = await openLedger(dir, { readOnly: true });
    expect(again.loadReport).toEqual({ lines: 3, corruptLines: 0, tornTail: false });
    expect(again.has(shaOf('before'))).toBe(true);
    expect(again.has(shaOf('lost'))).toBe(true);
    expect(again.has(shaOf('after'))).toBe(true);
  });
});
