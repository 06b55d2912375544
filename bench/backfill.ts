// Target 2: a backfill (5,000 events, no per-pass cap, 4 uploads in flight) runs at ≥ 85% of the
// throughput of a bare upload loop over the same files to the same kind of receiver (read the
// binary and its report, upload, 4 in flight: no scan, no pairing, no hashing, no record, no log).
// And with 50 ms of server latency, the agent's 4-in-flight rate is ≥ 3.5× one-at-a-time uploads.
// Every run gets a fresh receiver (it dedupes by sha256) and, for the agent, a fresh record.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeSite, testConfig, type Site } from '../test/support/fixtures.js';
import type { Config } from '../src/config/types.js';
import { runOnce, createFileLogger } from '../src/agent/index.js';
import { createUploader } from '../src/upload/index.js';
import { makeEventFolder, settleDisk, warmPageCache, type SyntheticEvent } from './synthetic.js';
import { startRemoteReceiver, type RemoteReceiver } from './remote-receiver.js';
import { note, round, target, timed, type Benchmark } from './report.js';

const EVENTS = 5_000;
const LATENCY_EVENTS = 400;
const LATENCY_MS = 50;
const CONCURRENCY = 4;
const ROUNDS = 3;
/** The agent's backfill rate must be at least this share of the bare loop's (issue 9 item 8). */
const RATE_FLOOR = 0.85;

interface RunFigures {
  readonly ms: number;
  readonly eventsPerSecond: number;
  /** CPU time of this process (user + system) during the run, ms. */
  readonly cpuMs: number;
  readonly peakInFlight: number;
}

/** The baseline: read each binary and its report, upload, `concurrency` in flight. Nothing else. */
async function bareUploadLoop(receiver: RemoteReceiver, events: readonly SyntheticEvent[], concurrency: number): Promise<RunFigures> {
  const cpu = process.cpuUsage();
  const run = await timed(async () => {
    const uploader = createUploader({ url: receiver.url, token: '', caFile: '', proxy: '', timeoutMs: 60_000, concurrency });
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < events.length) {
        const event = events[next++]!;
        const binaryBytes = await readFile(event.path);
        const reportBytes = await readFile(event.reportPath);
        const outcome = await uploader.upload({ binaryName: event.name, binaryBytes, reportName: event.reportName, reportBytes });
        if (outcome.kind !== 'delivered') throw new Error(`bare upload of ${event.name} failed: ${outcome.reason}`);
      }
    };
    try {
      await Promise.all(Array.from({ length: concurrency }, worker));
    } finally {
      await uploader.close();
    }
  });
  const used = process.cpuUsage(cpu);
  const stats = await receiver.stats();
  if (stats.received !== events.length) throw new Error(`the receiver stored ${stats.received} of ${events.length} binaries`);
  return {
    ms: run.ms,
    eventsPerSecond: (events.length * 1000) / run.ms,
    cpuMs: (used.user + used.system) / 1000,
    peakInFlight: stats.peakInFlight,
  };
}

/** The agent: one `once` pass (scan, pair, record, read, hash, upload, record, log) on a fresh record. */
async function agentPass(site: Site, stateName: string, receiver: RemoteReceiver, events: number, overrides: Partial<Config>): Promise<RunFigures> {
  const stateDir = join(site.root, stateName);
  const config = testConfig(site, {
    sfmUrl: receiver.url,
    stateDir,
    logFile: join(stateDir, 'series3-watcher.log'),
    logMaxKb: 4096,
    quiescenceSeconds: 5,
    missingReportGraceSeconds: 60,
    maxForwardsPerPass: 0,
    concurrency: CONCURRENCY,
    httpTimeoutSeconds: 60,
    ...overrides,
  });
  const log = createFileLogger({ file: config.logFile, maxBytes: config.logMaxKb * 1024 });
  const cpu = process.cpuUsage();
  const run = await timed(() => runOnce(config, { log }));
  const used = process.cpuUsage(cpu);
  if (run.value.forwarded !== events || run.value.errors !== 0) {
    throw new Error(`the agent forwarded ${run.value.forwarded} of ${events} events with ${run.value.errors} errors`);
  }
  const stats = await receiver.stats();
  if (stats.received !== events) throw new Error(`the receiver stored ${stats.received} of ${events} binaries after the agent's pass`);
  return {
    ms: run.ms,
    eventsPerSecond: (events * 1000) / run.ms,
    cpuMs: (used.user + used.system) / 1000,
    peakInFlight: stats.peakInFlight,
  };
}

async function withReceiver<T>(latencyMs: number, fn: (receiver: RemoteReceiver) => Promise<T>): Promise<T> {
  const receiver = await startRemoteReceiver({ latencyMs });
  try {
    return await fn(receiver);
  } finally {
    await receiver.close();
  }
}

const bestRate = (runs: readonly RunFigures[]): RunFigures => runs.reduce((a, b) => (b.eventsPerSecond > a.eventsPerSecond ? b : a));
const summary = (runs: readonly RunFigures[]): object[] =>
  runs.map((r) => ({ ms: round(r.ms), eventsPerSecond: round(r.eventsPerSecond), cpuMs: round(r.cpuMs), peakInFlight: r.peakInFlight }));

export const backfill: Benchmark = async () => {
  // Throughput with an instant receiver.
  const site = await makeSite('s3w-bench-backfill-');
  const bareRuns: RunFigures[] = [];
  const agentRuns: RunFigures[] = [];
  try {
    const folder = await makeEventFolder(site.watchDir, EVENTS, { seed: 5000 });
    note('backfill', `wrote ${EVENTS} events (${(folder.binaryBytes / 1e6).toFixed(0)} MB) in ${(folder.writeMs / 1000).toFixed(1)} s`);
    await settleDisk();
    await warmPageCache(folder.events);
    for (let r = 0; r < ROUNDS; r++) {
      bareRuns.push(await withReceiver(0, (receiver) => bareUploadLoop(receiver, folder.events, CONCURRENCY)));
      agentRuns.push(await withReceiver(0, (receiver) => agentPass(site, `state-${r}`, receiver, EVENTS, {})));
      note('backfill', `round ${r + 1}: bare ${bareRuns[r]!.eventsPerSecond.toFixed(0)}/s, agent ${agentRuns[r]!.eventsPerSecond.toFixed(0)}/s`);
    }
  } finally {
    await site.cleanup();
  }

  // With 50 ms of server latency: concurrency must pay off.
  const slowSite = await makeSite('s3w-bench-backfill-latency-');
  let slowAgent: RunFigures;
  let slowSerial: RunFigures;
  let slowBare4: RunFigures;
  try {
    const folder = await makeEventFolder(slowSite.watchDir, LATENCY_EVENTS, { seed: 400, firstIndex: 100_000 });
    await settleDisk();
    await warmPageCache(folder.events);
    slowAgent = await withReceiver(LATENCY_MS, (receiver) => agentPass(slowSite, 'state-latency', receiver, LATENCY_EVENTS, {}));
    note('backfill', `${LATENCY_MS} ms latency: agent ${slowAgent.eventsPerSecond.toFixed(1)}/s`);
    slowSerial = await withReceiver(LATENCY_MS, (receiver) => bareUploadLoop(receiver, folder.events, 1));
    note('backfill', `${LATENCY_MS} ms latency: one at a time ${slowSerial.eventsPerSecond.toFixed(1)}/s`);
    slowBare4 = await withReceiver(LATENCY_MS, (receiver) => bareUploadLoop(receiver, folder.events, CONCURRENCY));
  } finally {
    await slowSite.cleanup();
  }

  const bare = bestRate(bareRuns);
  const agent = bestRate(agentRuns);
  return {
    targets: [
      target({
        id: 'backfill.rate',
        label: `backfill ${EVENTS.toLocaleString('en-US')} events, cap 0, ${CONCURRENCY} in flight (runOnce, best of ${ROUNDS})`,
        measured: agent.eventsPerSecond,
        unit: 'events/s',
        baseline: bare.eventsPerSecond,
        baselineLabel: `bare read+upload loop, ${CONCURRENCY} in flight, best of ${ROUNDS}`,
        target: `≥ ${RATE_FLOOR}× baseline`,
        passes: (_m, ratio) => ratio !== null && ratio >= RATE_FLOOR,
      }),
      target({
        id: 'backfill.latency',
        label: `backfill ${LATENCY_EVENTS} events, receiver +${LATENCY_MS} ms, ${CONCURRENCY} in flight (runOnce)`,
        measured: slowAgent.eventsPerSecond,
        unit: 'events/s',
        baseline: slowSerial.eventsPerSecond,
        baselineLabel: 'bare loop, one at a time',
        target: '≥ 3.5× baseline',
        passes: (_m, ratio) => ratio !== null && ratio >= 3.5,
      }),
    ],
    figures: {
      events: EVENTS,
      concurrency: CONCURRENCY,
      bareRuns: summary(bareRuns),
      agentRuns: summary(agentRuns),
      latencyMs: LATENCY_MS,
      latencyEvents: LATENCY_EVENTS,
      latencyAgent: summary([slowAgent])[0],
      latencySerial: summary([slowSerial])[0],
      latencyBare4: summary([slowBare4])[0],
      latencyAgentVsBare4: round(slowAgent.eventsPerSecond / slowBare4.eventsPerSecond, 3),
    },
  };
};
