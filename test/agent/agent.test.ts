// The running agent: watcher-driven passes, the back-off during an outage, pause, status, stop.
// Time is a fake clock (issue 9 item 2): the scheduler, the watcher's debounce, the back-off and
// the status file all run on it, so the tests drive time instead of sleeping; files, the record
// and the receiver stay real. File times are real too: the fake clock starts at the real time.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, rm } from 'node:fs/promises';
import { createAgent, createMemoryLogger, readStatusFile, type Agent } from '../../src/agent/index.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { makeSite, testConfig, writeEvent, type Site } from '../support/fixtures.js';
import type { Config } from '../../src/config/types.js';
import { createFakeClock, drive, driveUntil, type FakeClock } from './fake-clock.js';
import { glanceState } from '../../src/agent/status-view.js';

let site: Site;
let receiver: Receiver;
let agent: Agent | null = null;
let clock: FakeClock;

beforeEach(async () => {
  site = await makeSite();
  receiver = await startReceiver();
  clock = createFakeClock(Date.now());
});
afterEach(async () => {
  await agent?.stop();
  agent = null;
  await receiver.close();
  await site.cleanup();
});

const config = (overrides: Partial<Config> = {}): Config =>
  testConfig(site, { sfmUrl: receiver.url, scanIntervalSeconds: 60, ...overrides });

async function startAgent(overrides: Partial<Config> = {}): Promise<Agent> {
  agent = createAgent(config(overrides), { log: createMemoryLogger(), folderRetryMs: 300, clock });
  await agent.start();
  return agent;
}

const posts = (): number => receiver.requests.filter((r) => r.method === 'POST').length;
/** Seconds from the fake clock's now back to the real one: a file "written now" on the fake clock. */
const fakeNowAge = (): number => (Date.now() - clock.now()) / 1000;

describe('the running agent', () => {
  it('sends a new event soon after it settles, without waiting for the pass interval', async () => {
    const running = await startAgent({ quiescenceSeconds: 0.5, missingReportGraceSeconds: 30 });
    await driveUntil(clock, () => running.status().lastPass !== null, 'the first pass');
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true, ageSeconds: fakeNowAge() });
    const written = clock.now();
    // The watcher's hint comes, but the event is not quiet yet: nothing goes before 0.5 s.
    await drive(clock, 400);
    expect(posts()).toBe(0);
    await driveUntil(clock, () => posts() === 1, 'the new event to be delivered', { maxFakeMs: 5000 });
    expect(clock.now() - written).toBeGreaterThanOrEqual(500);
    expect(clock.now() - written).toBeLessThan(60_000);
    expect(receiver.requests[0]!.files.map((f) => f.filename)).toEqual(['M529LK44.AB0', 'M529LK44.AB0.TXT']);
    await driveUntil(clock, () => running.status().deliveredTotal === 1, 'the status to count it');
  });

  it('backs off the whole server during an outage and resumes when it is back', async () => {
    for (let i = 0; i < 40; i++) await writeEvent(site.watchDir, `M529L${String(i).padStart(3, '0')}.AB0`, { report: true });
    receiver.behave(() => ({ kind: 'status', status: 503, body: 'down' }));
    const running = await startAgent({ retryBaseSeconds: 0.2, retryMaxSeconds: 0.8, concurrency: 4 });
    await drive(clock, 2500);
    // 2.5 s of outage with a 0.2 -> 0.8 s back-off: the first pass's 4 uploads in flight, then
    // one lone probe per back-off step (at least 0.1, 0.2, 0.4, 0.4 ... s apart: at most 7),
    // not 40 failed uploads per pass.
    const during = posts();
    expect(during).toBeGreaterThan(1);
    expect(during).toBeLessThanOrEqual(4 + 7 + 2);
    const status = running.status();
    expect(status.serverReachable).toBe(false);
    expect(status.lastFailureReason).toMatch(/HTTP 503/);
    expect(status.failingSince).not.toBeNull();
    expect(status.waiting).toBe(40);

    receiver.behave(() => ({ kind: 'ok' }));
    await driveUntil(clock, () => running.status().deliveredTotal === 40, 'the backlog to drain after the outage', { maxFakeMs: 8000 });
    expect(running.status()).toMatchObject({ serverReachable: true, failingSince: null, waiting: 0 });
  });

  it('honours Retry-After', async () => {
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
    receiver.behave((_request, index) =>
      index === 0 ? { kind: 'status', status: 429, body: 'slow down', headers: { 'Retry-After': '2' } } : { kind: 'ok' },
    );
    const running = await startAgent({ retryBaseSeconds: 0.05, retryMaxSeconds: 0.1 });
    await driveUntil(clock, () => posts() === 1, 'the first try');
    const firstAt = clock.now();
    await drive(clock, 1900);
    expect(posts()).toBe(1);
    await driveUntil(clock, () => running.status().deliveredTotal === 1, 'the retry to deliver it', { maxFakeMs: 8000 });
    expect(clock.now() - firstAt).toBeGreaterThanOrEqual(2000);
  });

  it('sends nothing while paused and catches up on resume', async () => {
    const running = await startAgent();
    await driveUntil(clock, () => running.status().lastPass !== null, 'the first pass');
    running.pause();
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
    running.forwardNow();
    await drive(clock, 800);
    expect(posts()).toBe(0);
    expect(running.status().paused).toBe(true);
    running.resume();
    await driveUntil(clock, () => posts() === 1, 'delivery after resume');
  });

  it('watches and reports but sends nothing while forwarding is off', async () => {
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
    const running = await startAgent({ forwardEnabled: false });
    await driveUntil(clock, () => running.status().lastPass !== null, 'the first pass');
    await drive(clock, 300);
    expect(posts()).toBe(0);
    expect(running.status()).toMatchObject({ forwardEnabled: false, waiting: 1 });
  });

  it('keeps a status file other processes can read, and flushes on stop', async () => {
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
    const running = await startAgent();
    await driveUntil(clock, () => running.status().deliveredTotal === 1, 'delivery');
    let written = await readStatusFile(site.stateDir);
    await driveUntil(clock, async () => (written = await readStatusFile(site.stateDir))?.deliveredTotal === 1, 'the status file');
    expect(written).toMatchObject({ running: true, pid: process.pid, forwardEnabled: true, waiting: 0 });
    await running.stop();
    agent = null;
    expect(await readStatusFile(site.stateDir)).toMatchObject({ running: false, deliveredTotal: 1 });

    // A restart sends nothing again.
    const again = await startAgent();
    await driveUntil(clock, () => again.status().lastPass !== null, 'the pass after the restart');
    expect(posts()).toBe(1);
  });

  it('applies new settings without a restart', async () => {
    const running = await startAgent({ forwardEnabled: false });
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
    await drive(clock, 300);
    expect(posts()).toBe(0);
    await running.applyConfig(config({ forwardEnabled: true }));
    await driveUntil(clock, () => posts() === 1, 'delivery after forwarding was turned on');
  });

  it('seeds from the running agent: preview first, then mark, and nothing is sent', async () => {
    const running = await startAgent({ forwardEnabled: false });
    for (let i = 0; i < 5; i++) await writeEvent(site.watchDir, `M529L${String(i).padStart(3, '0')}.AB0`, { report: true });
    expect(await running.seedPreview()).toMatchObject({ scanned: 5, wouldSeed: 5, seeded: 0 });
    expect(await running.seed()).toMatchObject({ scanned: 5, seeded: 5 });
    const passes = (): string | undefined => running.status().lastPass?.startedAt;
    const before = passes();
    await running.applyConfig(config({ forwardEnabled: true }));
    await driveUntil(clock, () => passes() !== before, 'the pass after the new settings');
    expect(posts()).toBe(0);
    expect(running.status().deliveredTotal).toBe(5);
  });

  it('survives the watch folder vanishing, says so, and watches it again when it comes back', async () => {
    const running = await startAgent();
    await driveUntil(clock, () => running.status().lastPass !== null, 'the first pass');
    await rm(site.watchDir, { recursive: true });
    await driveUntil(clock, () => running.status().problems.some((p) => p.includes(site.watchDir)), 'the missing folder to show');
    await mkdir(site.watchDir);
    await driveUntil(clock, () => running.status().problems.length === 0, 'the folder to be found again');
    await drive(clock, 300);
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true, ageSeconds: fakeNowAge() });
    await driveUntil(clock, () => posts() === 1, 'an event in the folder that came back', { maxFakeMs: 5000 });
  });

  it('issue 10: an event refused for good is held back, not "uploads failing"; dismissed, the glance is all delivered again', async () => {
    await writeEvent(site.watchDir, 'B000BADD.AB0', { report: true });
    receiver.behave(() => ({ kind: 'row', status: 'error', detail: 'unsupported format' }));
    const running = await startAgent({ holdBackAfterFailures: 1 });
    await driveUntil(clock, () => running.status().heldBack.length === 1 && running.status().lastPass !== null, 'the event to be held back');
    expect(running.status()).toMatchObject({ failingSince: null, serverReachable: true, waiting: 0 });
    expect(glanceState(running.status())).toBe('failing');
    expect(await running.dismissHeldBack(['B000BADD.AB0'])).toEqual({ changed: ['B000BADD.AB0'], notHeldBack: [] });
    expect(running.status().heldBack).toEqual([expect.objectContaining({ filename: 'B000BADD.AB0', dismissed: true, refusals: 1 })]);
    expect(glanceState(running.status())).toBe('ok');
    running.forwardNow();
    await drive(clock, 500);
    expect(posts()).toBe(1); // dismissed stays out of the queue
  });

  it('shows held-back events with their reason and releases them on request', async () => {
    await writeEvent(site.watchDir, 'B000BADD.AB0', { report: true });
    receiver.behave(() => ({ kind: 'row', status: 'error', detail: 'unsupported format' }));
    const running = await startAgent({ holdBackAfterFailures: 1 });
    await driveUntil(clock, () => running.status().heldBack.length === 1, 'the event to be held back');
    expect(running.status().heldBack[0]).toMatchObject({ filename: 'B000BADD.AB0', reason: expect.stringMatching(/unsupported format/) });
    receiver.behave(() => ({ kind: 'ok' }));
    await running.retryHeldBack();
    await driveUntil(clock, () => running.status().deliveredTotal === 1, 'delivery after retry');
    expect(running.status()).toMatchObject({ heldBack: [] });
  });
});
