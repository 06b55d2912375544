import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LedgerLockedError, lockFileName, openLedger } from '../../src/record/index.js';
import { entryFor, makeTempDir, shaOf } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
let lockPath: string;
const children: ChildProcess[] = [];

/** A pid that was alive a moment ago and is not now. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  if (child.pid === undefined) throw new Error('could not start a child process');
  return child.pid;
}

function livingOtherProcess(): number {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
  children.push(child);
  if (child.pid === undefined) throw new Error('could not start a child process');
  return child.pid;
}

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
  lockPath = join(dir, lockFileName);
});

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await cleanup();
});

describe('one writer per STATE_DIR', () => {
  it('writes our pid into the lock file while open and removes it on close', async () => {
    const ledger = await openLedger(dir);
    expect((await readFile(lockPath, 'utf8')).trim()).toBe(String(process.pid));
    await ledger.close();
    expect(await readdir(dir)).not.toContain(lockFileName);
  });

  it('refuses a second writer with an error naming STATE_DIR and the pid', async () => {
    const first = await openLedger(dir);
    const refusal = openLedger(dir);
    await expect(refusal).rejects.toBeInstanceOf(LedgerLockedError);
    await expect(refusal).rejects.toMatchObject({ kind: 'locked', dir, pid: process.pid });
    await expect(refusal).rejects.toThrow(`another series3-watcher (pid ${process.pid}) is using ${dir}; stop it first`);
    await first.close();
  });

  it('refuses while another living process holds the lock, and leaves its lock alone', async () => {
    const pid = livingOtherProcess();
    await writeFile(lockPath, `${pid}\n`);
    await expect(openLedger(dir)).rejects.toThrow(`another series3-watcher (pid ${pid}) is using ${dir}`);
    expect((await readFile(lockPath, 'utf8')).trim()).toBe(String(pid));
  });

  it.each([
    ['a pid that is no longer alive', async () => `${await deadPid()}\n`],
    ['no pid at all', async () => 'not a pid'],
    // Pids repeat after a reboot: our own pid, not held by us, is a leftover.
    ['our own pid from an earlier life', async () => `${process.pid}\n`],
  ])('takes over a stale lock holding %s', async (_label, content) => {
    await writeFile(lockPath, await content());
    const ledger = await openLedger(dir);
    expect((await readFile(lockPath, 'utf8')).trim()).toBe(String(process.pid));
    await ledger.record([{ entry: entryFor('after takeover') }]);
    await ledger.close();
  });

  it('lets a reader open read-only while a writer holds the lock', async () => {
    const writer = await openLedger(dir);
    await writer.record([{ entry: entryFor('visible') }]);
    const reader = await openLedger(dir, { readOnly: true });
    expect(reader.has(shaOf('visible'))).toBe(true);
    await reader.close();
    // Closing the reader did not release the writer's lock.
    expect((await readFile(lockPath, 'utf8')).trim()).toBe(String(process.pid));
    await expect(openLedger(dir)).rejects.toBeInstanceOf(LedgerLockedError);
    await writer.close();
  });

  it('can be opened again after close', async () => {
    const first = await openLedger(dir);
    await first.close();
    const second = await openLedger(dir);
    await second.close();
  });
});
