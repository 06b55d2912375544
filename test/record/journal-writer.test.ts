// The journal writer's rules (journal-writer.ts): opening writes a header into a new journal and
// repairs a torn one, jobs run in queue order, appends issued together share one fsync, a failed
// append's lines are written first next time, when a compaction is due, and the lost-lock wording.
import { open as openFile, readFile, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { headerLine, journalFileName } from '../../src/record/journal-reader.js';
import {
  appendLines,
  autoCompactDue,
  closeWriter,
  compactMinLines,
  lockProblem,
  openJournalWriter,
  runExclusive,
} from '../../src/record/journal-writer.js';
import type { JournalWriter } from '../../src/record/journal-writer.js';
import { RecordWriteError } from '../../src/record/write-problem.js';
import { makeTempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
let journal: string;
let writer: JournalWriter | undefined;

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
  journal = join(dir, journalFileName);
});

afterEach(async () => {
  if (writer !== undefined) await closeWriter(writer).catch(() => undefined);
  writer = undefined;
  await cleanup();
});

async function openWriter(): Promise<JournalWriter> {
  writer = (await openJournalWriter(dir, journal, undefined)).writer;
  return writer;
}

async function handlePrototype(): Promise<{ write: FileHandle['write']; datasync: FileHandle['datasync'] }> {
  const probe = await openFile(journal, 'r');
  const prototype = Object.getPrototypeOf(probe) as { write: FileHandle['write']; datasync: FileHandle['datasync'] };
  await probe.close();
  return prototype;
}

describe('item 3: opening the journal for writing', () => {
  it('writes the header into a new journal and counts from there', async () => {
    const opened = await openWriter();
    expect(await readFile(journal, 'utf8')).toBe(headerLine());
    expect(opened.goodBytes).toBe(headerLine().length);
    expect(opened.journalLines).toBe(0);
  });

  it('cuts a torn tail off before the first append, so no line is glued onto it', async () => {
    await writeFile(journal, `${headerLine()}{"sha256":"torn`);
    const opened = await openWriter();
    await appendLines(opened, 'line\n', 1);
    expect(await readFile(journal, 'utf8')).toBe(`${headerLine()}line\n`);
  });
});

describe('item 3: the queue', () => {
  it('runs jobs in the order they were queued, an exclusive job after the appends before it', async () => {
    const opened = await openWriter();
    const order: string[] = [];
    const first = appendLines(opened, 'one\n', 1).then(() => order.push('append one'));
    const middle = runExclusive(opened, async () => {
      order.push('exclusive');
      return (await readFile(journal, 'utf8')).includes('one\n');
    });
    const last = appendLines(opened, 'two\n', 1).then(() => order.push('append two'));
    await Promise.all([first, last]);
    expect(await middle).toBe(true);
    expect(order).toEqual(['append one', 'exclusive', 'append two']);
  });

  it('shares one fsync among appends queued in the same turn', async () => {
    const opened = await openWriter();
    const datasync = vi.spyOn(await handlePrototype(), 'datasync');
    let fsyncs = 0;
    try {
      await Promise.all(Array.from({ length: 20 }, (_, i) => appendLines(opened, `line ${i}\n`, 1)));
      fsyncs = datasync.mock.calls.length;
    } finally {
      datasync.mockRestore();
    }
    expect(fsyncs).toBe(1);
    expect(opened.journalLines).toBe(20);
  });

  it('keeps the lines of a failed append and writes them first with the next one', async () => {
    const opened = await openWriter();
    const write = vi.spyOn(await handlePrototype(), 'write').mockRejectedValueOnce(Object.assign(new Error('no space'), { code: 'ENOSPC' }));
    try {
      await expect(appendLines(opened, 'acknowledged\n', 1)).rejects.toBeInstanceOf(RecordWriteError);
    } finally {
      write.mockRestore();
    }
    expect(opened.problem).toMatch(/is full/);
    expect(opened.unwrittenLines).toBe(1);
    await appendLines(opened, 'next\n', 1);
    expect(await readFile(journal, 'utf8')).toBe(`${headerLine()}acknowledged\nnext\n`);
    expect(opened.problem).toBeNull();
    expect(opened.journalLines).toBe(2);
  });
});

describe('item 3: when a compaction is due', () => {
  it.each([
    ['a short journal, all superseded', compactMinLines - 1, compactMinLines - 1, 0, false],
    ['long enough, exactly half superseded', compactMinLines, compactMinLines / 2, 0, false],
    ['long enough, more than half superseded', compactMinLines, compactMinLines / 2 + 1, 0, true],
    ['after a failed one, below the raised floor', 3000, 2000, 4000, false],
    ['after a failed one, at the raised floor', 4000, 3000, 4000, true],
  ])('%s', (_label, journalLines, wasteLines, autoCompactFloor, due) => {
    expect(autoCompactDue({ journalLines, wasteLines, autoCompactFloor })).toBe(due);
  });
});

describe('item 3: a lost lock', () => {
  it('is told naming STATE_DIR and the reason, and stops appends', async () => {
    const opened = await openWriter();
    expect(lockProblem(opened)).toBeNull();
    opened.lockState.lostReason = 'the lock was lost (test)';
    expect(lockProblem(opened)).toBe(
      `the lock was lost (test): this series3-watcher stopped writing the record in STATE_DIR ${dir} ` +
        'so that two agents never write one record; sending is stopped until it holds the lock again',
    );
    await expect(appendLines(opened, 'refused\n', 1)).rejects.toThrow(/stopped writing the record/);
    expect(await readFile(journal, 'utf8')).toBe(headerLine());
    opened.lockState.lostReason = null;
  });
});
