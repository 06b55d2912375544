// The running agent's log during a server outage: a start line, a summary at most every
// outageSummaryMs, an end line; not a line per pass that stops early. Real timing, short values.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgent, createMemoryLogger, runOnce, type Agent } from '../../src/agent/index.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { makeSite, testConfig, writeEvent, sleep, waitFor, type Site } from '../support/fixtures.js';

let site: Site;
let receiver: Receiver;
let agent: Agent | null = null;

beforeEach(async () => {
  site = await makeSite();
  receiver = await startReceiver();
});
afterEach(async () => {
  await agent?.stop();
  agent = null;
  await receiver.close();
  await site.cleanup();
});

describe('item 17: the log during an outage', () => {
  it('item 17: passes stopping early many times a second give one start line, summaries and one end line', async () => {
    for (let i = 0; i < 20; i++) await writeEvent(site.watchDir, `M529L${String(i).padStart(3, '0')}.AB0`, { report: true });
    receiver.behave(() => ({ kind: 'status', status: 503, body: 'down' }));
    const log = createMemoryLogger();
    const config = testConfig(site, { sfmUrl: receiver.url, retryBaseSeconds: 0.2, retryMaxSeconds: 0.4, concurrency: 1 });
    agent = createAgent(config, { log, outageSummaryMs: 1000 });
    const passes = new Set<string>();
    agent.onStatus((s) => {
      if (s.lastPass) passes.add(s.lastPass.startedAt);
    });
    await agent.start();

    // 3.5 s of outage while new files keep the watcher asking for passes.
    const outageEnd = Date.now() + 3500;
    for (let i = 0; Date.now() < outageEnd; i++) {
      await writeEvent(site.watchDir, `N529L${String(i).padStart(3, '0')}.AB0`, { report: true, ageSeconds: 0 });
      await sleep(100);
    }
    expect(passes.size).toBeGreaterThanOrEqual(5);
    // Per-event "not sent" lines are pass.ts's, one per lone probe; everything else is counted.
    const outageLines = log.lines.filter((l) => !l.includes('started:') && !/^WARN not sent /.test(l));
    expect(outageLines.filter((l) => /^WARN pass stopped early|^INFO pass:/.test(l))).toEqual([]);
    expect(outageLines.filter((l) => l.startsWith('WARN server not answering: HTTP 503'))).toHaveLength(1);
    const summaries = outageLines.filter((l) => l.startsWith('WARN server still not answering after'));
    expect(summaries.length).toBeGreaterThanOrEqual(1);
    expect(summaries.length).toBeLessThanOrEqual(4);
    expect(outageLines.length).toBe(1 + summaries.length);

    receiver.behave(() => ({ kind: 'ok' }));
    await waitFor(() => log.lines.some((l) => l.includes('server answering again')), 'the end of the outage in the log', 8000);
    const end = log.lines.filter((l) => l.includes('server answering again'));
    expect(end).toHaveLength(1);
    expect(end[0]).toMatch(/^INFO server answering again after \d+ s \(not answering since .*\); \d+ events waited for it$/);
  });

  it("item 17: 'once' that stops early says why in one line, naming the reason and how many wait", async () => {
    for (let i = 0; i < 5; i++) await writeEvent(site.watchDir, `M529L${String(i).padStart(3, '0')}.AB0`, { report: true });
    receiver.behave(() => ({ kind: 'status', status: 503, body: 'down' }));
    const log = createMemoryLogger();
    const outcome = await runOnce(testConfig(site, { sfmUrl: receiver.url, concurrency: 1 }), { log });
    expect(outcome.stoppedEarly).toBe(true);
    const lines = log.lines.filter((l) => l.includes('not answering'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^WARN server not answering: HTTP 503.*; 5 events wait for it$/);
  });
});
