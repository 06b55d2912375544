// Target 4: a record of 100,000 deliveries loads in ≤ 1 s, and the headless agent (`series3-watcher
// run`) on that record and a watch folder of 20,000 delivered events stays ≤ 150 MB resident.
//
// The record is the one a long-lived install has: the 20,000 events now in the folder (seeded,
// so each line carries its file identity) plus 80,000 older deliveries whose files are gone,
// written with ledger.record in batches as the agent would. Load time is taken in a fresh
// process (cold JIT, warm page cache), worst of 3; the baseline is that same fresh process
// only reading the journal and JSON.parse-ing every line.
import { randomBytes } from 'node:crypto';
import { spawn, execFile } from 'node:child_process';
import { writeFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeSite, testConfig } from '../test/support/fixtures.js';
import { runSeed, readStatusFile } from '../src/agent/index.js';
import { openLedger, journalFileName, type LedgerRecordItem } from '../src/record/index.js';
import { eventName, makeEventFolder, prng, settleDisk } from './synthetic.js';
import { startRemoteReceiver } from './remote-receiver.js';
import { best, note, peakRssMb, round, sleep, target, timed, type Benchmark } from './report.js';

const FOLDER_EVENTS = 20_000;
const RECORD_ENTRIES = 100_000;
const BATCH = 2_000;
const OPEN_ROUNDS = 3;
const RUN_SECONDS = 5;

const execFileAsync = promisify(execFile);
const childScript = fileURLToPath(new URL('./ledger-open-child.js', import.meta.url));
const cliScript = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

async function openInChild(stateDir: string, mode: 'ledger' | 'parse'): Promise<{ ms: number; entries: number; rssMb: number }> {
  const { stdout } = await execFileAsync(process.execPath, [childScript, stateDir, mode], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { ms: number; entries: number; rssMb: number };
}

/** 80,000 older deliveries (files long gone), recorded in batches like a busy agent's record. */
async function addOldDeliveries(stateDir: string, count: number): Promise<void> {
  const random = prng(4242);
  const ledger = await openLedger(stateDir);
  try {
    const yearMs = 365 * 86_400_000;
    for (let done = 0; done < count; done += BATCH) {
      const items: LedgerRecordItem[] = [];
      for (let i = done; i < Math.min(count, done + BATCH); i++) {
        const name = eventName(500_000 + i, random);
        const size = 8192 + Math.floor(random() * 57_345);
        const mtimeMs = Math.floor(Date.now() - yearMs * (1 + random()));
        items.push({
          entry: {
            sha256: randomBytes(32).toString('hex'),
            filename: name,
            size,
            forwardedAt: new Date(mtimeMs + 60_000).toISOString(),
            withReport: random() > 0.05,
            source: 'sent',
          },
          file: { name, size, mtimeMs },
        });
      }
      await ledger.record(items);
    }
  } finally {
    await ledger.close();
  }
}

/** Peak RSS of a bare `node` process: the floor any Node program starts from. */
async function bareNodePeakMb(): Promise<number> {
  const { stdout } = await execFileAsync(process.execPath, [
    '-e',
    "setTimeout(() => console.log(/VmHWM:\\s*(\\d+)/.exec(require('fs').readFileSync('/proc/self/status','utf8'))[1]), 200)",
  ]);
  return Number(stdout.trim()) / 1024;
}

interface AgentRun {
  readonly peakRssMb: number;
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** Distinct passes seen in status.json during the run (at least). */
  readonly passes: number;
  readonly requests: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function runHeadlessAgent(configPath: string, stateDir: string, requests: () => Promise<number>): Promise<AgentRun> {
  const child = spawn(process.execPath, [cliScript, 'run', '--config', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let peak = 0;
  let done = false;
  // VmHWM is the kernel's high-water mark: sampling it now and then misses nothing.
  const sampler = (async () => {
    while (!done) {
      const mb = child.pid === undefined ? null : peakRssMb(child.pid);
      if (mb !== null) peak = Math.max(peak, mb);
      await sleep(100);
    }
  })();
  try {
    const deadline = Date.now() + 60_000;
    // Started (record open, watcher on), then the first full pass done.
    while (!stdout.includes('watching') || (await readStatusFile(stateDir))?.lastPass == null) {
      if (child.exitCode !== null) throw new Error(`series3-watcher run exited early (${child.exitCode}): ${stderr.trim()}`);
      if (Date.now() > deadline) throw new Error('series3-watcher run did not finish its first pass within 60 s');
      await sleep(100);
    }
    // Count the full passes seen in the status file while the agent runs.
    const passStarts = new Set<string>();
    const runUntil = Date.now() + RUN_SECONDS * 1000;
    while (Date.now() < runUntil) {
      const seen = (await readStatusFile(stateDir))?.lastPass?.startedAt;
      if (seen) passStarts.add(seen);
      await sleep(200);
    }
    const before = child.pid === undefined ? null : peakRssMb(child.pid);
    if (before !== null) peak = Math.max(peak, before);
    child.kill('SIGTERM');
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 30_000).unref());
    const end = await Promise.race([exited, timeout]);
    if (end === 'timeout') {
      child.kill('SIGKILL');
      throw new Error('series3-watcher run did not exit within 30 s of SIGTERM');
    }
    const passes = passStarts.size;
    return { peakRssMb: peak, exitCode: end.code, signal: end.signal, passes, requests: await requests(), stdout, stderr };
  } finally {
    done = true;
    await sampler;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

export const record: Benchmark = async () => {
  const site = await makeSite('s3w-bench-record-');
  const receiver = await startRemoteReceiver();
  try {
    const folder = await makeEventFolder(site.watchDir, FOLDER_EVENTS, { seed: 11, firstIndex: 200_000 });
    note('record', `wrote ${FOLDER_EVENTS} events in ${(folder.writeMs / 1000).toFixed(1)} s`);
    const config = testConfig(site, { sfmUrl: receiver.url, quiescenceSeconds: 5, missingReportGraceSeconds: 60 });
    const seeded = await runSeed(config, { preview: false });
    if (seeded.seeded !== FOLDER_EVENTS) throw new Error(`seed marked ${seeded.seeded} of ${FOLDER_EVENTS} events`);
    const built = await timed(() => addOldDeliveries(site.stateDir, RECORD_ENTRIES - FOLDER_EVENTS));
    const journalBytes = (await stat(join(site.stateDir, journalFileName))).size;
    note('record', `record of ${RECORD_ENTRIES} entries (${(journalBytes / 1e6).toFixed(1)} MB) written in ${(built.ms / 1000).toFixed(1)} s`);

    await settleDisk();
    // Load time: fresh processes, interleaved with the baseline.
    const openMs: number[] = [];
    const parseMs: number[] = [];
    let childRssMb = 0;
    for (let r = 0; r < OPEN_ROUNDS; r++) {
      const opened = await openInChild(site.stateDir, 'ledger');
      if (opened.entries !== RECORD_ENTRIES) throw new Error(`openLedger found ${opened.entries} of ${RECORD_ENTRIES} entries`);
      openMs.push(opened.ms);
      childRssMb = Math.max(childRssMb, opened.rssMb);
      parseMs.push((await openInChild(site.stateDir, 'parse')).ms);
    }
    // The same load in this (warm) process, for comparison.
    const inProcessMs: number[] = [];
    for (let r = 0; r < OPEN_ROUNDS; r++) {
      const opened = await timed(() => openLedger(site.stateDir));
      inProcessMs.push(opened.ms);
      await opened.value.close();
    }
    note('record', `openLedger: ${openMs.map((ms) => ms.toFixed(0)).join(', ')} ms in fresh processes; ${inProcessMs.map((ms) => ms.toFixed(0)).join(', ')} ms warm`);

    // Resident memory of the headless agent: as a technician runs it (60 s passes: the first pass
    // plus the watcher), and under stress (a full pass every second).
    const floorMb = await bareNodePeakMb();
    const runAgent = async (intervalSeconds: number): Promise<AgentRun> => {
      const configPath = join(site.root, `config-${intervalSeconds}.ini`);
      await writeFile(
        configPath,
        [
          '; written by the series3-watcher benchmark (bench/record.ts)',
          '[watcher]',
          `SERIES3_PATH = ${site.watchDir}`,
          `STATE_DIR = ${site.stateDir}`,
          `LOG_FILE = ${join(site.stateDir, 'series3-watcher.log')}`,
          'SFM_FORWARD_ENABLED = true',
          `SFM_URL = ${receiver.url}`,
          `SCAN_INTERVAL_SECONDS = ${intervalSeconds}`,
          'SFM_QUIESCENCE_SECONDS = 5',
          'SFM_MISSING_REPORT_GRACE_SECONDS = 60',
          '',
        ].join('\n'),
      );
      const run = await runHeadlessAgent(configPath, site.stateDir, async () => (await receiver.stats()).requests);
      note('record', `series3-watcher run (${intervalSeconds} s passes): peak RSS ${run.peakRssMb.toFixed(1)} MB, exit ${run.exitCode}${run.signal ? ` (${run.signal})` : ''}, ${run.passes} passes seen, ${run.requests} requests`);
      if (run.requests !== 0) throw new Error(`the agent sent ${run.requests} requests for a folder that is all delivered`);
      return run;
    };
    const run = await runAgent(60);
    const stress = await runAgent(1);
    const finalStatus = await readStatusFile(site.stateDir);

    return {
      targets: [
        target({
          id: 'record.load',
          label: `openLedger, ${RECORD_ENTRIES.toLocaleString('en-US')} entries, fresh process (worst of ${OPEN_ROUNDS})`,
          measured: Math.max(...openMs),
          unit: 'ms',
          baseline: Math.max(...parseMs),
          baselineLabel: 'read journal + JSON.parse every line, fresh process',
          target: '≤ 1000 ms',
          passes: (m) => m <= 1000,
        }),
        target({
          id: 'record.rss',
          label: `'series3-watcher run' peak RSS (VmHWM), ${RECORD_ENTRIES.toLocaleString('en-US')}-entry record, ${FOLDER_EVENTS.toLocaleString('en-US')}-event folder, first pass + ${RUN_SECONDS} s, 60 s interval`,
          measured: run.peakRssMb,
          unit: 'MB',
          baseline: floorMb,
          baselineLabel: 'bare node process',
          target: '≤ 150 MB',
          passes: (m) => m <= 150,
        }),
        target({
          id: 'record.exit',
          label: "'series3-watcher run' exit code after SIGTERM (both runs)",
          measured: run.exitCode === 0 ? (stress.exitCode ?? -1) : (run.exitCode ?? -1),
          unit: '',
          baseline: null,
          baselineLabel: '-',
          target: '= 0',
          passes: (m) => m === 0,
        }),
      ],
      figures: {
        recordEntries: RECORD_ENTRIES,
        journalBytes,
        buildMs: round(built.ms),
        openFreshProcessMs: openMs.map((ms) => round(ms)),
        parseFreshProcessMs: parseMs.map((ms) => round(ms)),
        openInProcessMs: inProcessMs.map((ms) => round(ms)),
        openInProcessBestMs: round(best(inProcessMs)),
        openChildRssMb: round(childRssMb),
        agentPeakRssMb: round(run.peakRssMb),
        bareNodePeakRssMb: round(floorMb),
        agentExitCode: run.exitCode,
        agentRequests: run.requests,
        agentPassesSeen: run.passes,
        // The same with SCAN_INTERVAL_SECONDS = 1: a full pass every second for RUN_SECONDS.
        stressPeakRssMb: round(stress.peakRssMb),
        stressPassesSeen: stress.passes,
        stressExitCode: stress.exitCode,
        agentLastPass: finalStatus?.lastPass ?? null,
        agentDeliveredTotal: finalStatus?.deliveredTotal ?? null,
      },
    };
  } finally {
    await receiver.close();
    await site.cleanup();
  }
};
