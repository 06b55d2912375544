// New settings while the agent runs (items 13, 14 and 15 of issue 7): the cap's window survives
// them, a stop never waits for them, the log follows LOG_FILE and LOG_MAX_KB, and a kept-out bad
// config.ini shows in the log and the status until fixed. Real receiver, real files, short timings.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createAgent, createMemoryLogger, type Agent } from '../../src/agent/index.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { makeSite, testConfig, writeEvent, sleep, waitFor, type Site } from '../support/fixtures.js';
import type { Config } from '../../src/config/types.js';

let site: Site;
let receiver: Receiver;
let agent: Agent | null = null;

beforeEach(async () => {
  site = await makeSite('s3w-config-change-');
  receiver = await startReceiver();
});
afterEach(async () => {
  await agent?.stop();
  agent = null;
  await receiver.close();
  await site.cleanup();
});

const config = (overrides: Partial<Config> = {}): Config =>
  testConfig(site, { sfmUrl: receiver.url, scanIntervalSeconds: 60, ...overrides });

const posts = (): number => receiver.requests.filter((r) => r.method === 'POST').length;

async function backlog(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await writeEvent(site.watchDir, `M529L${String(i).padStart(3, '0')}.AB0`, { report: true });
}

describe('new settings while the agent runs', () => {
  it('item 14: a config change never grants the per-pass cap a fresh budget inside its window', async () => {
    await backlog(30);
    const base = config({ maxForwardsPerPass: 10, concurrency: 2 });
    agent = createAgent(base, { log: createMemoryLogger() });
    await agent.start();
    await waitFor(() => agent!.status().deliveredTotal === 10, 'the first window\'s 10');
    // Several saves with real changes, one of them to the interval itself (still inside the window).
    await agent.applyConfig({ ...base, quiescenceSeconds: 0.3 });
    await agent.applyConfig({ ...base, quiescenceSeconds: 0.3, httpTimeoutSeconds: 4 });
    await agent.applyConfig({ ...base, quiescenceSeconds: 0.3, httpTimeoutSeconds: 4, scanIntervalSeconds: 30 });
    await sleep(800);
    expect(posts()).toBe(10);
    expect(agent.status().waiting).toBe(20);
  });

  it('item 14: a shorter SCAN_INTERVAL reshapes the window from when it opened', async () => {
    await backlog(15);
    const base = config({ maxForwardsPerPass: 5, concurrency: 1, scanIntervalSeconds: 60 });
    agent = createAgent(base, { log: createMemoryLogger() });
    await agent.start();
    await waitFor(() => posts() === 5, 'the first window\'s 5');
    // The window opened about now: a 2 s interval ends it about 2 s after it opened, not at once.
    await agent.applyConfig({ ...base, scanIntervalSeconds: 2 });
    await sleep(600);
    expect(posts()).toBe(5);
    await waitFor(() => posts() === 10, 'the next window\'s 5', 5000);
  });

  it('item 13: a stop while new settings wait for a slow pass ends the pass at once and drops them', async () => {
    await backlog(20);
    receiver.behave(() => ({ kind: 'delay', ms: 400 }));
    const log = createMemoryLogger();
    const base = config({ concurrency: 1 });
    agent = createAgent(base, { log });
    await agent.start();
    await waitFor(() => posts() >= 1, 'the first upload');
    const applying = agent.applyConfig({ ...base, httpTimeoutSeconds: 7 });
    await sleep(100);
    const stopAt = Date.now();
    await agent.stop();
    expect(Date.now() - stopAt).toBeLessThan(1500);
    await applying;
    expect(posts()).toBeLessThanOrEqual(3);
    expect(log.lines.join('\n')).not.toMatch(/new settings applied/);
  });

  it('item 15: LOG_FILE and LOG_MAX_KB take effect without a restart, and the log names the keys applied', async () => {
    const first = join(site.root, 'first.log');
    const second = join(site.root, 'logs', 'second.log');
    const base = config({ logFile: first, logMaxKb: 1024 });
    agent = createAgent(base);
    await agent.start();
    await agent.applyConfig({ ...base, logFile: second, logMaxKb: 1 });
    await backlog(12);
    agent.forwardNow();
    await waitFor(() => agent!.status().deliveredTotal === 12, 'the deliveries');
    await agent.stop();
    agent = null;
    const firstText = await readFile(first, 'utf8');
    expect(firstText).toMatch(/started:/);
    expect(firstText).not.toMatch(/M529L/);
    const rotated = [`${second}.3`, `${second}.2`, `${second}.1`, second].filter((f) => existsSync(f));
    const secondText = (await Promise.all(rotated.map((f) => readFile(f, 'utf8')))).join('');
    expect(secondText).toMatch(/new settings applied: LOG_FILE, LOG_MAX_KB/);
    expect(secondText).toMatch(/stopped; the record is flushed/);
    // 12 deliveries of about 100 bytes each pass 1 KB: the new cap rotated the new log.
    expect(existsSync(`${second}.1`)).toBe(true);
  });

  it('item 15: a kept-out bad config.ini is in the log and the status problems until it is fixed', async () => {
    const log = createMemoryLogger();
    agent = createAgent(config(), { log, statusFile: false });
    await agent.start();
    agent.reportConfigProblem(['SCAN_INTERVAL_SECONDS = "soon" is not a number of seconds']);
    agent.reportConfigProblem(['SCAN_INTERVAL_SECONDS = "soon" is not a number of seconds']);
    expect(agent.status().problems.join('\n')).toMatch(/config\.ini: SCAN_INTERVAL_SECONDS = "soon".*last good settings/);
    expect(log.lines.filter((l) => l.includes('soon'))).toHaveLength(1);
    expect(log.lines.find((l) => l.includes('soon'))).toMatch(/^WARN /);
    agent.reportConfigProblem(null);
    expect(agent.status().problems.join('\n')).not.toMatch(/config\.ini/);
    expect(log.lines.at(-1)).toMatch(/config\.ini reads without problems again/);
  });
});
