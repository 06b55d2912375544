// One full pass from the command line (`series3-watcher once`), with the same parts the running
// agent uses: the record (locked while we work), held-back events, one uploader and back-off.
import type { Config } from '../config/types.js';
import { openLedger, importLegacy } from '../record/index.js';
import { createBackoff, createUploader, type Uploader } from '../upload/index.js';
import { loadHeldBack } from './held-back.js';
import { importLegacyOnce } from './legacy.js';
import type { Logger } from './logger.js';
import { stoppedEarlyLine } from './outage-log.js';
import { failingSinceAfter, passSummary, runPass, type PassOutcome, type PassProgress } from './pass.js';
import { seedBacklog } from './seed.js';
import { idleStatus, readStatusFile, writeStatusFile } from './status-file.js';
import type { AgentStatus } from './status-types.js';
import { factsOf, statusFrom } from './status-view.js';
import { uploaderOptions } from './check-server.js';
import type { SeedCounts } from './types.js';
import { stoppedBacklog } from './backlog.js';
import { APP_VERSION } from '../text/version.js';

export interface OnceOptions {
  readonly log: Logger;
  readonly dryRun?: boolean;
  readonly now?: () => number;
  /** Called after each event's outcome, so the CLI can tell how far a long pass is. */
  readonly onProgress?: (progress: PassProgress) => void;
}

export async function runOnce(config: Config, options: OnceOptions): Promise<PassOutcome> {
  const now = options.now ?? Date.now;
  const ledger = await openLedger(config.stateDir);
  let uploader: Uploader | null = null;
  try {
    if (config.legacyStateFile !== '') await importLegacyOnce(ledger, config.stateDir, config.legacyStateFile, importLegacy);
    const heldBack = await loadHeldBack(config.stateDir, config.holdBackAfterFailures);
    if (!options.dryRun) {
      uploader = createUploader(uploaderOptions(config));
    }
    const passed = await runPass({
      config,
      ledger,
      uploader,
      backoff: createBackoff({ baseMs: config.retryBaseSeconds * 1000, maxMs: config.retryMaxSeconds * 1000 }),
      heldBack,
      log: options.log,
      now,
      budget: config.maxForwardsPerPass === 0 ? Number.POSITIVE_INFINITY : config.maxForwardsPerPass,
      shouldStop: () => false,
      dryRun: options.dryRun ?? false,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    // Deliveries whose lines could not be written are kept by the ledger and tried once more here;
    // if that fails too the pass's outcome must say so (at most those are sent again next time).
    const unwritten = passed.recordProblem === null ? await ledger.flush().then(() => null, (err: Error) => err.message) : null;
    const outcome: PassOutcome = unwritten === null ? passed : { ...passed, recordProblem: unwritten, errors: passed.errors + 1 };
    if (!options.dryRun) {
      if (outcome.recordProblem !== null) options.log.error(outcome.recordProblem);
      if (outcome.stoppedEarly && outcome.folderProblem === null && outcome.recordProblem === null) {
        const line = stoppedEarlyLine(outcome.lastFailure?.reason ?? null, outcome.pending);
        options.log[line.level](line.text);
      }
      if (outcome.forwarded > 0 || outcome.errors > 0) {
        options.log.info(
          `pass (once): ${outcome.forwarded} sent (${outcome.withReport} with report), ${outcome.errors} failed, ${outcome.pending} left for later, ${outcome.seconds.toFixed(1)} s`,
        );
      }
      // No agent runs while we hold the record, so the status file is ours to bring up to date.
      // A full or read-only STATE_DIR must not hide the pass's own outcome (which says so).
      await writeStatusFile(config.stateDir, statusAfterOnce(config, outcome, await readStatusFile(config.stateDir), now(), ledger.recent())).catch(
        (err: Error) => options.log.error(`cannot write the status file in ${config.stateDir}: ${err.message}`),
      );
    }
    return outcome;
  } finally {
    await uploader?.close().catch(() => undefined);
    // The outcome already names a record that cannot be written; closing still releases the lock.
    await ledger.close().catch((err: Error) => options.log.error(err.message));
  }
}

export async function runSeed(config: Config, options: { readonly preview: boolean; readonly now?: () => number }): Promise<SeedCounts> {
  const ledger = await openLedger(config.stateDir);
  try {
    if (config.legacyStateFile !== '') await importLegacyOnce(ledger, config.stateDir, config.legacyStateFile, importLegacy);
    return await seedBacklog({ config, ledger, now: options.now ?? Date.now, preview: options.preview });
  } finally {
    await ledger.close();
  }
}

/** What `status` should say after a one-off pass: the last run's facts, updated by this one. */
function statusAfterOnce(config: Config, outcome: PassOutcome, previous: AgentStatus | null, nowMs: number, recent: AgentStatus['recent']): AgentStatus {
  const base = previous ?? idleStatus(config, nowMs);
  const iso = (ms: number): string => new Date(ms).toISOString();
  return statusFrom({
    ...factsOf(base),
    updatedAtMs: nowMs,
    agentVersion: APP_VERSION,
    pid: process.pid,
    running: false,
    paused: false,
    passInProgress: false,
    forwardEnabled: config.forwardEnabled,
    watchFolder: config.series3Path,
    serverUrl: config.sfmUrl,
    serverReachable: outcome.serverReachable ?? base.serverReachable,
    waiting: outcome.pending + outcome.settling,
    // Ready events left while the pass used its whole budget: the cap stopped it.
    backlog: stoppedBacklog(outcome.pending + outcome.settling, outcome.pending > 0 && config.maxForwardsPerPass > 0 && outcome.started >= config.maxForwardsPerPass),
    lastSuccessAt: outcome.lastSuccessAtMs !== null ? iso(outcome.lastSuccessAtMs) : base.lastSuccessAt,
    lastFailureAt: outcome.lastFailure ? iso(outcome.lastFailure.atMs) : base.lastFailureAt,
    lastFailureReason: outcome.lastFailure ? outcome.lastFailure.reason : base.lastFailureReason,
    failingSince: failingSinceAfter(outcome, base.failingSince),
    // No agent runs after a one-off pass, so no back-off holds anything.
    backoffUntilMs: null,
    lastPass: passSummary(outcome),
    recent,
    problems: [outcome.folderProblem, outcome.recordProblem, ...outcome.unreadable.map((file) => file.reason)].filter(
      (problem): problem is string => problem !== null,
    ),
  });
}
