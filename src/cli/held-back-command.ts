// `series3-watcher held-back`, `retry [FILE…]` and `dismiss FILE…`: the held-back events as a
// list a person can act on. The list is the running agent's (its status.json) or, with none
// running, the one in STATE_DIR; times a person reads are local, the JSON keeps the status's ISO
// UTC ("…Z": it names its offset, and is what `status --json` and status.json carry).
// Changes are made only when no agent runs (see src/agent/held-back-actions.ts for why).
import type { Config } from '../config/types.js';
import { AgentRunningError, changeHeldBack, type HeldBackAction } from '../agent/held-back-actions.js';
import { currentStatus } from '../agent/status-read.js';
import { heldBackWords } from '../agent/status-view.js';
import type { HeldBackEvent } from '../agent/status-types.js';
import { localDateTime } from '../text/local-time.js';
import type { CliIo } from './run-cli.js';

const OK = 0;
const USAGE = 2;

/** One line per held-back event, as a person reads it. */
export function describeHeldBack(h: HeldBackEvent): string {
  const refusals = `${h.refusals} ${h.refusals === 1 ? 'refusal' : 'refusals'}`;
  return `${h.filename}  ${h.dismissed ? 'dismissed, ' : ''}held back since ${localDateTime(h.since)}, ${refusals}: ${h.reason}`;
}

export async function listHeldBack(config: Config, json: boolean, io: CliIo): Promise<number> {
  const status = await currentStatus(config);
  for (const h of status.heldBack) io.stdout(describeHeldBack(h));
  io.stdout(heldBackWords(status) ?? 'no held-back events');
  if (json) {
    const heldBack = status.heldBack.map(({ filename, reason, since, refusals, dismissed }) => ({ filename, reason, since, refusals, dismissed }));
    io.stdout(JSON.stringify({ heldBack }));
  }
  return OK;
}

export async function actOnHeldBack(config: Config, action: HeldBackAction, filenames: readonly string[], json: boolean, io: CliIo): Promise<number> {
  let change;
  try {
    change = await changeHeldBack(config, action, filenames);
  } catch (err) {
    if (!(err instanceof AgentRunningError)) throw err;
    io.stderr(`series3-watcher: ${err.message}`);
    if (json) io.stdout(JSON.stringify({ error: err.message }));
    return USAGE;
  }
  if (change.notHeldBack.length > 0) {
    const which = change.notHeldBack.join(', ');
    const message = `${which} ${change.notHeldBack.length === 1 ? 'is' : 'are'} not held back, so nothing was changed; 'series3-watcher held-back' lists the ones that are`;
    io.stderr(`series3-watcher: ${message}`);
    if (json) io.stdout(JSON.stringify({ error: message, notHeldBack: change.notHeldBack }));
    return USAGE;
  }
  const done = action === 'retry' ? 'released for another try' : 'dismissed (kept out of the queue, no longer failing)';
  io.stdout(change.changed.length === 0 ? 'no held-back events to retry' : `${done}: ${change.changed.join(', ')}`);
  if (json) io.stdout(JSON.stringify(action === 'retry' ? { released: change.changed.length, filenames: change.changed } : { dismissed: change.changed.length, filenames: change.changed }));
  return OK;
}
