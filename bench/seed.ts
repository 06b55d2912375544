// Target 3: "Skip existing backlog" over 20,000 events costs at most 1.5× reading and hashing the
// same bytes. Both run warm (the page cache holds the folder: it is read once first), so the
// figure is the agent's own overhead (listing, pairing names, the record) over the hashing.
// Each seed starts from an empty record (a second seed over a known folder hashes nothing).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeSite, testConfig } from '../test/support/fixtures.js';
import { runSeed } from '../src/agent/index.js';
import { makeEventFolder, settleDisk, warmPageCache, type SyntheticEvent } from './synthetic.js';
import { best, note, readCharsSoFar, round, target, timed, type Benchmark } from './report.js';

const EVENTS = 20_000;
const ROUNDS = 2;
/** The seed's own read parallelism (READ_PARALLEL in src/agent/seed.ts). */
const PARALLEL = 4;

/** The baseline: read every binary whole and sha256 it, PARALLEL at a time. */
async function readAndHash(events: readonly SyntheticEvent[]): Promise<number> {
  let next = 0;
  let bytes = 0;
  const worker = async (): Promise<void> => {
    while (next < events.length) {
      const event = events[next++]!;
      const content = await readFile(event.path);
      createHash('sha256').update(content).digest('hex');
      bytes += content.length;
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return bytes;
}

export const seed: Benchmark = async () => {
  const site = await makeSite('s3w-bench-seed-');
  try {
    const folder = await makeEventFolder(site.watchDir, EVENTS, { seed: 7 });
    note('seed', `wrote ${EVENTS} events (${(folder.binaryBytes / 1e6).toFixed(0)} MB of binaries) in ${(folder.writeMs / 1000).toFixed(1)} s`);
    await settleDisk();
    await warmPageCache(folder.events);

    const baselineMs: number[] = [];
    const seedMs: number[] = [];
    const seedReadBytes: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const bare = await timed(() => readAndHash(folder.events));
      if (bare.value !== folder.binaryBytes) throw new Error(`the baseline read ${bare.value} of ${folder.binaryBytes} bytes`);
      baselineMs.push(bare.ms);

      const stateDir = join(site.root, `state-${r}`);
      const config = testConfig(site, { stateDir, logFile: join(stateDir, 'series3-watcher.log'), quiescenceSeconds: 5, missingReportGraceSeconds: 60 });
      const before = readCharsSoFar();
      const run = await timed(() => runSeed(config, { preview: false }));
      const after = readCharsSoFar();
      if (run.value.seeded !== EVENTS || run.value.scanned !== EVENTS) {
        throw new Error(`seed marked ${run.value.seeded} and scanned ${run.value.scanned} of ${EVENTS} events`);
      }
      seedMs.push(run.ms);
      if (before !== null && after !== null) seedReadBytes.push(after - before);
      note('seed', `round ${r + 1}: read+hash ${bare.ms.toFixed(0)} ms, seed ${run.ms.toFixed(0)} ms`);
    }

    return {
      targets: [
        target({
          id: 'seed.time',
          label: `seed ${EVENTS.toLocaleString('en-US')} events on an empty record (runSeed, warm cache, best of ${ROUNDS})`,
          measured: best(seedMs),
          unit: 'ms',
          baseline: best(baselineMs),
          baselineLabel: `read + sha256 every binary, ${PARALLEL} at a time, warm, best of ${ROUNDS}`,
          target: '≤ 1.5× baseline',
          passes: (_m, ratio) => ratio !== null && ratio <= 1.5,
        }),
      ],
      figures: {
        events: EVENTS,
        binaryBytes: folder.binaryBytes,
        baselineMs: baselineMs.map((ms) => round(ms)),
        seedMs: seedMs.map((ms) => round(ms)),
        hashMBps: round(folder.binaryBytes / 1e6 / (best(baselineMs) / 1000)),
        // Bytes the seed read per byte of binaries: ~1.0 means each binary was read once.
        seedReadPerBinaryByte: seedReadBytes.map((b) => round(b / folder.binaryBytes, 3)),
      },
    };
  } finally {
    await site.cleanup();
  }
};
