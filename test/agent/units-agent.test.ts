// Item 3: the running agent looks at the units' monitor logs on every pass, with forwarding on or
// off, and its status says which units call in and whether each is ok, late or missing. Real
// files with real modification times (fs.utimes); the agent's clock is a fake one started at the
// real time, so "hours later" is driven, not waited for.
import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgent, createMemoryLogger, readStatusFile, type Agent } from '../../src/agent/index.js';
import { runPass } from '../../src/agent/pass.js';
import { openLedger } from '../../src/record/index.js';
import { createBackoff } from '../../src/upload/index.js';
import { loadHeldBack } from '../../src/agent/held-back.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { makeSite, testConfig, waitFor, writeEvent, writeMonitorLog, type Site } from '../support/fixtures.js';
import type { Config } from '../../src/config/types.js';
import { createFakeClock, driveUntil, type FakeClock } from './fake-clock.js';

let site: Site;
let receiver: Receiver;
let agent: Agent | null = null;
let clock: FakeClock;

beforeEach(async () => {
  site = await makeSite('s3w-units-agent-');
  receiver = await startReceiver();
  clock = createFakeClock(Date.now());
});
afterEach(async () => {
  await agent?.stop();
  agent = null;
  await receiver.close();
  await site.cleanup();
});

const HOUR_S = 3600;
const config = (overrides: Partial<Config> = {}): Config => testConfig(site, { sfmUrl: receiver.url, scanIntervalSeconds: 60, ...overrides });

async function startAgent(overrides: Partial<Config> = {}): Promise<Agent> {
  agent = createAgent(config(overrides), { log: createMemoryLogger(), clock, watch: false });
  await agent.start();
  return agent;
}

describe('item 3: the agent shows the units that call in', () => {
  it.each([false, true])('with forwarding %s: each unit with its newest .MLG, ok / late / missing, and the counts', async (forwardEnabled) => {
    await writeMonitorLog(site.watchDir, 'M529LK44.MLG', 'BE9529', { ageSeconds: 40 * HOUR_S });
    await writeMonitorLog(site.watchDir, 'M529LKA1.MLG', 'BE9529', { ageSeconds: 1 * HOUR_S });
    await writeMonitorLog(site.watchDir, 'S353L4H0.MLG', 'BA3353', { ageSeconds: 13 * HOUR_S });
    await writeMonitorLog(site.watchDir, 'P036L318.MLG', 'BE10036', { ageSeconds: 30 * HOUR_S });
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
    const running = await startAgent({ forwardEnabled });
    await driveUntil(clock, () => running.status().units.scannedAt !== null, 'the first look at the monitor logs');
    const { units } = running.status();
    expect(units.list.map((u) => [u.unit, u.state, u.file])).toEqual([
      ['BE10036', 'missing', 'P036L318.MLG'],
      ['BA3353', 'late', 'S353L4H0.MLG'],
      ['BE9529', 'ok', 'M529LKA1.MLG'],
    ]);
    expect(units.counts).toEqual({ ok: 1, late: 1, missing: 1 });
    expect(Math.abs(Date.parse(units.list[2]!.lastCallIn) - (Date.now() - HOUR_S * 1000))).toBeLessThan(5000);
    // The events are not disturbed: forwarding on sends the event, off counts it as waiting.
    await driveUntil(clock, () => (forwardEnabled ? running.status().deliveredTotal === 1 : running.status().waiting === 1), 'the event to be counted');
    // And the status file, which `series3-watcher status` and the tray read, says the same.
    await driveUntil(clock, async () => (await readStatusFile(site.stateDir))?.units.counts.missing === 1, 'status.json with the units');
  });

  it('a unit turns late, then missing, as the hours pass without a call-in, and ok again when it calls in', async () => {
    await writeMonitorLog(site.watchDir, 'M529LK44.MLG', 'BE9529', { ageSeconds: 11 * HOUR_S });
    const running = await startAgent({ unitLateHours: 12, unitMissingHours: 24, scanIntervalSeconds: 600 });
    await driveUntil(clock, () => running.status().units.scannedAt !== null, 'the first look');
    expect(running.status().units.list[0]?.state).toBe('ok');
    const startMs = clock.now();
    const state = (): string | undefined => running.status().units.list[0]?.state;
    // Late once 12 h have passed since the call-in (1 h from now), seen at the next pass (600 s).
    await driveUntil(clock, () => state() === 'late', 'the unit late', { stepMs: 300_000, maxFakeMs: 3 * HOUR_S * 1000 });
    expect(clock.now() - startMs).toBeGreaterThan(HOUR_S * 1000 - 10_000);
    expect(clock.now() - startMs).toBeLessThan(HOUR_S * 1000 + 1_000_000);
    await driveUntil(clock, () => state() === 'missing', 'the unit missing', { stepMs: 300_000, maxFakeMs: 15 * HOUR_S * 1000 });
    expect(clock.now() - startMs).toBeGreaterThan(13 * HOUR_S * 1000 - 10_000);
    expect(running.status().units.counts).toEqual({ ok: 0, late: 0, missing: 1 });
    // The unit calls in: Blastware writes its log again.
    const now = new Date(clock.now());
    await utimes(join(site.watchDir, 'M529LK44.MLG'), now, now);
    running.forwardNow();
    await driveUntil(clock, () => running.status().units.list[0]?.state === 'ok', 'the unit ok again');
  });

  it('a new UNIT_LATE_HOURS applies to the next status without reading any log again', async () => {
    await writeMonitorLog(site.watchDir, 'M529LK44.MLG', 'BE9529', { ageSeconds: 3 * HOUR_S });
    const running = await startAgent();
    await driveUntil(clock, () => running.status().units.scannedAt !== null, 'the first look');
    expect(running.status().units.counts).toEqual({ ok: 1, late: 0, missing: 0 });
    await running.applyConfig(config({ unitLateHours: 2, unitMissingHours: 4 }));
    await waitFor(() => running.status().units.lateHours === 2, 'the new thresholds');
    expect(running.status().units.counts).toEqual({ ok: 0, late: 1, missing: 0 });
  });
});

describe('item 3: one listing serves the events and the monitor logs', () => {
  it("the pass hands the .MLG entries on and plans only the events", async () => {
    await writeMonitorLog(site.watchDir, 'M529LK44.MLG', 'BE9529');
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
    const ledger = await openLedger(site.stateDir);
    try {
      const outcome = await runPass({
        config: config({ forwardEnabled: false }),
        ledger,
        uploader: null,
        backoff: createBackoff({ baseMs: 1000, maxMs: 2000 }),
        heldBack: await loadHeldBack(site.stateDir, 3),
        log: createMemoryLogger(),
        now: Date.now,
        budget: Infinity,
        shouldStop: () => false,
      });
      expect(outcome.monitorLogs?.map((e) => e.name)).toEqual(['M529LK44.MLG']);
      expect(outcome.pending).toBe(1);
    } finally {
      await ledger.close();
    }
  });
});
