// The headless command line: run, once, seed, status, recent, check, held-back, retry, dismiss, units. Output is for people, and with
// --json the last line of stdout is one JSON object for scripts. Exit codes: 0 success,
// 1 some event (or the folder or server check) failed, 2 bad config or usage (reason on stderr).
import { resolve } from 'node:path';
import { readConfigFile, followConfigFile, DEFAULT_CONFIG_NAME } from '../config/index.js';
import type { Config } from '../config/types.js';
import type { AgentStatus } from '../agent/status-types.js';
import { createFileLogger, type Logger } from '../agent/logger.js';
import { currentStatus } from '../agent/status-read.js';
import { heldBackWords } from '../agent/status-view.js';
import { actOnHeldBack, describeHeldBack, listHeldBack } from './held-back-command.js';
import { recentCommand } from './recent-command.js';
import { APP_VERSION, PACKAGE_NAME } from '../text/version.js';
import { backlogWords } from '../agent/backlog.js';
import { onceProgress, PROGRESS_EVERY_MS, runProgress } from './progress-line.js';
import { unitsCommand } from './units-command.js';
import { localClockOrDate, localDateTime } from '../text/local-time.js';

// The commands that talk to the server (run, once, check) or send (seed reads like once) load the
// agent, and with it undici, only when they run: `status`, `units`, `recent`, `held-back` and
// `--version` answer without loading the HTTP client (about 0.2 s of a 0.4 s start here).
const loadAgent = () => import('../agent/agent.js');
const loadOnce = () => import('../agent/once.js');

export interface CliIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  /** Resolves when the process is asked to stop, with the signal's name (SIGINT, SIGTERM,
   * SIGHUP when a Windows console is closed, SIGBREAK for Ctrl+Break). */
  readonly untilStopped: () => Promise<string | void>;
  /** How often a long pass prints its progress on stderr (default PROGRESS_EVERY_MS, 10 s). */
  readonly progressEveryMs?: number;
}

/** config.ini is re-read once it has been still this long after a change. */
const CONFIG_SETTLE_MS = 500;
/** Windows ends a process a few seconds (5 to 10) after its console window is closed (SIGHUP): stop before. */
const CONSOLE_CLOSED_GRACE_MS = 3000;

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

const COMMANDS = ['run', 'once', 'seed', 'status', 'recent', 'check', 'held-back', 'retry', 'dismiss', 'units'] as const;
/** The commands that take file names after them. */
const FILE_COMMANDS: readonly Command[] = ['retry', 'dismiss'];
type Command = (typeof COMMANDS)[number];

export const USAGE = `usage: series3-watcher <command> [FILE…] [--config FILE] [--json] [--dry-run] [--verbose]

commands:
  run      watch the folder and forward events until stopped (Ctrl+C, Ctrl+Break, or closing the console)
  once     one full pass now, then exit (--dry-run: list what would be sent and why the rest waits)
  seed     skip the existing backlog: mark every in-window event as delivered, sending nothing
           (--dry-run: only count)
  status   what the agent is doing (or did last)
  recent   the last 50 deliveries, newest first (local time; with or without an agent running)
  check    validate config.ini, look at the watch folder (there, readable, how many events) and ask
           the server whether its import endpoint answers and takes the token (sends no event)
  held-back  list the events held back after repeated refusals (reason, since, refusals, dismissed)
  retry [FILE…]  put the named held-back events back in the queue; with none named, every one
           not dismissed
  dismiss FILE…  acknowledge held-back events: they stay out of the queue and listed, and no
           longer make the tray failing
           retry and dismiss change nothing while an agent runs on the same STATE_DIR
           (\`run\` or the tray app: use its Settings window's Held back page, or stop \`run\` first)
  units    the units that call in (named in the .MLG monitor logs): last call-in,
           ok / late / missing; reads the watch folder itself

options:
  --config FILE  the settings file (default: ./${DEFAULT_CONFIG_NAME})
  --json         end the output with one JSON object on the last line of stdout
  --dry-run      with once or seed: change nothing
  --verbose      with run or once: also print the log lines on stderr
  --version      print "series3-watcher <version>" and exit

exit codes: 0 ok, 1 some event, the folder or the server check failed, 2 bad config or usage (for
retry and dismiss also: a named FILE is not held back, or an agent is running; nothing was changed)`;

interface Args {
  readonly command: Command;
  readonly configPath: string;
  readonly json: boolean;
  readonly dryRun: boolean;
  readonly verbose: boolean;
  /** retry and dismiss: the held-back events named. */
  readonly files: readonly string[];
}

class UsageError extends Error {}

export function parseArgs(argv: readonly string[]): Args {
  let command: Command | null = null;
  let configPath = DEFAULT_CONFIG_NAME;
  let json = false;
  let dryRun = false;
  let verbose = false;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') json = true;
    else if (arg === '--dry-run') dryRun = true;
    else if (arg === '--verbose' || arg === '-v') verbose = true;
    else if (arg === '--config' || arg === '-c') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError('--config needs a file name, e.g. --config C:\\series3\\config.ini');
      configPath = value;
    } else if (arg.startsWith('--config=')) configPath = arg.slice('--config='.length);
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else if (command === null) {
      if (!(COMMANDS as readonly string[]).includes(arg)) throw new UsageError(`unknown command "${arg}": use one of ${COMMANDS.join(', ')}`);
      command = arg as Command;
    } else if (FILE_COMMANDS.includes(command)) files.push(arg);
    else throw new UsageError(`unexpected argument "${arg}"`);
  }
  if (command === null) throw new UsageError('no command given');
  if (command === 'dismiss' && files.length === 0) throw new UsageError('dismiss needs the held-back events to dismiss, e.g. dismiss M529LK44.AB0 (see series3-watcher held-back)');
  if (dryRun && command !== 'once' && command !== 'seed') throw new UsageError(`--dry-run goes with once or seed, not ${command}`);
  return { command, configPath: resolve(configPath), json, dryRun, verbose, files };
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.includes('--version') || argv.includes('-V')) {
    io.stdout(`${PACKAGE_NAME} ${APP_VERSION}`);
    return EXIT_OK;
  }
  if (argv.includes('--help') || argv.includes('-h') || argv.length === 0) {
    (argv.length === 0 ? io.stderr : io.stdout)(USAGE);
    return argv.length === 0 ? EXIT_USAGE : EXIT_OK;
  }
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`series3-watcher: ${err.message}\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  const loaded = await loadConfig(args.configPath, io);
  if (args.command === 'check') return check(args, loaded, io);
  // status and recent only read: with a bad value in config.ini they still tell what the running agent
  // does (which includes that bad value among its problems), on the file's other settings.
  const readOnly = (args.command === 'status' || args.command === 'recent' || args.command === 'held-back') && loaded.kind === 'bad' ? loaded.config : undefined;
  if (loaded.kind === 'bad' && readOnly === undefined) return EXIT_USAGE;
  const config = loaded.kind === 'ok' ? loaded.config : readOnly!;
  try {
    switch (args.command) {
      case 'run':
        return await run(args, config, io);
      case 'once':
        return await once(args, config, io);
      case 'seed':
        return await seed(args, config, io);
      case 'status':
        return await status(args, config, io);
      case 'recent':
        return await recent(args, config, io);
      case 'held-back':
        return await listHeldBack(config, args.json, io);
      case 'retry':
      case 'dismiss':
        return await actOnHeldBack(config, args.command, args.files, args.json, io);
      case 'units':
        return await unitsCommand(config, args.json, io);
    }
  } catch (err) {
    // The record is locked by another agent, the legacy file is unreadable, the folder is gone...
    io.stderr(`series3-watcher: ${(err as Error).message}`);
    return EXIT_USAGE;
  }
}

type Loaded =
  | { readonly kind: 'ok'; readonly config: Config }
  /** config: the file's settings with defaults for its bad values (absent when it could not be read). */
  | { readonly kind: 'bad'; readonly reasons: readonly string[]; readonly config?: Config };

async function loadConfig(configPath: string, io: CliIo): Promise<Loaded> {
  try {
    const { config, problems, warnings } = await readConfigFile(configPath);
    for (const warning of warnings) io.stderr(`series3-watcher: warning: ${warning}`);
    if (problems.length > 0) {
      io.stderr(`series3-watcher: ${configPath} has ${problems.length === 1 ? 'a bad value' : `${problems.length} bad values`}:`);
      for (const problem of problems) io.stderr(`  ${problem.message}`);
      return { kind: 'bad', reasons: problems.map((p) => p.message), config };
    }
    return { kind: 'ok', config };
  } catch (err) {
    const message = (err as Error).message;
    io.stderr(`series3-watcher: ${message}`);
    return { kind: 'bad', reasons: [message] };
  }
}

function logger(config: Config, args: Args, io: CliIo): Logger {
  return createFileLogger({
    file: config.logFile,
    maxBytes: config.logMaxKb * 1024,
    secrets: [config.apiToken],
    ...(args.verbose ? { echo: io.stderr } : {}),
  });
}

function emitJson(io: CliIo, value: unknown): void {
  io.stdout(JSON.stringify(value));
}

async function run(args: Args, config: Config, io: CliIo): Promise<number> {
  const { createAgent } = await loadAgent();
  const agent = createAgent(config, { makeLog: (c) => logger(c, args, io) });
  agent.onStatus(runProgress(io.progressEveryMs ?? PROGRESS_EVERY_MS, io.stderr));
  await agent.start();
  // Hand edits of config.ini take effect without a restart; a bad value keeps the last good
  // settings and shows in the log and the status until the file is fixed.
  let running = config;
  const follower = followConfigFile(args.configPath, {
    read: async () => {
      const next = await readConfigFile(args.configPath);
      return { config: next.config, problems: next.problems.map((p) => p.message) };
    },
    current: () => running,
    apply: async (next) => {
      await agent.applyConfig(next);
      running = next;
      io.stderr(`series3-watcher: ${args.configPath} changed; new settings applied`);
    },
    onBad: (problems) => {
      for (const p of problems) io.stderr(`series3-watcher: ${p} (keeping the last good settings)`);
      agent.reportConfigProblem(problems);
    },
    onGood: () => agent.reportConfigProblem(null),
    settleMs: CONFIG_SETTLE_MS,
  });
  // Said once config.ini is followed too, so a script that sees this line knows edits count.
  io.stdout(
    `series3-watcher: watching ${config.series3Path}; forwarding ${config.forwardEnabled ? `to ${config.sfmUrl}` : 'is OFF (SFM_FORWARD_ENABLED=false): nothing will be sent'}; log: ${config.logFile}`,
  );
  const signal = await io.untilStopped();
  // A stop never waits for settings still pending: the agent drops them and ends its pass now.
  follower.close();
  await agent.stop(signal === 'SIGHUP' ? { graceMs: CONSOLE_CLOSED_GRACE_MS } : undefined);
  const final = agent.status();
  io.stdout(`series3-watcher: stopped; ${final.deliveredTotal} events in the record, ${final.waiting} waiting`);
  if (args.json) emitJson(io, final);
  return EXIT_OK;
}

async function once(args: Args, config: Config, io: CliIo): Promise<number> {
  if (!config.forwardEnabled && !args.dryRun) {
    io.stderr(
      `series3-watcher: forwarding is off in ${args.configPath}: set SFM_FORWARD_ENABLED=true there to send events ` +
        `(or run 'series3-watcher once --dry-run' to see what would be sent)`,
    );
    return EXIT_USAGE;
  }
  const progress = onceProgress(io.progressEveryMs ?? PROGRESS_EVERY_MS, io.stderr);
  progress.start();
  const { runOnce } = await loadOnce();
  const outcome = await runOnce(config, { log: logger(config, args, io), dryRun: args.dryRun, onProgress: progress.onProgress }).finally(progress.stop);
  if (outcome.folderProblem) {
    io.stderr(`series3-watcher: ${outcome.folderProblem}`);
    if (args.json) emitJson(io, { error: outcome.folderProblem });
    return EXIT_USAGE;
  }
  if (args.dryRun) {
    for (const item of outcome.plan) {
      const what = item.lateReport ? 'late report' : item.withReport ? 'with report' : 'binary alone (report grace over)';
      io.stdout(`would send  ${item.filename}  ${localDateTime(item.modified, true)}  ${what}`);
    }
    for (const item of outcome.waitingList) {
      const readyAt = item.readyAt ? ` (ready at ${localClockOrDate(item.readyAt, Date.now(), true)})` : '';
      io.stdout(`waits      ${item.filename}  ${describeWait(item.reason)}${readyAt}${item.detail ? `: ${item.detail}` : ''}`);
    }
    io.stdout(
      `${outcome.plan.length} would be sent now, ${outcome.pending - outcome.plan.length} over the cap, ${outcome.settling} settling, ` +
        `${outcome.heldBack} held back, ${outcome.alreadyDelivered} already delivered, ${outcome.tooOld} too old`,
    );
    if (args.json) {
      emitJson(io, {
        wouldSend: outcome.plan,
        waiting: outcome.waitingList,
        alreadyDelivered: outcome.alreadyDelivered,
        tooOld: outcome.tooOld,
      });
    }
    return outcome.waitingList.some((item) => item.reason === 'unreadable') ? EXIT_FAILED : EXIT_OK;
  }
  const summary = {
    forwarded: outcome.forwarded,
    withReport: outcome.withReport,
    errors: outcome.errors,
    pending: outcome.pending,
    heldBack: outcome.heldBack,
    seconds: Math.round(outcome.seconds * 1000) / 1000,
  };
  io.stdout(
    `sent ${summary.forwarded} (${summary.withReport} with report), ${summary.errors} failed, ${summary.pending} left for later passes, ` +
      `${summary.heldBack} held back, in ${summary.seconds} s`,
  );
  for (const file of outcome.unreadable) io.stdout(`cannot send: ${file.reason}`);
  if (outcome.recordProblem) io.stdout(`sending stopped: ${outcome.recordProblem}`);
  else if (outcome.lastFailure) io.stdout(`last failure: ${outcome.lastFailure.reason}`);
  if (outcome.stoppedEarly && !outcome.recordProblem) io.stdout('the pass stopped early: the server is not answering');
  const problems = [...outcome.unreadable.map((file) => file.reason), ...(outcome.recordProblem ? [outcome.recordProblem] : [])];
  if (args.json) emitJson(io, problems.length > 0 ? { ...summary, problems } : summary);
  return summary.errors > 0 || problems.length > 0 ? EXIT_FAILED : EXIT_OK;
}

function describeWait(reason: string): string {
  switch (reason) {
    case 'binary-not-quiet':
      return 'still being written (quiescence)';
    case 'awaiting-report':
      return 'waiting for its .TXT report (grace)';
    case 'report-not-quiet':
      return 'its report is still being written';
    case 'over-cap':
      return 'over the per-pass cap: next pass';
    case 'held-back':
      return 'held back after repeated refusals';
    case 'unreadable':
      return 'cannot be read: it will not be sent until a person fixes that';
    default:
      return reason;
  }
}

async function seed(args: Args, config: Config, io: CliIo): Promise<number> {
  const { runSeed } = await loadOnce();
  const counts = await runSeed(config, { preview: args.dryRun });
  const marked = args.dryRun ? counts.wouldSeed : counts.seeded;
  io.stdout(
    `${args.dryRun ? 'would mark' : 'marked'} ${marked} events as delivered without sending them; ` +
      `${counts.scanned} scanned, ${counts.alreadyKnown} already known, ${counts.tooOld} too old` +
      (counts.unreadable ? `, ${counts.unreadable} could not be read now (they will be sent)` : ''),
  );
  if (args.json) {
    emitJson(io, {
      scanned: counts.scanned,
      seeded: marked,
      alreadyKnown: counts.alreadyKnown,
      tooOld: counts.tooOld,
      ...(args.dryRun ? { dryRun: true } : {}),
    });
  }
  return EXIT_OK;
}

async function status(args: Args, config: Config, io: CliIo): Promise<number> {
  const current = await currentStatus(config);
  for (const line of describeStatus(current, Date.now())) io.stdout(line);
  if (args.json) emitJson(io, current);
  return EXIT_OK;
}

async function recent(args: Args, config: Config, io: CliIo): Promise<number> {
  const output = await recentCommand(config);
  for (const line of output.lines) io.stdout(line);
  if (args.json) emitJson(io, output.json);
  return EXIT_OK;
}

export function describeStatus(s: AgentStatus, nowMs: number): string[] {
  const n = (v: number): string => v.toLocaleString('en-US');
  // Times a person reads are local (the JSON keeps ISO UTC for scripts).
  const when = (iso: string | null): string => (iso === null ? 'never' : `${localDateTime(iso)} (${ago(Date.parse(iso), nowMs)})`);
  const lines = [
    `agent: ${s.running ? `running (pid ${s.pid})${s.paused ? ', PAUSED' : ''}` : 'not running'}`,
    `forwarding: ${s.forwardEnabled ? `on, to ${s.serverUrl}` : 'off (SFM_FORWARD_ENABLED=false)'}`,
    `watch folder: ${s.watchFolder}`,
    `delivered: ${n(s.deliveredTotal)} in total, ${n(s.deliveredToday)} today`,
    `backlog: ${backlogWords(s.backlog, nowMs)}`,
    ...(s.backlog.capReached ? ['  the per-pass cap (SFM_MAX_FORWARDS_PER_PASS) is used up for this interval: the rest goes in the next batches'] : []),
    `held back: ${heldBackWords(s) ?? 'none'}`,
    ...s.heldBack.map((h) => `  ${describeHeldBack(h)}`),
    `last OK: ${when(s.lastSuccessAt)}`,
    `last failure: ${s.lastFailureAt === null ? 'none' : `${when(s.lastFailureAt)}: ${s.lastFailureReason ?? ''}`}`,
    `server: ${s.serverReachable === null ? 'not asked yet' : s.serverReachable ? 'reachable' : 'NOT reachable'}${s.backoffUntil ? `, next try ${localClockOrDate(s.backoffUntil, nowMs, true)}` : ''}`,
  ];
  if (s.units.list.length > 0) lines.push(`units: ${s.units.counts.ok} ok, ${s.units.counts.late} late, ${s.units.counts.missing} missing (series3-watcher units lists them)`);
  for (const problem of s.problems) lines.push(`problem: ${problem}`);
  return lines;
}

function ago(thenMs: number, nowMs: number): string {
  const seconds = Math.max(0, Math.round((nowMs - thenMs) / 1000));
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} days ago`;
}

async function check(args: Args, loaded: Loaded, io: CliIo): Promise<number> {
  if (loaded.kind === 'bad') {
    if (args.json) emitJson(io, { config: 'bad', problems: loaded.reasons, folder: null, server: null, token: null, detail: loaded.reasons.join('; ') });
    return EXIT_USAGE;
  }
  const { checkCommand } = await import('./check-command.js');
  const output = await checkCommand(loaded.config, args.configPath);
  for (const line of output.lines) io.stdout(line);
  for (const reason of output.failures) io.stderr(`series3-watcher: check failed: ${reason}`);
  if (args.json) emitJson(io, output.report);
  return output.failures.length === 0 ? EXIT_OK : EXIT_FAILED;
}
