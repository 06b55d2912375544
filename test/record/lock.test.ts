import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rmdir, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LedgerLockedError, lockDirName, lockHolderFileName, openLedger } from '../../src/record/index.js';
import { localDateTime } from '../../src/text/local-time.js';
import { releaseLockOfExited } from '../../src/record/state-lock.js';
import { entryFor, makeTempDir, shaOf } from './helpers.js';

// The holder child runs the compiled ledger; `npm test` builds it first (tsc -p tsconfig.json).
const here = dirname(fileURLToPath(import.meta.url));
const holderScript = join(here, 'fixtures', 'lock-holder.mjs');
const compiledLedger = join(here, '..', '..', 'dist', 'src', 'record', 'index.js');

// The shortest stale time the lock allows: a crashed holder is taken over after about this long.
const lockStaleMs = 2_000;

let dir: string;
let cleanup: () => Promise<void>;
let lockPath: string;
let holderPath: string;
const children: ChildProcess[] = [];

/** Another agent holding STATE_DIR, heartbeat and all, until it is killed. */
async function agentHoldingTheLock(): Promise<ChildProcess & { pid: number }> {
  if (!existsSync(compiledLedger)) {
    throw new Error(`${compiledLedger} is missing: run \`npm run build\` (or \`npx tsc -p tsconfig.json\`) first`);
  }
  const child = spawn(process.execPath, [holderScript, dir, String(lockStaleMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      if (text.includes('ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`the lock holder ended (code ${String(code)}): ${stderr}`)));
  });
  if (child.pid === undefined) throw new Error('could not start a child process');
  return child as ChildProcess & { pid: number };
}

/** A process that stays alive: stands for the program that got a crashed agent's pid. */
function livingOtherProcess(): number {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
  children.push(child);
  if (child.pid === undefined) throw new Error('could not start a child process');
  return child.pid;
}

async function holderInFile(): Promise<unknown> {
  return JSON.parse(await readFile(holderPath, 'utf8'));
}

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
  lockPath = join(dir, lockDirName);
  holderPath = join(dir, lockHolderFileName);
});

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await cleanup();
});

describe('one writer per STATE_DIR', () => {
  it('keeps the lock and its holder (pid, host, start) while open and removes both on close', async () => {
    const before = Date.now();
    const ledger = await openLedger(dir);
    expect(await readdir(dir)).toEqual(expect.arrayContaining([lockDirName, lockHolderFileName]));
    const holder = (await holderInFile()) as { pid: number; host: string; startedAt: string };
    expect(holder).toMatchObject({ pid: process.pid, host: hostname() });
    expect(Date.parse(holder.startedAt)).toBeGreaterThanOrEqual(before - 1_000);
    await ledger.close();
    const left = await readdir(dir);
    expect(left).not.toContain(lockDirName);
    expect(left).not.toContain(lockHolderFileName);
  });

  it('refuses a second writer in the same process at once, naming STATE_DIR and the holder', async () => {
    const first = await openLedger(dir);
    const refusal = openLedger(dir);
    await expect(refusal).rejects.toBeInstanceOf(LedgerLockedError);
    await expect(refusal).rejects.toMatchObject({ kind: 'locked', dir, pid: process.pid });
    await expect(refusal).rejects.toThrow(`another series3-watcher (pid ${process.pid} on ${hostname()}, started `);
    await expect(refusal).rejects.toThrow(`is using ${dir}; stop it first`);
    // Issue 10 item 8: the start time as the person at this PC reads a time (local, no ISO "T…Z").
    const holder = ((await refusal.catch((err: unknown) => err)) as LedgerLockedError).holder!;
    await expect(refusal).rejects.toThrow(`, started ${localDateTime(holder.startedAt, true)}) is using`);
    await expect(refusal).rejects.toThrow(/started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\)/);
    await first.close();
  });

  it('item 4: two live agents on one STATE_DIR: the second is refused with the holder named, its lock left alone', async () => {
    const other = await agentHoldingTheLock();
    const refusal = openLedger(dir, { lockStaleMs });
    await expect(refusal).rejects.toBeInstanceOf(LedgerLockedError);
    await expect(refusal).rejects.toMatchObject({ kind: 'locked', dir, pid: other.pid, holder: { pid: other.pid, host: hostname() } });
    await expect(refusal).rejects.toThrow(`another series3-watcher (pid ${other.pid} on ${hostname()}, started `);
    expect(await holderInFile()).toMatchObject({ pid: other.pid });
    expect(await readdir(dir)).toContain(lockDirName);
  }, 20_000);

  it('item 4: a SIGKILLed agent whose pid is now a living process is taken over without a person', async () => {
    const crashed = await agentHoldingTheLock();
    crashed.kill('SIGKILL');
    await once(crashed, 'exit');
    // The pid is recycled: the holder now names a process that is alive (Windows, Wine after a restart).
    const recycledPid = livingOtherProcess();
    const holder = (await holderInFile()) as Record<string, unknown>;
    await writeFile(holderPath, JSON.stringify({ ...holder, pid: recycledPid }));

    const startedMs = performance.now();
    const ledger = await openLedger(dir, { lockStaleMs });
    expect(performance.now() - startedMs).toBeLessThan(lockStaleMs * 3);
    expect(await holderInFile()).toMatchObject({ pid: process.pid });
    await ledger.record([{ entry: entryFor('after takeover') }]);
    await ledger.close();
    expect((await openLedger(dir, { readOnly: true })).has(shaOf('after takeover'))).toBe(true);
  }, 20_000);

  it('item 4: a restart right after a crash waits out the staleness and takes over', async () => {
    const crashed = await agentHoldingTheLock();
    crashed.kill('SIGKILL');
    await once(crashed, 'exit');
    const startedMs = performance.now();
    const ledger = await openLedger(dir, { lockStaleMs });
    // It waited (the lock was fresh) rather than failing, and no longer than a stale period or so.
    expect(performance.now() - startedMs).toBeGreaterThan(300);
    expect(performance.now() - startedMs).toBeLessThan(lockStaleMs * 3);
    await ledger.close();
  }, 20_000);

  it('a holder seen to exit (the tray\'s worker) has its lock handed over at once; anyone else\'s lock is left alone', async () => {
    const crashed = await agentHoldingTheLock();
    const other = await releaseLockOfExited(dir, crashed.pid + 1);
    expect(other).toBe(false);
    crashed.kill('SIGKILL');
    await once(crashed, 'exit');
    // A holder file naming that pid on another host is someone else's too.
    const holder = (await holderInFile()) as Record<string, unknown>;
    await writeFile(holderPath, JSON.stringify({ ...holder, host: `not-${hostname()}` }));
    expect(await releaseLockOfExited(dir, crashed.pid)).toBe(false);
    expect(existsSync(lockPath)).toBe(true);
    await writeFile(holderPath, JSON.stringify(holder));

    expect(await releaseLockOfExited(dir, crashed.pid)).toBe(true);
    expect(await readdir(dir)).not.toContain(lockDirName);
    const startedMs = performance.now();
    const ledger = await openLedger(dir, { lockStaleMs: 10_000 });
    // No stale time (10 s) waited out: the lock was free.
    expect(performance.now() - startedMs).toBeLessThan(5_000);
    expect(await holderInFile()).toMatchObject({ pid: process.pid });
    expect(await releaseLockOfExited(dir, crashed.pid)).toBe(false);
    await ledger.close();
  }, 20_000);

  it('item 4: a crashed lock dated in the future (the clock went back) is still taken over', async () => {
    await mkdir(lockPath);
    const future = new Date(Date.now() + 3_600_000);
    await utimes(lockPath, future, future);
    const ledger = await openLedger(dir, { lockStaleMs });
    await ledger.close();
  }, 20_000);

  it('ignores and removes the pid file lock of earlier versions, even naming a living process', async () => {
    await writeFile(join(dir, 'series3-watcher.lock'), `${livingOtherProcess()}\n`);
    const ledger = await openLedger(dir);
    expect(await readdir(dir)).not.toContain('series3-watcher.lock');
    await ledger.close();
  });

  it('item 4: a lock lost while held stops writes with a clear problem instead of crashing, and is taken back', async () => {
    const ledger = await openLedger(dir, { lockStaleMs });
    await ledger.record([{ entry: entryFor('before') }]);
    // Someone removes the lock (a cleaner; STATE_DIR emptied): proper-lockfile's heartbeat notices.
    await rmdir(lockPath);
    await expect.poll(() => ledger.writeProblem, { timeout: 5_000, interval: 100 }).toMatch(/lock .* was lost/);
    expect(ledger.writeProblem).toContain(`STATE_DIR ${dir}`);
    await expect(ledger.record([{ entry: entryFor('while lost') }])).rejects.toMatchObject({ kind: 'record-write' });

    // Nobody wrote the record meanwhile: the next pass takes the lock back and writes what waited.
    expect(await ledger.checkJournal()).toEqual({ kind: 'ok' });
    expect(ledger.writeProblem).toBeNull();
    expect(await readdir(dir)).toContain(lockDirName);
    await ledger.close();
    const again = await openLedger(dir, { readOnly: true });
    expect(again.has(shaOf('while lost'))).toBe(true);
  }, 20_000);

  it('item 4: a lost lock that another agent took meanwhile stays lost, naming that agent', async () => {
    const ledger = await openLedger(dir, { lockStaleMs });
    await ledger.record([{ entry: entryFor('before') }]);
    await rmdir(lockPath);
    await expect.poll(() => ledger.writeProblem, { timeout: 5_000, interval: 100 }).toMatch(/lock .* was lost/);
    const other = await agentHoldingTheLock();

    await expect(ledger.checkJournal()).rejects.toMatchObject({ kind: 'record-write' });
    expect(ledger.writeProblem).toContain(`another series3-watcher (pid ${other.pid} on ${hostname()}`);
    await expect(ledger.record([{ entry: entryFor('refused') }])).rejects.toMatchObject({ kind: 'record-write' });
    // The other agent's lock is untouched.
    expect(await holderInFile()).toMatchObject({ pid: other.pid });
    await ledger.close().catch(() => undefined);
    expect(await readdir(dir)).toContain(lockDirName);
  }, 20_000);

  it('lets a reader open read-only while a writer holds the lock', async () => {
    const writer = await openLedger(dir);
    await writer.record([{ entry: entryFor('visible') }]);
    const reader = await openLedger(dir, { readOnly: true });
    expect(reader.has(shaOf('visible'))).toBe(true);
    await reader.close();
    // Closing the reader did not release the writer's lock.
    expect(await holderInFile()).toMatchObject({ pid: process.pid });
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
