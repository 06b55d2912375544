// A person's retry or dismissal of held-back events from the command line, when no agent runs.
// Taking the record's lock proves that: a running agent (`run` or the tray app) keeps the
// held-back list in memory and would write over a change made beside it, so then the change is
// refused with what to do instead (the tray's Held back page, or stop `run` first).
import type { Config } from '../config/types.js';
import { LedgerLockedError, openLedger } from '../record/index.js';
import { loadHeldBack, type HeldBackChange } from './held-back.js';

export type HeldBackAction = 'retry' | 'dismiss';

/** An agent runs on this STATE_DIR: the change must go through it. */
export class AgentRunningError extends Error {}

/** Retries (no names: every one not dismissed) or dismisses held-back events; all or nothing. */
export async function changeHeldBack(config: Config, action: HeldBackAction, filenames: readonly string[]): Promise<HeldBackChange> {
  const ledger = await openLedger(config.stateDir).catch((err: unknown) => {
    if (!(err instanceof LedgerLockedError)) throw err;
    throw new AgentRunningError(
      `cannot ${action} held-back events while ${err.pid === undefined ? 'another series3-watcher' : `series3-watcher (pid ${err.pid})`} ` +
        `runs on ${config.stateDir}: use the Held back page of the tray app's Settings window, or stop 'series3-watcher run' and try again`,
    );
  });
  try {
    const heldBack = await loadHeldBack(config.stateDir, config.holdBackAfterFailures);
    const change = action === 'retry' ? heldBack.release(filenames) : heldBack.dismiss(filenames);
    await heldBack.save();
    return change;
  } finally {
    await ledger.close();
  }
}
