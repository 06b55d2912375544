// One full pass from the command line (`series3-watcher once`), with the same parts the running
// agent uses: the record (locked while we work), held-back events, one uploader and back-off.
import type { Config } from '../config/types.js';
import { openLedger, importLegacy } from '../record/index.js';
import { createBackoff, createUploader, type Uploader } from '../upload/index.js';
import { loadHeldBack } from './held-back.js';
import { importLegacyOnce } from './legacy.js';
import type { Logger } from './logger.js';
import { runPass, type PassOutcome } from './pass.js';
import { seedBacklog } from './seed.js';
import { uploaderOptions } from './check-server.js';
import type { SeedCounts } from './types.js';

export interface OnceOptions {
  readonly log: Logger;
  readonly dryRun?: boolean;
  readonly now?: () => number;
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
    const outcome = await runPass({
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
    });
    if (!options.dryRun && (outcome.forwarded > 0 || outcome.errors > 0)) {
      options.log.info(
        `pass (once): ${outcome.forwarded} sent (${outcome.withReport} with report), ${outcome.errors} failed, ${outcome.pending} left for later, ${outcome.seconds.toFixed(1)} s`,
      );
    }
    return outcome;
  } finally {
    await uploader?.close().catch(() => undefined);
    await ledger.close();
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
