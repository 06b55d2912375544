// Issue 7 item 3: a 200 that is not the server's JSON (a proxy or captive-portal page) or JSON
// without a "results" list is the server's problem, never the event's. Real passes over real
// files against the real receiver: nothing is held back, the pass stops early, the back-off is set.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryLogger, loadHeldBack, runPass, type PassOutcome } from '../../src/agent/index.js';
import { openLedger, type Ledger } from '../../src/record/index.js';
import { createBackoff, createUploader, type Backoff, type Uploader } from '../../src/upload/index.js';
import { uploaderOptions } from '../../src/agent/check-server.js';
import { startReceiver, type Behaviour, type Receiver } from '../support/receiver.js';
import { makeSite, sleep, testConfig, writeEvent, type Site } from '../support/fixtures.js';
import type { Config } from '../../src/config/types.js';

let site: Site;
let receiver: Receiver;
let ledger: Ledger;
let uploader: Uploader;

beforeEach(async () => {
  site = await makeSite();
  receiver = await startReceiver();
  ledger = await openLedger(site.stateDir);
});
afterEach(async () => {
  await uploader?.close();
  await ledger.close();
  await receiver.close();
  await site.cleanup();
});

const eventCount = 20;

async function passes(config: Config, backoff: Backoff, count: number): Promise<PassOutcome[]> {
  const heldBack = await loadHeldBack(config.stateDir, config.holdBackAfterFailures);
  uploader = createUploader(uploaderOptions(config));
  const outcomes: PassOutcome[] = [];
  for (let i = 0; i < count; i += 1) {
    // Each pass after the back-off has lapsed, so every pass really asks the server again.
    const waitMs = backoff.blockedUntil() - Date.now();
    if (waitMs > 0) await sleep(waitMs + 5);
    outcomes.push(
      await runPass({
        config,
        ledger,
        uploader,
        backoff,
        heldBack,
        log: createMemoryLogger(),
        now: Date.now,
        budget: Number.POSITIVE_INFINITY,
        shouldStop: () => false,
      }),
    );
  }
  await uploader.close();
  return outcomes;
}

const answers: ReadonlyArray<[string, Behaviour]> = [
  ['a 200 text/html proxy page', { kind: 'not-json' }],
  ['a 200 JSON answer without a "results" list', { kind: 'status', status: 200, body: '{"status":"ok","portal":"guest wifi"}' }],
];

describe('item 3: a 200 that is not the server\'s JSON never holds an event back', () => {
  it.each(answers)('%s: back-off, a lone probe, the pass stops early, nothing held back', async (_name, answer) => {
    for (let i = 0; i < eventCount; i += 1) await writeEvent(site.watchDir, `M529L${String(i).padStart(3, '0')}.AB0`, { report: true });
    receiver.behave(() => answer);
    const config = testConfig(site, { sfmUrl: receiver.url, concurrency: 4, holdBackAfterFailures: 3, retryBaseSeconds: 0.05, retryMaxSeconds: 0.1 });
    const backoff = createBackoff({ baseMs: 50, maxMs: 100 });

    const failing = await passes(config, backoff, 5);
    for (const outcome of failing) {
      expect(outcome).toMatchObject({ forwarded: 0, heldBack: 0, stoppedEarly: true, pending: eventCount, serverReachable: false });
      expect(outcome.lastFailure?.reason).toMatch(/HTTP 200/);
    }
    expect(backoff.consecutiveFailures).toBeGreaterThanOrEqual(5);
    expect(backoff.blockedUntil()).toBeGreaterThan(0);
    // The first pass may start a full batch; after that each pass sends one lone probe.
    const posts = receiver.requests.filter((r) => r.method === 'POST').length;
    expect(posts).toBeLessThanOrEqual(config.concurrency + failing.length - 1);

    receiver.behave(() => ({ kind: 'ok' }));
    const [healed] = await passes(config, backoff, 1);
    expect(healed).toMatchObject({ forwarded: eventCount, heldBack: 0, pending: 0, stoppedEarly: false });
    expect(receiver.received()).toHaveLength(eventCount);
  });
});
