// The long-running agent: owns the record, the uploader, the server back-off, the watcher and
// the scheduler, runs one pass at a time, and keeps the status current (in memory, for
// listeners, and in <STATE_DIR>/status.json for other processes). When passes run is the
// scheduler's to decide (scheduler.ts); the time and every timer come from one injected clock.
//
// Its long-lived state is one record, AgentState; the functions below each do one job on it.
import type { Config } from '../config/types.js';
import { changedKeys } from '../config/index.js';
import { openLedger, importLegacy, type Ledger } from '../record/index.js';
import { createBackoff, createUploader, type Backoff, type Uploader } from '../upload/index.js';
import { watchFolder } from '../scan/index.js';
import type { Agent, SeedCounts } from './types.js';
import type { AgentStatus, PassSummary } from './status-types.js';
import { loadHeldBack, type HeldBackChange, type HeldBackTracker } from './held-back.js';
import { createFileLogger, type Logger } from './logger.js';
import { serverAnswered, serverFailed, type OutageState, type OutageStep } from './outage-log.js';
import { failingSinceAfter, passSummary, runPass, type PassOutcome, type PassProgress } from './pass.js';
import { createReadTroubles, type ReadTroubles } from './read-troubles.js';
import { seedBacklog } from './seed.js';
import { uploaderOptions } from './check-server.js';
import { importLegacyOnce } from './legacy.js';
import { startOfLocalDay, writeStatusFile } from './status-file.js';
import { statusFrom } from './status-view.js';
import { systemClock, unrefTimer, type Clock, type TimerHandle } from './clock.js';
import { createScheduler, type Scheduler } from './scheduler.js';
import { backlogOf, createDeliveryMeter, measuredPerMinute, noteDelivery, rateSpanMs, type DeliveryMeter } from './backlog.js';
import type { Backlog } from './status-types.js';
import { APP_VERSION } from '../text/version.js';
import { createUnitTracker, NO_UNITS, unitsStatus, type UnitScan, type UnitTracker } from '../units/index.js';

export interface AgentOptions {
  /** The time and the timers of the agent, its scheduler and its watcher (default: the system's). */
  readonly clock?: Clock;
  /** Only the time (older callers); ignored when `clock` is given. */
  readonly now?: () => number;
  /** A fixed logger (tests); config changes never replace it. */
  readonly log?: Logger;
  /** Makes the logger for a config (the CLI adds its --verbose echo); used at start and whenever
   * LOG_FILE, LOG_MAX_KB or the token (which the log redacts) changes. Default: the file logger. */
  readonly makeLog?: (config: Config) => Logger;
  /** Watch the folder for changes (default true); without it only the periodic pass finds events. */
  readonly watch?: boolean;
  /** Keep <STATE_DIR>/status.json current (default true). */
  readonly statusFile?: boolean;
  readonly random?: () => number;
  /** How long stop() lets in-flight uploads finish before abandoning them (default 10 s). */
  readonly stopGraceMs?: number;
  /** How soon a missing watch folder is looked for again (default 5 s). */
  readonly folderRetryMs?: number;
  /** During a server outage, the log summarises it at most this often (default 5 min). */
  readonly outageSummaryMs?: number;
}

const STATUS_WRITE_GAP_MS = 500;

/** Everything the running agent remembers between passes. */
interface AgentState {
  /** Fixed at creation. */
  readonly options: AgentOptions;
  /** The time and timers (shared with the scheduler and the watcher). */
  readonly clock: Clock;
  /** Decides when passes run. */
  readonly scheduler: Scheduler;
  /** The settings in force (replaced by applyConfig). */
  config: Config;
  /** Where log lines go (replaced when LOG_FILE, LOG_MAX_KB or the token change). */
  log: Logger;
  /** The record; null before start. */
  ledger: Ledger | null;
  /** null: forwarding is off, or its settings are wrong (then a problem says why). */
  uploader: Uploader | null;
  /** Events held back after repeated refusals; null before start. */
  heldBack: HeldBackTracker | null;
  /** One back-off for the server as a whole. */
  backoff: Backoff;
  /** The folder watcher, if one runs. */
  watcher: { close(): Promise<void> } | null;
  /** The watcher reported an error (a folder removed): made anew once a pass reads the folder. */
  watcherBroken: boolean;
  /** The pending status.json write, if one is scheduled. */
  statusTimer: TimerHandle | null;
  /** The chain of status.json writes, so they land in order. */
  statusWriting: Promise<void>;
  /** start() ran. */
  started: boolean;
  /** stop() was called: nothing new starts. */
  stopping: boolean;
  /** Paused by a person: passes count but send nothing. */
  paused: boolean;
  /** The pass running now, if any. */
  passing: Promise<void> | null;
  /** A job that must run with no pass (seed, new settings), if any. */
  exclusive: Promise<unknown> | null;
  /** A pass was asked for while another ran: run one more when it ends. */
  passAgain: boolean;
  /** Aborts uploads in flight when stop() runs out of patience. */
  readonly abort: AbortController;
  /** Status listeners (the tray's worker, the CLI). */
  readonly listeners: Set<(s: AgentStatus) => void>;
  /** The last pass, as the status shows it. */
  lastPass: PassSummary | null;
  /** What the last request told of the server (null: none made yet). */
  serverReachable: boolean | null;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  lastFailureReason: string | null;
  /** Since when forwarding has been failing (null: it is not). */
  failingSince: string | null;
  /** Events not yet delivered: ready and waiting plus settling. */
  waiting: number;
  /** Events not ready yet (quiescence, report grace), from the last pass. */
  settling: number;
  passInProgress: boolean;
  /** Lasting problems by key ('folder', 'record', 'config', 'file:<name>'...), shown in the status. */
  readonly problems: Map<string, string>;
  /** Files that could not be read, across passes: told once, shown while they last. */
  readonly readTroubles: ReadTroubles;
  /** The server outage in progress, as the log tells it (start, summaries, end): see outage-log.ts. */
  outage: OutageState;
  /** Deliveries of the last minutes, for the backlog's rate. */
  readonly deliveries: DeliveryMeter;
  /** The config.ini problems now shown (null when the file reads well), so each is logged once. */
  lastConfigProblem: string | null;
  /** Reads the monitor logs each pass lists (each once per name, size and mtime). */
  readonly units: UnitTracker;
  /** What the monitor logs said at the last pass that could list the folder. */
  unitScan: UnitScan;
  /** The status as last published. */
  snapshot: AgentStatus;
}

export function createAgent(initialConfig: Config, options: AgentOptions = {}): Agent {
  const s = newState(initialConfig, options);
  return {
    start: () => start(s),
    stop: (stopOptions) => stop(s, stopOptions?.graceMs),
    forwardNow: () => forwardNow(s),
    pause: () => setPaused(s, true),
    resume: () => setPaused(s, false),
    retryHeldBack: (filenames) => retryHeldBack(s, filenames),
    dismissHeldBack: (filenames) => dismissHeldBack(s, filenames),
    applyConfig: (next) => whileIdle(s, () => applyConfig(s, next)),
    reportConfigProblem: (problems) => reportConfigProblem(s, problems),
    seedPreview: () => whileIdle(s, () => seedBacklog({ config: s.config, ledger: requireLedger(s), now: s.clock.now, preview: true })),
    seed: () => seed(s),
    status: () => s.snapshot,
    onStatus(listener) {
      s.listeners.add(listener);
      return () => s.listeners.delete(listener);
    },
  };
}

function newState(config: Config, options: AgentOptions): AgentState {
  const clock = options.clock ?? (options.now ? { ...systemClock, now: options.now } : systemClock);
  // The scheduler reads the state through `s`, which is complete before any pass is asked for.
  let s: AgentState | null = null;
  const scheduler = createScheduler({
    clock,
    intervalMs: () => s!.config.scanIntervalSeconds * 1000,
    cap: () => s!.config.maxForwardsPerPass,
    blockedUntil: () => s!.backoff.blockedUntil(),
    ...(options.folderRetryMs !== undefined ? { folderRetryMs: options.folderRetryMs } : {}),
    onDue: () => requestPass(s!, false),
  });
  const state: AgentState = {
    options,
    clock,
    scheduler,
    config,
    log: options.log ?? (options.makeLog ?? loggerFor)(config),
    ledger: null,
    uploader: null,
    heldBack: null,
    backoff: newBackoff(config, options.random),
    watcher: null,
    watcherBroken: false,
    statusTimer: null,
    statusWriting: Promise.resolve(),
    started: false,
    stopping: false,
    paused: false,
    passing: null,
    exclusive: null,
    passAgain: false,
    abort: new AbortController(),
    listeners: new Set(),
    lastPass: null,
    serverReachable: null,
    lastSuccessAt: null,
    lastFailureAt: null,
    lastFailureReason: null,
    failingSince: null,
    waiting: 0,
    settling: 0,
    passInProgress: false,
    problems: new Map(),
    readTroubles: createReadTroubles(),
    outage: null,
    deliveries: createDeliveryMeter(),
    lastConfigProblem: null,
    units: createUnitTracker(),
    unitScan: NO_UNITS,
    snapshot: undefined as unknown as AgentStatus,
  };
  s = state;
  state.snapshot = buildStatus(state);
  return state;
}

/** The status from the agent's state: the one place it is built (swap in a pure status view here). */
function buildStatus(s: AgentState): AgentStatus {
  const nowMs = s.clock.now();
  return statusFrom({
    updatedAtMs: nowMs,
    agentVersion: APP_VERSION,
    pid: process.pid,
    running: s.started && !s.stopping,
    forwardEnabled: s.config.forwardEnabled,
    paused: s.paused,
    passInProgress: s.passInProgress,
    watchFolder: s.config.series3Path,
    serverUrl: s.config.sfmUrl,
    serverReachable: s.serverReachable,
    deliveredTotal: s.ledger?.size ?? 0,
    deliveredToday: s.ledger?.countSince(startOfLocalDay(nowMs)) ?? 0,
    waiting: s.waiting,
    heldBack: s.heldBack?.list() ?? [],
    backlog: backlogNow(s, nowMs),
    lastSuccessAt: s.lastSuccessAt,
    lastFailureAt: s.lastFailureAt,
    lastFailureReason: s.lastFailureReason,
    backoffUntilMs: s.backoff.blockedUntil(),
    failingSince: s.failingSince,
    lastPass: s.lastPass,
    problems: [...s.problems.values()],
    units: unitsStatus(s.unitScan, nowMs, { lateHours: s.config.unitLateHours, missingHours: s.config.unitMissingHours }),
    recent: s.ledger?.recent() ?? [],
  });
}

/** The backlog from the cap, its window, the scheduler's next pass and the deliveries of the last minutes. */
function backlogNow(s: AgentState, nowMs: number): Backlog {
  const { maxForwardsPerPass: cap, scanIntervalSeconds } = s.config;
  const windowMs = scanIntervalSeconds * 1000;
  const { windowEndMs, nextPassAtMs } = s.scheduler.peek();
  return backlogOf({
    nowMs,
    waiting: s.waiting,
    ready: Math.max(0, s.waiting - s.settling),
    sending: s.started && !s.stopping && !s.paused && s.uploader !== null,
    passInProgress: s.passInProgress,
    cap,
    windowMs,
    budgetLeft: s.scheduler.budget(),
    windowEndMs,
    nextPassAtMs,
    measuredPerMinute: measuredPerMinute(s.deliveries, nowMs, rateSpanMs(cap, windowMs)),
  });
}

function publish(s: AgentState): void {
  s.snapshot = buildStatus(s);
  for (const listener of s.listeners) {
    try {
      listener(s.snapshot);
    } catch {
      // a listener's bug must not stop the agent
    }
  }
  scheduleStatusWrite(s);
}

function scheduleStatusWrite(s: AgentState): void {
  if (s.options.statusFile === false || s.statusTimer !== null || !s.ledger) return;
  s.statusTimer = s.clock.setTimeout(() => {
    s.statusTimer = null;
    void flushStatusFile(s);
  }, STATUS_WRITE_GAP_MS);
  unrefTimer(s.statusTimer);
}

function flushStatusFile(s: AgentState): Promise<void> {
  if (s.options.statusFile === false) return Promise.resolve();
  const status = s.snapshot;
  const dir = s.config.stateDir;
  s.statusWriting = s.statusWriting
    .then(() => writeStatusFile(dir, status))
    .catch((err: Error) => {
      setProblem(s, 'status', `cannot write the status file in ${dir}: ${err.message}`);
    });
  return s.statusWriting;
}

/** A lasting problem is logged when it starts or changes and when it ends, not on every pass. */
function tellProblemChange(s: AgentState, key: string, message: string | null, endedLine: string): void {
  const previous = s.problems.get(key) ?? null;
  if (message !== null && message !== previous) s.log.warn(message);
  if (message === null && previous !== null) s.log.info(endedLine);
  setProblem(s, key, message);
}

function setProblem(s: AgentState, key: string, message: string | null): void {
  if (message === null) s.problems.delete(key);
  else s.problems.set(key, message);
}

async function openResources(s: AgentState): Promise<void> {
  const { config, log } = s;
  const ledger = await openLedger(config.stateDir);
  s.ledger = ledger;
  // "Last OK" after a restart is the last delivery in the record, not "never".
  const lastSentMs = ledger.lastSentAtMs();
  if (s.lastSuccessAt === null && lastSentMs !== null) s.lastSuccessAt = new Date(lastSentMs).toISOString();
  if (ledger.loadReport.corruptLines > 0) {
    log.warn(`the record in ${config.stateDir} had ${ledger.loadReport.corruptLines} unreadable lines; they were skipped`);
  }
  s.heldBack = await loadHeldBack(config.stateDir, config.holdBackAfterFailures);
  if (config.legacyStateFile !== '') {
    const imported = await importLegacyOnce(ledger, config.stateDir, config.legacyStateFile, importLegacy);
    if (imported) {
      log.info(
        `imported the legacy record ${config.legacyStateFile}: ${imported.imported} new, ${imported.alreadyKnown} already known, ${imported.invalid} invalid`,
      );
    }
  }
}

function openUploader(s: AgentState): void {
  s.uploader = null;
  setProblem(s, 'uploader', null);
  if (!s.config.forwardEnabled) return;
  try {
    s.uploader = createUploader(uploaderOptions(s.config));
  } catch (err) {
    const message = (err as Error).message;
    setProblem(s, 'uploader', message);
    s.log.error(message);
  }
}

// A watch on a folder that is missing or was deleted goes silent and never notices it come
// back: after such an error the watcher is made anew once a pass can read the folder again.
function startWatcher(s: AgentState): void {
  if (s.options.watch === false) return;
  s.watcherBroken = false;
  s.watcher = watchFolder(s.config.series3Path, () => requestPass(s, false), {
    clock: s.clock,
    onError: (err) => {
      s.watcherBroken = true;
      s.log.warn(`watching ${s.config.series3Path}: ${err.message}; the periodic pass still runs`);
    },
  });
}

async function restartWatcher(s: AgentState): Promise<void> {
  await s.watcher?.close().catch(() => undefined);
  s.watcher = null;
  if (!s.stopping) startWatcher(s);
}

function requestPass(s: AgentState, force: boolean): void {
  if (s.stopping || !s.started) return;
  if (s.passing || s.exclusive) {
    s.passAgain = true;
    return;
  }
  if (!s.scheduler.mayStartNow(force)) return;
  s.passing = doPass(s).finally(() => {
    s.passing = null;
    s.scheduler.passSettled();
    if (s.passAgain && !s.stopping) {
      s.passAgain = false;
      requestPass(s, false);
    }
  });
}

async function doPass(s: AgentState): Promise<void> {
  s.scheduler.passStarting();
  const { ledger, heldBack } = s;
  if (!ledger || !heldBack) return;
  s.passInProgress = true;
  publish(s);
  let outcome: PassOutcome | null = null;
  try {
    // The record deleted or replaced under us is written again from memory before anything is
    // sent; a failure to write it is ledger.writeProblem, which the pass reads.
    const journal = await ledger.checkJournal().catch(() => null);
    if (journal?.kind === 'rewritten') {
      s.log.warn(`the record ${journal.path} ${journal.reason}; wrote it again from memory (${journal.events} delivered events)`);
    }
    outcome = await runPass({
      config: s.config,
      ledger,
      uploader: s.paused ? null : s.uploader,
      backoff: s.backoff,
      heldBack,
      log: s.log,
      now: s.clock.now,
      budget: s.scheduler.budget(),
      readTroubles: s.readTroubles,
      shouldStop: () => s.paused || s.stopping,
      signal: s.abort.signal,
      onProgress: (progress) => {
        follow(s, progress);
        publish(s);
      },
    });
    absorb(s, outcome);
    // Forwarding on or off: the pass listed the monitor logs with the events.
    if (outcome.monitorLogs !== null) s.unitScan = await s.units.update(outcome.monitorLogs, s.clock.now());
    if (outcome.folderProblem === null && s.watcherBroken) await restartWatcher(s);
  } catch (err) {
    s.log.error(`pass failed: ${(err as Error).message}`);
    setProblem(s, 'pass', `the last pass failed: ${(err as Error).message}`);
  } finally {
    s.passInProgress = false;
    // The scheduler first, so the status published tells the next batch it has just armed.
    if (!s.stopping && s.started) s.scheduler.passEnded(outcome && passFacts(outcome), s.paused);
    publish(s);
  }
}

function passFacts(outcome: PassOutcome): { started: number; pending: number; nextReadyAtMs: number | null; mustRetry: boolean } {
  return {
    started: outcome.started,
    pending: outcome.pending,
    nextReadyAtMs: outcome.nextReadyAtMs,
    mustRetry: outcome.folderProblem !== null || outcome.recordProblem !== null,
  };
}

function logOutage(s: AgentState, step: OutageStep): void {
  s.outage = step.state;
  for (const line of step.lines) s.log[line.level](line.text);
}

/** Mid-pass: the status follows each answer, so a draining backlog never shows stale failure. */
function follow(s: AgentState, progress: PassProgress): void {
  const at = new Date(progress.last.atMs).toISOString();
  s.waiting = progress.remaining + s.settling;
  logOutage(
    s,
    progress.last.kind === 'transient'
      ? serverFailed(s.outage, { nowMs: progress.last.atMs, kind: 'request', reason: progress.last.reason, waiting: progress.remaining }, s.options.outageSummaryMs)
      : serverAnswered(s.outage, progress.last.atMs),
  );
  if (progress.last.kind === 'delivered') {
    noteDelivery(s.deliveries, progress.last.atMs);
    s.serverReachable = true;
    s.lastSuccessAt = at;
    s.failingSince = null;
    return;
  }
  s.serverReachable = progress.last.kind === 'permanent';
  s.lastFailureAt = at;
  s.lastFailureReason = progress.last.reason;
  // A refusal is one event's fault, not uploads failing: it is tried again and, refused again, held
  // back and shown as such; counting it here would keep the icon failing after a person dismissed it.
  if (progress.last.kind !== 'permanent') s.failingSince ??= at;
}

function absorb(s: AgentState, outcome: PassOutcome): void {
  s.settling = outcome.settling;
  s.waiting = outcome.pending + outcome.settling;
  tellProblemChange(s, 'folder', outcome.folderProblem, 'the watch folder can be read again');
  tellProblemChange(s, 'record', outcome.recordProblem, `the record in ${s.config.stateDir} can be written again; sending resumes`);
  for (const key of s.problems.keys()) if (key.startsWith('file:')) s.problems.delete(key);
  for (const file of outcome.unreadable) setProblem(s, `file:${file.filename}`, file.reason);
  setProblem(s, 'pass', null);
  if (outcome.serverReachable !== null) s.serverReachable = outcome.serverReachable;
  if (outcome.lastSuccessAtMs !== null) s.lastSuccessAt = new Date(outcome.lastSuccessAtMs).toISOString();
  if (outcome.lastFailure) {
    s.lastFailureAt = new Date(outcome.lastFailure.atMs).toISOString();
    s.lastFailureReason = outcome.lastFailure.reason;
  }
  s.failingSince = failingSinceAfter(outcome, s.failingSince);
  s.lastPass = passSummary(outcome);
  if (outcome.stoppedEarly && outcome.folderProblem === null && outcome.recordProblem === null) {
    logOutage(s, serverFailed(s.outage, { nowMs: s.clock.now(), kind: 'pass', reason: null, waiting: outcome.pending }, s.options.outageSummaryMs));
  }
  logPassLine(s, outcome);
}

function logPassLine(s: AgentState, outcome: PassOutcome): void {
  const happened = outcome.forwarded > 0 || outcome.errors > 0 || outcome.stoppedEarly;
  // During an outage a pass that sent nothing is in the outage's summary, not a line of its own.
  if (outcome.folderProblem !== null || !happened || (s.outage !== null && outcome.forwarded === 0)) return;
  s.log.info(
    `pass: ${outcome.forwarded} sent (${outcome.withReport} with report), ${outcome.errors} failed, ` +
      `${outcome.pending} ready and waiting, ${outcome.settling} settling, ${outcome.heldBack} held back, ` +
      `${outcome.seconds.toFixed(1)} s`,
  );
}

/** LOG_FILE, LOG_MAX_KB or the token (redacted from the log) changed: write with a new logger. */
function swapLogger(s: AgentState, previous: Config, next: Config): void {
  if (s.options.log) return;
  if (next.logFile === previous.logFile && next.logMaxKb === previous.logMaxKb && next.apiToken === previous.apiToken) return;
  s.log.close?.();
  s.log = (s.options.makeLog ?? loggerFor)(next);
}

/** Runs fn with no pass in progress and none starting until it ends (seed, new settings, stop). */
async function whileIdle<T>(s: AgentState, fn: () => Promise<T>): Promise<T> {
  while (s.exclusive) await s.exclusive.catch(() => undefined);
  const job = (async () => {
    while (s.passing) await s.passing;
    return fn();
  })();
  s.exclusive = job;
  try {
    return await job;
  } finally {
    s.exclusive = null;
    if (s.passAgain && !s.stopping) {
      s.passAgain = false;
      requestPass(s, true);
    }
  }
}

async function start(s: AgentState): Promise<void> {
  if (s.started) return;
  await openResources(s);
  openUploader(s);
  s.started = true;
  s.log.info(
    `started: series3-watcher ${APP_VERSION}, watching ${s.config.series3Path}, forwarding ${s.config.forwardEnabled ? `to ${s.config.sfmUrl}` : 'off'}, ` +
      `${s.ledger!.size} events in the record`,
  );
  startWatcher(s);
  requestPass(s, true);
}

async function stop(s: AgentState, graceMs: number | undefined): Promise<void> {
  if (s.stopping) return;
  // From here the running pass starts nothing new, and settings waiting for it are dropped.
  s.stopping = true;
  s.scheduler.stop();
  await s.watcher?.close().catch(() => undefined);
  s.watcher = null;
  if (s.passing) {
    let graceTimer: TimerHandle | null = null;
    const grace = new Promise<void>((resolve) => {
      graceTimer = s.clock.setTimeout(resolve, graceMs ?? s.options.stopGraceMs ?? 10_000);
      unrefTimer(graceTimer);
    });
    await Promise.race([s.passing, grace]);
    if (graceTimer !== null) s.clock.clearTimeout(graceTimer);
    s.abort.abort();
    await s.passing?.catch(() => undefined);
  }
  await s.exclusive?.catch(() => undefined);
  await s.heldBack?.save().catch(() => undefined);
  await s.uploader?.close().catch(() => undefined);
  if (s.statusTimer) s.clock.clearTimeout(s.statusTimer);
  s.statusTimer = null;
  s.snapshot = buildStatus(s);
  if (s.ledger) await flushStatusFile(s);
  await s.ledger?.close();
  s.log.info('stopped; the record is flushed');
  s.log.close?.();
  for (const listener of s.listeners) listener(s.snapshot);
}

function forwardNow(s: AgentState): void {
  if (s.paused || s.stopping) return;
  // A person asked: try the server now, even inside the back-off wait.
  s.backoff.success();
  s.scheduler.forgetWindow();
  requestPass(s, true);
}

function setPaused(s: AgentState, paused: boolean): void {
  if (s.paused === paused) return;
  s.paused = paused;
  s.log.info(paused ? 'paused by the user' : 'resumed');
  publish(s);
  if (!paused) requestPass(s, true);
}

async function retryHeldBack(s: AgentState, filenames?: readonly string[]): Promise<HeldBackChange> {
  const change = s.heldBack?.release(filenames) ?? { changed: [], notHeldBack: [...(filenames ?? [])] };
  if (change.changed.length > 0) s.log.info(`released for another try by a person: ${change.changed.join(', ')}`);
  publish(s);
  requestPass(s, true);
  await saveHeldBack(s);
  return change;
}

async function dismissHeldBack(s: AgentState, filenames: readonly string[]): Promise<HeldBackChange> {
  const change = s.heldBack?.dismiss(filenames) ?? { changed: [], notHeldBack: [...filenames] };
  if (change.changed.length > 0) s.log.info(`dismissed by a person (kept held back, no longer failing): ${change.changed.join(', ')}`);
  publish(s);
  await saveHeldBack(s);
  return change;
}

/** A person's retry or dismissal is written before it is answered, so it survives a restart that comes before the next pass. */
async function saveHeldBack(s: AgentState): Promise<void> {
  await s.heldBack?.save().catch((err: Error) => s.log.warn(`cannot write the held-back list in ${s.config.stateDir}: ${err.message}`));
}

async function applyConfig(s: AgentState, next: Config): Promise<void> {
  // A stop asked while these settings waited for the pass wins: they are dropped.
  if (s.stopping) return;
  const previous = s.config;
  const changed = changedKeys(previous, next);
  if (changed.length === 0) return;
  s.config = next;
  swapLogger(s, previous, next);
  await reopenRecord(s, previous, next);
  if (next.sfmUrl !== previous.sfmUrl || next.retryBaseSeconds !== previous.retryBaseSeconds || next.retryMaxSeconds !== previous.retryMaxSeconds) {
    s.backoff = newBackoff(next, s.options.random);
  }
  await s.uploader?.close().catch(() => undefined);
  openUploader(s);
  if (next.series3Path !== previous.series3Path) await restartWatcher(s);
  // The cap's window survives new settings: a changed interval moves the window's end, measured
  // from when the window opened, so a save never grants a fresh budget (item 14 of issue 7).
  s.scheduler.reshapeWindow(previous.scanIntervalSeconds * 1000, next.scanIntervalSeconds * 1000);
  s.passAgain = true;
  s.log.info(`new settings applied: ${changed.join(', ')}`);
  publish(s);
}

/** The record, the held-back list and the legacy import follow STATE_DIR and their own keys. */
async function reopenRecord(s: AgentState, previous: Config, next: Config): Promise<void> {
  if (next.stateDir !== previous.stateDir) {
    await s.ledger?.close();
    await openResources(s);
    return;
  }
  if (next.holdBackAfterFailures !== previous.holdBackAfterFailures) {
    s.heldBack = await loadHeldBack(next.stateDir, next.holdBackAfterFailures);
  }
  if (next.legacyStateFile !== previous.legacyStateFile && next.legacyStateFile !== '' && s.ledger) {
    const imported = await importLegacyOnce(s.ledger, next.stateDir, next.legacyStateFile, importLegacy);
    if (imported) s.log.info(`imported the legacy record ${next.legacyStateFile}: ${imported.imported} new, ${imported.alreadyKnown} already known`);
  }
}

function reportConfigProblem(s: AgentState, problems: readonly string[] | null): void {
  const shown = problems === null ? null : problems.join('; ');
  if (shown === s.lastConfigProblem) return;
  if (problems === null) {
    s.log.info('config.ini reads without problems again');
  } else {
    for (const problem of problems) s.log.warn(`config.ini: ${problem} (keeping the last good settings)`);
  }
  s.lastConfigProblem = shown;
  setProblem(s, 'config', shown === null ? null : `config.ini: ${shown} (the agent keeps the last good settings)`);
  publish(s);
}

async function seed(s: AgentState): Promise<SeedCounts> {
  const counts = await whileIdle(s, () => seedBacklog({ config: s.config, ledger: requireLedger(s), now: s.clock.now, preview: false }));
  s.log.info(
    `skipped the existing backlog: ${counts.scanned} scanned, ${counts.seeded} marked delivered, ` +
      `${counts.alreadyKnown} already known, ${counts.tooOld} too old`,
  );
  publish(s);
  return counts;
}

function requireLedger(s: AgentState): Ledger {
  if (!s.ledger) throw new Error('the agent is not started');
  return s.ledger;
}

function newBackoff(config: Config, random?: () => number): Backoff {
  return createBackoff({
    baseMs: config.retryBaseSeconds * 1000,
    maxMs: config.retryMaxSeconds * 1000,
    ...(random ? { random } : {}),
  });
}

function loggerFor(config: Config): Logger {
  return createFileLogger({ file: config.logFile, maxBytes: config.logMaxKb * 1024, secrets: [config.apiToken] });
}
