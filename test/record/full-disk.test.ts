import { execFileSync } from 'node:child_process';
import { mkdtemp, open, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openLedger, RecordWriteError } from '../../src/record/index.js';
import { describeWriteFailure } from '../../src/record/write-problem.js';
import { entryFor, shaOf } from './helpers.js';

// A real full disk: a 256 KB tmpfs. Mounting needs root on Linux; elsewhere (win32, a user
// without root, a container that forbids mounts) the test is skipped, saying so.
const mountPoint = await mkdtemp(join(tmpdir(), 'series3-full-disk-'));
const cannotMount = tryMount(mountPoint);

function tryMount(path: string): string | null {
  if (process.platform !== 'linux') return `needs Linux to mount a tmpfs (this is ${process.platform})`;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', path], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return `cannot mount a tmpfs here (${(error as Error).message.split('\n')[0] ?? ''})`;
  }
}

afterAll(async () => {
  // Lazy: a failed test may have left the ledger (and its lock heartbeat) open on it.
  if (cannotMount === null) execFileSync('umount', ['-l', mountPoint]);
  await rmdir(mountPoint);
});

/** Fills the disk to the last byte with one file; returns its path. */
async function fillDisk(folder: string): Promise<string> {
  const path = join(folder, 'filler');
  const handle = await open(path, 'w');
  const chunk = Buffer.alloc(4096, 1);
  try {
    for (;;) await handle.write(chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    await handle.close();
  }
  return path;
}

// Enough lines to need new blocks: a short line may still fit in the journal's last block.
const batchOf = (label: string) => Array.from({ length: 40 }, (_, index) => ({ entry: entryFor(`${label} ${index}`) }));

describe.skipIf(cannotMount !== null)(`item 1: a full STATE_DIR${cannotMount === null ? '' : ` (skipped: ${cannotMount})`}`, () => {
  it('item 1: a full STATE_DIR is named in writeProblem and every rejection; acknowledged lines are written once space is freed', async () => {
    const stateDir = join(mountPoint, 'state');
    const ledger = await openLedger(stateDir);
    await ledger.record([{ entry: entryFor('before') }]);
    expect(ledger.writeProblem).toBeNull();
    const filler = await fillDisk(mountPoint);

    const full = `the disk holding STATE_DIR ${stateDir} is full; free some space: sending is stopped until the record can be written`;
    const failed = ledger.record(batchOf('acknowledged while full'));
    await expect(failed).rejects.toBeInstanceOf(RecordWriteError);
    await expect(failed).rejects.toMatchObject({ kind: 'record-write', dir: stateDir, message: full });
    expect(ledger.writeProblem).toBe(full);
    // Still full: a flush and the pass's check keep failing and keep saying so.
    await expect(ledger.flush()).rejects.toMatchObject({ kind: 'record-write', message: full });
    expect(await ledger.checkJournal()).toEqual({ kind: 'ok' });
    expect(ledger.writeProblem).toBe(full);

    await rm(filler);
    // The next pass's check retries what failed: the problem clears without a new delivery.
    expect(await ledger.checkJournal()).toEqual({ kind: 'ok' });
    expect(ledger.writeProblem).toBeNull();
    await ledger.record([{ entry: entryFor('after') }]);
    await ledger.close();

    const again = await openLedger(stateDir, { readOnly: true });
    expect(again.loadReport).toMatchObject({ corruptLines: 0, tornTail: false });
    expect(again.has(shaOf('before'))).toBe(true);
    for (const { entry } of batchOf('acknowledged while full')) expect(again.has(entry.sha256)).toBe(true);
    expect(again.has(shaOf('after'))).toBe(true);
    await rm(stateDir, { recursive: true });
  });

  it('item 1: a flush after space is freed writes the lines that failed, and resolves', async () => {
    const stateDir = join(mountPoint, 'state-flush');
    const ledger = await openLedger(stateDir);
    const filler = await fillDisk(mountPoint);
    await expect(ledger.record(batchOf('waiting'))).rejects.toMatchObject({ kind: 'record-write' });
    await rm(filler);
    await ledger.flush();
    expect(ledger.writeProblem).toBeNull();
    await ledger.close();
    const again = await openLedger(stateDir, { readOnly: true });
    for (const { entry } of batchOf('waiting')) expect(again.has(entry.sha256)).toBe(true);
    await rm(stateDir, { recursive: true });
  });
});

describe.skipIf(cannotMount !== null)(`item 1: started on a full disk${cannotMount === null ? '' : ` (skipped: ${cannotMount})`}`, () => {
  it('item 1: an agent started on a full STATE_DIR opens its record, and its first write says the disk is full', async () => {
    const stateDir = join(mountPoint, 'state-start');
    const first = await openLedger(stateDir);
    await first.record([{ entry: entryFor('before') }]);
    await first.close();
    const filler = await fillDisk(mountPoint);
    try {
      const ledger = await openLedger(stateDir);
      expect(ledger.has(shaOf('before'))).toBe(true);
      await expect(ledger.record(batchOf('first after start'))).rejects.toMatchObject({
        kind: 'record-write',
        message: expect.stringContaining(`the disk holding STATE_DIR ${stateDir} is full`),
      });
      await rm(filler);
      await ledger.close();
    } finally {
      await rm(filler, { force: true });
      await rm(stateDir, { recursive: true });
    }
  });
});

describe('item 1: what a technician reads when the record cannot be written', () => {
  const stateDir = 'C:\\ProgramData\\series3-watcher';
  it.each([
    ['ENOSPC', `the disk holding STATE_DIR ${stateDir} is full; free some space`],
    ['EACCES', `series3-watcher is not allowed to write in STATE_DIR ${stateDir} (permission denied)`],
    ['EPERM', `series3-watcher is not allowed to write in STATE_DIR ${stateDir} (permission denied)`],
    ['EROFS', `the disk holding STATE_DIR ${stateDir} is read-only`],
    ['ENOENT', `the folder STATE_DIR ${stateDir} is gone`],
    ['EIO', `cannot write the record in STATE_DIR ${stateDir} (EIO: i/o error, write)`],
  ])('%s', (code, start) => {
    const message = describeWriteFailure(stateDir, Object.assign(new Error(`${code}: i/o error, write`), { code }));
    expect(message.startsWith(start)).toBe(true);
    expect(message.endsWith('sending is stopped until the record can be written')).toBe(true);
  });
});
