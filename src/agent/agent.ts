// The long-running agent: owns the record, the uploader, the server back-off, the watcher and
// the pass timer, runs one pass at a time, and keeps the status current (in memory, for
// listeners, and in <STATE_DIR>/status.json for other processes).
//
// When passes run: at start; every SCAN_INTERVAL_SECONDS (the safety net, which also opens a new
// cap window); soon after the watcher hints that the folder changed; when the earliest settling
// event becomes ready; when the server back-off ends. The per-pass cap
// (SFM_MAX_FORWARDS_PER_PASS) is a budget per interval window shared by every pass in it, so
// hint-driven passes never turn the steady drip into a burst.
import type { Config } from '../config/types.js';
import { changedKeys } from '../config/index.js';
import { openLedger, importLegacy, type Ledger } from '../record/index.js';
import { createBackoff, createUploader, type Backoff, type Uploader } from '../upload/index.js';
import { watchFolder } from '../scan/index.js';
import type { Agent, SeedCounts } from './types.js';
import type { AgentStatus, PassSummary } from './status-types.js';
import { loadHeldBack, type HeldBackTracker } from './held-back.js';
import { createFileLogger, type Logger } from './logger.js';
import { serverAnswered, serverFailed, type OutageState, type OutageStep } from './outage-log.js';
import { failingSinceAfter, passSummary, runPass, type PassOutcome, type PassProgress } from './pass.js';
import { createReadTroubles } from './read-troubles.js';
import { seedBacklog } from './seed.js';
import { uploaderOptions } from './check-server.js';
import { importLegacyOnce } from './legacy.js';
import { startOfLocalDay, writeStatusFile } from './status-file.js';
import { statusFrom } from './status-view.js';

export interface AgentOptions {
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

/** A pass started by a hint waits at least this long after the previous one (rename storms). */
const MIN_HINT_GAP_MS = 300;
/** Slack after a settling event's ready time, so the pass sees it ready. */
const READY_SLACK_MS = 20;
const STATUS_WRITE_GAP_MS = 500;
const FOLDER_RETRY_MS = 5000;

export function createAgent(initialConfig: Config, options: AgentOptions = {}): Agent {
  const now = options.now ?? Date.now;
  let config = initialConfig;
  const makeLog = options.makeLog ?? loggerFor;
  let log: Logger = options.log ?? makeLog(config);
  let ledger: Ledger | null = null;
  let uploader: Uploader | null = null;
  let heldBack: HeldBackTracker | null = null;
  let backoff: Backoff = newBackoff(config, options.random);
  let watcher: { close(): Promise<void> } | null = null;
  let timer: NodeJS.Timeout | null = null;
  let statusTimer: NodeJS.Timeout | null = null;
  let statusWriting: Promise<void> = Promise.resolve();

  let started = false;
  let stopping = false;
  let paused = false;
  let passing: Promise<void> | null = null;
  let exclusive: Promise<unknown> | null = null;
  let passAgain = false;
  let lastPassEndMs = 0;
  let windowStarted = 0;
  let nextPeriodicMs = 0;
  const abort = new AbortController();

  const listeners = new Set<(s: AgentStatus) => void>();
  let lastPass: PassSummary | null = null;
  let serverReachable: boolean | null = null;
  let lastSuccessAt: string | null = null;
  let lastFailureAt: string | null = null;
  let lastFailureReason: string | null = null;
  let failingSince: string | null = null;
  let waiting = 0;
  let settling = 0;
  let passInProgress = false;
  const problems = new Map<string, string>();
  // Files that could not be read, across passes: told once, shown while they last.
  const readTroubles = createReadTroubles();
  // The server outage in progress, as the log tells it (start, summaries, end): see outage-log.ts.
  let outage: OutageState = null;
  /** The config.ini problems now shown (null when the file reads well), so each is logged once. */
  let lastConfigProblem: string | null = null;
  let snapshot: AgentStatus = buildStatus();

  function buildStatus(): AgentStatus {
    const nowMs = now();
    return statusFrom({
      updatedAtMs: nowMs,
      pid: process.pid,
      running: started && !stopping,
      forwardEnabled: config.forwardEnabled,
      paused,
      passInProgress,
      watchFolder: config.series3Path,
      serverUrl: config.sfmUrl,
      serverReachable,
      deliveredTotal: ledger?.size ?? 0,
      deliveredToday: ledger?.countSince(startOfLocalDay(nowMs)) ?? 0,
      waiting,
      heldBack: heldBack?.list() ?? [],
      lastSuccessAt,
      lastFailureAt,
      lastFailureReason,
      backoffUntilMs: backoff.blockedUntil(),
      failingSince,
      lastPass,
      problems: [...problems.values()],
    });
  }

  function publish(): void {
    snapshot = buildStatus();
    for (const listener of listeners) {
      try {
        listener(snapshot);
      } catch {
        // a listener's bug must not stop the agent
      }
    }
    scheduleStatusWrite();
  }

  function scheduleStatusWrite(): void {
    if (options.statusFile === false || statusTimer !== null || !ledger) return;
    statusTimer = setTimeout(() => {
      statusTimer = null;
      void flushStatusFile();
    }, STATUS_WRITE_GAP_MS);
    statusTimer.unref?.();
  }

  function flushStatusFile(): Promise<void> {
    if (options.statusFile === false) return Promise.resolve();
    const status = snapshot;
    const dir = config.stateDir;
    statusWriting = statusWriting
      .then(() => writeStatusFile(dir, status))
      .catch((err: Error) => {
        setProblem('status', `cannot write the status file in ${dir}: ${err.message}`);
      });
    return statusWriting;
  }

  /** A lasting problem is logged when it starts or changes and when it ends, not on every pass. */
  function tellProblemChange(key: string, message: string | null, endedLine: string): void {
    const previous = problems.get(key) ?? null;
    if (message !== null && message !== previous) log.warn(message);
    if (message === null && previous !== null) log.info(endedLine);
    setProblem(key, message);
  }

  function setProblem(key: string, message: string | null): void {
    if (message === null) problems.delete(key);
    else problems.set(key, message);
  }

  async function openResources(): Promise<void> {
    ledger = await openLedger(config.stateDir);
    if (ledger.loadReport.corruptLines > 0) {
      log.warn(`the record in ${config.stateDir} had ${ledger.loadReport.corruptLines} unreadable lines; they were skipped`);
    }
    heldBack = await loadHeldBack(config.stateDir, config.holdBackAfterFailures);
    if (config.legacyStateFile !== '') {
      const imported = await importLegacyOnce(ledger, config.stateDir, config.legacyStateFile, importLegacy);
      if (imported) {
        log.info(
          `imported the legacy record ${config.legacyStateFile}: ${imported.imported} new, ${imported.alreadyKnown} already known, ${imported.invalid} invalid`,
        );
      }
    }
  }

  function openUploader(): void {
    uploader = null;
    setProblem('uploader', null);
    if (!config.forwardEnabled) return;
    try {
      uploader = createUploader(uploaderOptions(config));
    } catch (err) {
      const message = (err as Error).message;
      setProblem('uploader', message);
      log.error(message);
    }
  }

  // A watch on a folder that is missing or was deleted goes silent and never notices it come
  // back: after such an error the watcher is made anew once a pass can read the folder again.
  let watcherBroken = false;

  function startWatcher(): void {
    if (options.watch === false) return;
    watcherBroken = false;
    watcher = watchFolder(config.series3Path, () => requestPass(false), {
      onError: (err) => {
        watcherBroken = true;
        log.warn(`watching ${config.series3Path}: ${err.message}; the periodic pass still runs`);
      },
    });
  }

  async function restartWatcher(): Promise<void> {
    await watcher?.close().catch(() => undefined);
    watcher = null;
    if (!stopping) startWatcher();
  }

  function capBudget(): number {
    const cap = config.maxForwardsPerPass;
    return cap === 0 ? Number.POSITIVE_INFINITY : Math.max(0, cap - windowStarted);
  }

  function schedule(outcome: PassOutcome | null): void {
    if (timer) clearTimeout(timer);
    timer = null;
    if (stopping || !started) return;
    const nowMs = now();
    let wakeMs = nextPeriodicMs;
    // A missing folder (unplugged share, Blastware reinstall) is looked for again soon, and so is
    // a record that could not be written (a full disk someone is clearing).
    if (outcome?.folderProblem || outcome?.recordProblem) wakeMs = Math.min(wakeMs, nowMs + (options.folderRetryMs ?? FOLDER_RETRY_MS));
    if (outcome && !paused) {
      if (outcome.nextReadyAtMs !== null) wakeMs = Math.min(wakeMs, outcome.nextReadyAtMs + READY_SLACK_MS);
      const blocked = backoff.blockedUntil();
      if (outcome.pending > 0 && blocked > nowMs && capBudget() > 0) wakeMs = Math.min(wakeMs, blocked);
    }
    timer = setTimeout(() => {
      timer = null;
      requestPass(false);
    }, Math.max(0, wakeMs - nowMs));
  }

  function requestPass(force: boolean): void {
    if (stopping || !started) return;
    if (passing || exclusive) {
      passAgain = true;
      return;
    }
    const gap = lastPassEndMs + MIN_HINT_GAP_MS - now();
    if (!force && gap > 0 && now() < nextPeriodicMs) {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        requestPass(false);
      }, gap);
      return;
    }
    passing = doPass().finally(() => {
      passing = null;
      lastPassEndMs = now();
      if (passAgain && !stopping) {
        passAgain = false;
        requestPass(false);
      }
    });
  }

  async function doPass(): Promise<void> {
    const startMs = now();
    if (startMs >= nextPeriodicMs) {
      // The periodic full pass opens a new cap window.
      windowStarted = 0;
      nextPeriodicMs = startMs + config.scanIntervalSeconds * 1000;
    }
    if (!ledger || !heldBack) return;
    passInProgress = true;
    publish();
    let outcome: PassOutcome | null = null;
    try {
      // The record deleted or replaced under us is written again from memory before anything is
      // sent; a failure to write it is ledger.writeProblem, which the pass reads.
      const journal = await ledger.checkJournal().catch(() => null);
      if (journal?.kind === 'rewritten') {
        log.warn(`the record ${journal.path} ${journal.reason}; wrote it again from memory (${journal.events} delivered events)`);
      }
      outcome = await runPass({
        config,
        ledger,
        uploader: paused ? null : uploader,
        backoff,
        heldBack,
        log,
        now,
        budget: capBudget(),
        readTroubles,
        shouldStop: () => paused || stopping,
        signal: abort.signal,
        onProgress: (progress) => {
          follow(progress);
          publish();
        },
      });
      absorb(outcome);
      if (outcome.folderProblem === null && watcherBroken) await restartWatcher();
    } catch (err) {
      log.error(`pass failed: ${(err as Error).message}`);
      setProblem('pass', `the last pass failed: ${(err as Error).message}`);
    } finally {
      passInProgress = false;
      publish();
      schedule(outcome);
    }
  }

  function logOutage(step: OutageStep): void {
    outage = step.state;
    for (const line of step.lines) log[line.level](line.text);
  }

  /** Mid-pass: the status follows each answer, so a draining backlog never shows stale failure. */
  function follow(progress: PassProgress): void {
    const at = new Date(progress.last.atMs).toISOString();
    waiting = progress.remaining + settling;
    logOutage(
      progress.last.kind === 'transient'
        ? serverFailed(outage, { nowMs: progress.last.atMs, kind: 'request', reason: progress.last.reason, waiting: progress.remaining }, options.outageSummaryMs)
        : serverAnswered(outage, progress.last.atMs),
    );
    if (progress.last.kind === 'delivered') {
      serverReachable = true;
      lastSuccessAt = at;
      failingSince = null;
      return;
    }
    serverReachable = progress.last.kind === 'permanent';
    lastFailureAt = at;
    lastFailureReason = progress.last.reason;
    failingSince ??= at;
  }

  function absorb(outcome: PassOutcome): void {
    windowStarted += outcome.started;
    settling = outcome.settling;
    waiting = outcome.pending + outcome.settling;
    tellProblemChange('folder', outcome.folderProblem, 'the watch folder can be read again');
    tellProblemChange('record', outcome.recordProblem, `the record in ${config.stateDir} can be written again; sending resumes`);
    for (const key of problems.keys()) if (key.startsWith('file:')) problems.delete(key);
    for (const file of outcome.unreadable) setProblem(`file:${file.filename}`, file.reason);
    setProblem('pass', null);
    if (outcome.serverReachable !== null) serverReachable = outcome.serverReachable;
    if (outcome.lastSuccessAtMs !== null) {
      lastSuccessAt = new Date(outcome.lastSuccessAtMs).toISOString();
    }
    if (outcome.lastFailure) {
      lastFailureAt = new Date(outcome.lastFailure.atMs).toISOString();
      lastFailureReason = outcome.lastFailure.reason;
    }
    failingSince = failingSinceAfter(outcome, failingSince);
    lastPass = passSummary(outcome);
    if (outcome.stoppedEarly && outcome.folderProblem === null && outcome.recordProblem === null) {
      logOutage(serverFailed(outage, { nowMs: now(), kind: 'pass', reason: null, waiting: outcome.pending }, options.outageSummaryMs));
    }
    if (outcome.folderProblem === null && ((outcome.forwarded > 0 || outcome.errors > 0 || outcome.stoppedEarly) && (outage === null || outcome.forwarded > 0))) {
      // During an outage a pass that sent nothing is in the outage's summary, not a line of its own.
      log.info(
        `pass: ${outcome.forwarded} sent (${outcome.withReport} with report), ${outcome.errors} failed, ` +
          `${outcome.pending} ready and waiting, ${outcome.settling} settling, ${outcome.heldBack} held back, ` +
          `${outcome.seconds.toFixed(1)} s`,
      );
    }
  }

  /** LOG_FILE, LOG_MAX_KB or the token (redacted from the log) changed: write with a new logger. */
  function swapLogger(previous: Config, next: Config): void {
    if (options.log) return;
    if (next.logFile === previous.logFile && next.logMaxKb === previous.logMaxKb && next.apiToken === previous.apiToken) return;
    log.close?.();
    log = makeLog(next);
  }

  /** The cap's window survives new settings: a changed interval moves the window's end, measured
   * from when the window opened, so a save never grants a fresh budget (item 14 of issue 7). */
  function reshapeCapWindow(previous: Config, next: Config): void {
    if (nextPeriodicMs === 0 || next.scanIntervalSeconds === previous.scanIntervalSeconds) return;
    nextPeriodicMs += (next.scanIntervalSeconds - previous.scanIntervalSeconds) * 1000;
  }

  /** Runs fn with no pass in progress and none starting until it ends (seed, new settings, stop). */
  async function whileIdle<T>(fn: () => Promise<T>): Promise<T> {
    while (exclusive) await exclusive.catch(() => undefined);
    const job = (async () => {
      while (passing) await passing;
      return fn();
    })();
    exclusive = job;
    try {
      return await job;
    } finally {
      exclusive = null;
      if (passAgain && !stopping) {
        passAgain = false;
        requestPass(true);
      }
    }
  }

  const agent: Agent = {
    async start() {
      if (started) return;
      await openResources();
      openUploader();
      started = true;
      log.info(
        `started: watching ${config.series3Path}, forwarding ${config.forwardEnabled ? `to ${config.sfmUrl}` : 'off'}, ` +
          `${ledger!.size} events in the record`,
      );
      startWatcher();
      requestPass(true);
    },

    async stop(stopOptions?: { readonly graceMs?: number }) {
      if (stopping) return;
      // From here the running pass starts nothing new, and settings waiting for it are dropped.
      stopping = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await watcher?.close().catch(() => undefined);
      watcher = null;
      if (passing) {
        const grace = new Promise<void>((resolve) => setTimeout(resolve, stopOptions?.graceMs ?? options.stopGraceMs ?? 10_000).unref());
        await Promise.race([passing, grace]);
        abort.abort();
        await passing?.catch(() => undefined);
      }
      await exclusive?.catch(() => undefined);
      await heldBack?.save().catch(() => undefined);
      await uploader?.close().catch(() => undefined);
      if (statusTimer) clearTimeout(statusTimer);
      statusTimer = null;
      snapshot = buildStatus();
      if (ledger) await flushStatusFile();
      await ledger?.close();
      log.info('stopped; the record is flushed');
      log.close?.();
      for (const listener of listeners) listener(snapshot);
    },

    forwardNow() {
      if (paused || stopping) return;
      // A person asked: try the server now, even inside the back-off wait.
      backoff.success();
      nextPeriodicMs = 0;
      requestPass(true);
    },

    pause() {
      if (paused) return;
      paused = true;
      log.info('paused by the user');
      publish();
    },

    resume() {
      if (!paused) return;
      paused = false;
      log.info('resumed');
      publish();
      requestPass(true);
    },

    retryHeldBack() {
      const released = heldBack?.releaseAll() ?? 0;
      if (released > 0) log.info(`${released} held-back events released for another try`);
      void heldBack?.save();
      publish();
      requestPass(true);
    },

    async applyConfig(next: Config) {
      await whileIdle(async () => {
        // A stop asked while these settings waited for the pass wins: they are dropped.
        if (stopping) return;
        const previous = config;
        const changed = changedKeys(previous, next);
        if (changed.length === 0) return;
        config = next;
        swapLogger(previous, next);
        if (next.stateDir !== previous.stateDir) {
          await ledger?.close();
          await openResources();
        } else {
          if (next.holdBackAfterFailures !== previous.holdBackAfterFailures) {
            heldBack = await loadHeldBack(next.stateDir, next.holdBackAfterFailures);
          }
          if (next.legacyStateFile !== previous.legacyStateFile && next.legacyStateFile !== '' && ledger) {
            const imported = await importLegacyOnce(ledger, next.stateDir, next.legacyStateFile, importLegacy);
            if (imported) log.info(`imported the legacy record ${next.legacyStateFile}: ${imported.imported} new, ${imported.alreadyKnown} already known`);
          }
        }
        if (next.sfmUrl !== previous.sfmUrl || next.retryBaseSeconds !== previous.retryBaseSeconds || next.retryMaxSeconds !== previous.retryMaxSeconds) {
          backoff = newBackoff(next, options.random);
        }
        await uploader?.close().catch(() => undefined);
        openUploader();
        if (next.series3Path !== previous.series3Path) await restartWatcher();
        reshapeCapWindow(previous, next);
        passAgain = true;
        log.info(`new settings applied: ${changed.join(', ')}`);
        publish();
      });
    },

    reportConfigProblem(problems: readonly string[] | null) {
      const shown = problems === null ? null : problems.join('; ');
      if (shown === lastConfigProblem) return;
      if (problems === null) {
        log.info('config.ini reads without problems again');
      } else {
        for (const problem of problems) log.warn(`config.ini: ${problem} (keeping the last good settings)`);
      }
      lastConfigProblem = shown;
      setProblem('config', shown === null ? null : `config.ini: ${shown} (the agent keeps the last good settings)`);
      publish();
    },

    seedPreview() {
      return whileIdle(() => seedBacklog({ config, ledger: requireLedger(), now, preview: true }));
    },

    async seed(): Promise<SeedCounts> {
      const counts = await whileIdle(() => seedBacklog({ config, ledger: requireLedger(), now, preview: false }));
      log.info(
        `skipped the existing backlog: ${counts.scanned} scanned, ${counts.seeded} marked delivered, ` +
          `${counts.alreadyKnown} already known, ${counts.tooOld} too old`,
      );
      publish();
      return counts;
    },

    status: () => snapshot,

    onStatus(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };

  function requireLedger(): Ledger {
    if (!ledger) throw new Error('the agent is not started');
    return ledger;
  }

  return agent;
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
