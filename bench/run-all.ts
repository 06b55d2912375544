// `npm run bench`: runs the benchmarks (all, or those named: idle backfill seed record latency large),
// prints one line per target (figure, baseline, ratio, target, PASS/FAIL), a summary, and on the
// last line one JSON object with every figure. Before the summary, one `ratios:` line gives each
// ratio against its limit (limits taken from baselines measured in the same run). Exit code 1 when
// a target is missed or a benchmark crashed (its error is in the summary and the JSON).
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { idlePass } from './idle-pass.js';
import { backfill } from './backfill.js';
import { seed } from './seed.js';
import { record } from './record.js';
import { latency } from './latency.js';
import { largeEvent } from './large-event.js';
import { targetLine, type Benchmark, type BenchOutcome, type TargetResult } from './report.js';

const BENCHMARKS: ReadonlyArray<readonly [string, Benchmark]> = [
  ['idle', idlePass],
  ['backfill', backfill],
  ['seed', seed],
  ['record', record],
  ['latency', latency],
  ['large', largeEvent],
];

async function main(): Promise<number> {
  const asked = process.argv.slice(2);
  const known = new Set(BENCHMARKS.map(([name]) => name));
  const unknown = asked.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    process.stderr.write(`unknown benchmark ${unknown.join(', ')}; choose from ${[...known].join(', ')} (none = all)\n`);
    return 2;
  }
  const chosen = BENCHMARKS.filter(([name]) => asked.length === 0 || asked.includes(name));
  const machine = {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryMb: Math.round(totalmem() / 1048576),
    tmpdir: tmpdir(),
    // Other work on the machine blurs wall times: say how busy it was.
    loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
  };
  console.log(
    `series3-watcher benchmarks on ${machine.cpus} × ${machine.cpuModel}, node ${machine.node}, temp ${machine.tmpdir}, ` +
      `load average ${machine.loadAverageAtStart.join(' ')}`,
  );

  const outcomes: BenchOutcome[] = [];
  const crashes: { name: string; error: string }[] = [];
  const started = Date.now();
  for (const [name, bench] of chosen) {
    process.stderr.write(`${name}: running\n`);
    const t0 = Date.now();
    try {
      const result = await bench();
      const outcome: BenchOutcome = { name, seconds: (Date.now() - t0) / 1000, ...result };
      outcomes.push(outcome);
      for (const t of outcome.targets) console.log(targetLine(t));
      process.stderr.write(`${name}: done in ${outcome.seconds.toFixed(1)} s\n`);
    } catch (err) {
      const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      crashes.push({ name, error });
      console.log(`CRASH ${name}: ${err instanceof Error ? err.message : String(err)}`);
      process.stderr.write(`${error}\n`);
    }
  }

  const targets: TargetResult[] = outcomes.flatMap((o) => o.targets);
  const passed = targets.filter((t) => t.pass).length;
  const totalSeconds = (Date.now() - started) / 1000;
  console.log('');
  // One line a script (or a person) reads for "are we fast enough": every ratio and its target.
  console.log(
    `ratios: ${targets
      .filter((t) => t.ratio !== null)
      .map((t) => `${t.id} ${t.ratio!.toFixed(2)}× (${t.target}) ${t.pass ? 'ok' : 'MISSED'}`)
      .join('; ')}`,
  );
  console.log(
    `summary: ${passed}/${targets.length} targets met` +
      (targets.length > passed ? `; missed: ${targets.filter((t) => !t.pass).map((t) => t.id).join(', ')}` : '') +
      (crashes.length > 0 ? `; crashed: ${crashes.map((c) => c.name).join(', ')}` : '') +
      `; ${totalSeconds.toFixed(0)} s in all`,
  );
  console.log(
    JSON.stringify({
      machine,
      seconds: Math.round(totalSeconds),
      loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
      passed,
      targets: targets.length,
      results: Object.fromEntries(outcomes.map((o) => [o.name, { seconds: Math.round(o.seconds * 10) / 10, targets: o.targets, figures: o.figures }])),
      crashes,
    }),
  );
  return crashes.length > 0 || passed < targets.length ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
