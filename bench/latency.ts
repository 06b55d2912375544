// Target 5: with a 60 s pass interval, a new event reaches the server within 2 s after its
// quiescence ends (the watcher's hint, not the timer, must bring it). The running agent
// (createAgent, logging to a file in its state dir) watches a folder of already-delivered
// events; each new event is written as Blastware writes it (binary, then its report a moment
// later), and the latency is (the receiver's arrival time of its request) − (the later of the
// two modification times + the quiescence). Five events, one after the other; the worst counts.
import { makeSite, testConfig } from '../test/support/fixtures.js';
import { createAgent, runSeed } from '../src/agent/index.js';
import { makeEventFolder, settleDisk, writeFreshEvent } from './synthetic.js';
import { startRemoteReceiver } from './remote-receiver.js';
import { note, round, sleep, target, type Benchmark } from './report.js';

const DELIVERED_EVENTS = 1_000;
const REPEATS = 5;
const QUIESCENCE_SECONDS = 1;
const SCAN_INTERVAL_SECONDS = 60;
/** Give up on one event after this long (the watcher is clearly not bringing it). */
const GIVE_UP_MS = 15_000;

export const latency: Benchmark = async () => {
  const site = await makeSite('s3w-bench-latency-');
  const receiver = await startRemoteReceiver();
  try {
    await makeEventFolder(site.watchDir, DELIVERED_EVENTS, { seed: 99, firstIndex: 300_000 });
    const config = testConfig(site, {
      sfmUrl: receiver.url,
      scanIntervalSeconds: SCAN_INTERVAL_SECONDS,
      quiescenceSeconds: QUIESCENCE_SECONDS,
      missingReportGraceSeconds: 60,
      maxForwardsPerPass: 500,
    });
    const seeded = await runSeed(config, { preview: false });
    if (seeded.seeded !== DELIVERED_EVENTS) throw new Error(`seed marked ${seeded.seeded} of ${DELIVERED_EVENTS} events`);

    await settleDisk();
    const agent = createAgent(config);
    const latenciesMs: number[] = [];
    const writeToRequestMs: number[] = [];
    let missed = 0;
    try {
      await agent.start();
      const startDeadline = Date.now() + 30_000;
      while (agent.status().lastPass === null) {
        if (Date.now() > startDeadline) throw new Error('the agent did not finish its first pass within 30 s');
        await sleep(50);
      }
      // Let the watcher finish its initial walk of the folder.
      await sleep(1000);
      let seen = (await receiver.stats()).requests;
      if (seen !== 0) throw new Error(`the agent sent ${seen} requests for a folder that is all delivered`);

      for (let i = 0; i < REPEATS; i++) {
        const writtenAt = Date.now();
        const event = await writeFreshEvent(site.watchDir, 400_000 + i, { reportDelayMs: 100 + i * 50 });
        const readyAtMs = Math.max(event.mtimeMs, event.reportMtimeMs) + QUIESCENCE_SECONDS * 1000;
        let arrivedAt: number | null = null;
        while (arrivedAt === null && Date.now() - writtenAt < GIVE_UP_MS) {
          const fresh = await receiver.requestsSince(seen);
          seen += fresh.length;
          arrivedAt = fresh.find((r) => r.names.includes(event.name))?.at ?? null;
          if (arrivedAt === null) await sleep(20);
        }
        if (arrivedAt === null) {
          missed++;
          latenciesMs.push(GIVE_UP_MS);
          note('latency', `event ${i + 1}: ${event.name} not delivered within ${GIVE_UP_MS / 1000} s`);
          break;
        }
        latenciesMs.push(arrivedAt - readyAtMs);
        writeToRequestMs.push(arrivedAt - writtenAt);
        note('latency', `event ${i + 1}: ${event.name} arrived ${(arrivedAt - readyAtMs).toFixed(0)} ms after its quiescence ended`);
        // Vary the phase of the next event against the agent's timers.
        await sleep(500 + ((i * 337) % 900));
      }
    } finally {
      await agent.stop();
    }
    const status = agent.status();

    return {
      targets: [
        target({
          id: 'latency.max',
          label: `new event: request arrival − (mtime + ${QUIESCENCE_SECONDS} s quiescence), ${SCAN_INTERVAL_SECONDS} s pass interval, worst of ${REPEATS}`,
          measured: Math.max(...latenciesMs),
          unit: 'ms',
          baseline: SCAN_INTERVAL_SECONDS * 1000,
          baselineLabel: 'the pass interval: the wait without a watcher',
          target: '≤ 2000 ms',
          passes: (m) => missed === 0 && m <= 2000,
        }),
      ],
      figures: {
        deliveredEvents: DELIVERED_EVENTS,
        quiescenceSeconds: QUIESCENCE_SECONDS,
        scanIntervalSeconds: SCAN_INTERVAL_SECONDS,
        latenciesMs: latenciesMs.map((ms) => round(ms)),
        writeToRequestMs: writeToRequestMs.map((ms) => round(ms)),
        missed,
        deliveredTotalAfter: status.deliveredTotal,
      },
    };
  } finally {
    await receiver.close();
    await site.cleanup();
  }
};
