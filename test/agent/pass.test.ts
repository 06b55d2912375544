// The pass's own rules, end to end: real files in a temp ACH folder, the real record, a real
// receiver on 127.0.0.1. Each `it` names the rule (and the issue item) it proves.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createAgent, createMemoryLogger, runOnce } from '../../src/agent/index.js';
import { waitFor } from '../support/fixtures.js';
import { openLedger } from '../../src/record/index.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { makeSite, testConfig, writeAged, writeEvent, type Site } from '../support/fixtures.js';
import type { Config } from '../../src/config/types.js';

let site: Site;
let receiver: Receiver;

beforeEach(async () => {
  site = await makeSite();
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
  await site.cleanup();
});

const config = (overrides: Partial<Config> = {}): Config => testConfig(site, { sfmUrl: receiver.url, ...overrides });
const posts = (): number => receiver.requests.filter((r) => r.method === 'POST').length;
const isRoot = process.getuid?.() === 0;
const cliPath = resolve('dist/src/cli/main.js');

describe('item 7: the same content under two names is sent once, whatever the concurrency', () => {
  it('a twin waits for the upload of its content in flight, then counts as already delivered', async () => {
    const bytes = randomBytes(4400);
    for (const name of ['M529LK44.AB0', 'M529LK45.AB0', 'M529LK46.AB0']) await writeAged(site.watchDir, name, bytes, 600);
    receiver.behave(() => ({ kind: 'delay', ms: 300 }));
    const outcome = await runOnce(config({ concurrency: 4 }), { log: createMemoryLogger() });
    expect(posts()).toBe(1);
    expect(outcome).toMatchObject({ forwarded: 1, alreadyDelivered: 2, errors: 0, pending: 0 });
  });
});

describe('item 2: an event that can never be read is named, not left waiting in silence', () => {
  // A file this user may not read. Root reads everything, so as root the CLI runs as "nobody".
  const asNobody = isRoot ? { uid: 65534, gid: 65534 } : {};

  async function unreadableSite(): Promise<{ configPath: string }> {
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
    await writeEvent(site.watchDir, 'S353L4H0.3M0W', { report: true, ageSeconds: 900 });
    await chmod(join(site.watchDir, 'S353L4H0.3M0W'), 0o000);
    const configPath = join(site.root, 'config.ini');
    await writeFile(
      configPath,
      [
        '[watcher]',
        `SERIES3_PATH = ${site.watchDir}`,
        `STATE_DIR = ${site.stateDir}`,
        'SFM_FORWARD_ENABLED = true',
        `SFM_URL = ${receiver.url}`,
        'SFM_QUIESCENCE_SECONDS = 0.2',
        'SFM_MISSING_REPORT_GRACE_SECONDS = 1',
        '',
      ].join('\n'),
    );
    if (isRoot) {
      await mkdir(site.stateDir, { recursive: true });
      execFileSync('chown', ['-R', '65534:65534', site.stateDir]);
      await chmod(site.root, 0o755);
      await chmod(site.watchDir, 0o755);
    }
    return { configPath };
  }

  function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((done, fail) => {
      const child = spawn(process.execPath, [cliPath, ...args], { ...asNobody, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', fail);
      child.on('close', (code) => done({ code, stdout, stderr }));
    });
  }

  it('once sends the rest, names the file and the reason, exits 1; status and the log say so too', async () => {
    const { configPath } = await unreadableSite();
    const result = await cli(['once', '--config', configPath]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/cannot send: S353L4H0\.3M0W cannot be sent: .*S353L4H0\.3M0W cannot be read \(permission denied\)/);
    expect(posts()).toBe(1);

    const status = await cli(['status', '--config', configPath, '--json']);
    const json = JSON.parse(status.stdout.trim().split('\n').at(-1)!) as { problems: string[] };
    expect(json.problems.join('\n')).toMatch(/S353L4H0\.3M0W cannot be sent: .*permission denied/);
    const log = await readFile(join(site.stateDir, 'series3-watcher.log'), 'utf8');
    expect(log.match(/S353L4H0\.3M0W cannot be sent/g)).toHaveLength(1);
  });

  it('--dry-run does not promise to send it: it waits as unreadable, with the reason, exit 1', async () => {
    const { configPath } = await unreadableSite();
    const result = await cli(['once', '--dry-run', '--config', configPath]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/would send {2}M529LK44\.AB0/);
    expect(result.stdout).not.toMatch(/would send {2}S353L4H0\.3M0W/);
    expect(result.stdout).toMatch(/waits {6}S353L4H0\.3M0W {2}cannot be read.*permission denied/);
  });

  it('the running agent logs it once per file, not every pass, and shows it as a problem while it lasts', async () => {
    const { configPath } = await unreadableSite();
    const child = spawn(process.execPath, [cliPath, 'run', '--config', configPath], { ...asNobody, stdio: 'ignore' });
    try {
      const statusPath = join(site.stateDir, 'status.json');
      const deadline = Date.now() + 8000;
      let problems: string[] = [];
      while (Date.now() < deadline) {
        problems = await readFile(statusPath, 'utf8').then((t) => (JSON.parse(t) as { problems: string[] }).problems, () => []);
        if (problems.length > 0 && posts() > 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(problems.join('\n')).toMatch(/S353L4H0\.3M0W cannot be sent/);
    } finally {
      child.kill('SIGINT');
      await new Promise((r) => child.on('close', r));
    }
    const log = await readFile(join(site.stateDir, 'series3-watcher.log'), 'utf8');
    expect(log.match(/S353L4H0\.3M0W cannot be sent/g)).toHaveLength(1);
  });

});

describe('item 1: a record that cannot be written stops sending', () => {
  // STATE_DIR on a real 256 KB tmpfs with 8 KB free (Linux, root: mount). Elsewhere skipped.
  const canMount = isRoot && process.platform === 'linux';
  let mountPoint = '';

  afterEach(() => {
    if (mountPoint !== '') execFileSync('umount', ['-l', mountPoint]);
    mountPoint = '';
  });

  it.skipIf(!canMount)('a full STATE_DIR: no new upload starts, once exits 1 naming STATE_DIR, and after space is freed only in-flight uploads go again', async () => {
    mountPoint = join(site.root, 'small-disk');
    await mkdir(mountPoint);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mountPoint]);
    const stateDir = join(mountPoint, 'state');
    await mkdir(stateDir);
    // Fill it to 8 KB from full.
    await writeFile(join(mountPoint, 'filler'), Buffer.alloc(256 * 1024 - 12 * 1024));
    for (let i = 0; i < 200; i++) await writeEvent(site.watchDir, `M${String(i).padStart(3, '0')}LK44.AB0`, { report: false, ageSeconds: 900 + i });
    const cfg = config({ stateDir, logFile: join(site.root, 'series3-watcher.log'), concurrency: 4 });

    const first = await runOnce(cfg, { log: createMemoryLogger() });
    expect(first.recordProblem).toMatch(new RegExp(stateDir.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')));
    expect(first.recordProblem).toMatch(/full|no space/i);
    expect(first.stoppedEarly).toBe(true);
    const sentBefore = posts();
    expect(sentBefore).toBeLessThan(200);
    const ledger = await openLedger(stateDir, { readOnly: true });
    const recorded = ledger.size;
    await ledger.close();
    // At most the uploads in flight when the write failed were not recorded: those on the wire
    // (up to SFM_CONCURRENCY) and those acknowledged whose line was being written (as many again).
    const inFlightMax = 2 * cfg.concurrency;
    expect(sentBefore - recorded).toBeLessThanOrEqual(inFlightMax);

    await rm(join(mountPoint, 'filler'));
    const second = await runOnce(cfg, { log: createMemoryLogger() });
    expect(second.recordProblem).toBeNull();
    expect(receiver.received()).toHaveLength(200);
    // Sent twice: at most those in flight when the disk filled.
    expect(posts() - 200).toBeLessThanOrEqual(inFlightMax);
  });

  it.skipIf(!canMount)('in run: the status shows the reason (the tray: failing), and sending resumes by itself once space is freed', async () => {
    mountPoint = join(site.root, 'small-disk');
    await mkdir(mountPoint);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mountPoint]);
    const stateDir = join(mountPoint, 'state');
    const cfg = config({ stateDir, logFile: join(site.root, 'series3-watcher.log'), concurrency: 2 });
    const agent = createAgent(cfg, { log: createMemoryLogger(), watch: false, statusFile: false, folderRetryMs: 200 });
    await agent.start();
    try {
      await writeFile(join(mountPoint, 'filler'), Buffer.alloc(256 * 1024 - 16 * 1024));
      for (let i = 0; i < 150; i++) await writeEvent(site.watchDir, `M${String(i).padStart(3, '0')}LK44.AB0`, { report: false, ageSeconds: 900 + i });
      agent.forwardNow();
      const failing = await waitFor(() => (agent.status().problems.some((p) => /STATE_DIR/.test(p)) ? agent.status() : null), 'the record problem');
      expect(failing!.problems.join('\n')).toMatch(/no space|full/i);
      const sentWhileFull = posts();
      await new Promise((r) => setTimeout(r, 600));
      // Passes keep probing the record, but no upload starts while it cannot be written.
      expect(posts()).toBe(sentWhileFull);

      await rm(join(mountPoint, 'filler'));
      const done = await waitFor(() => (receiver.received().length === 150 && agent.status().problems.length === 0 ? agent.status() : null), 'all 150 delivered');
      expect(done!.problems).toEqual([]);
      expect(posts() - 150).toBeLessThanOrEqual(2 * cfg.concurrency);
    } finally {
      await agent.stop();
    }
  });
});
