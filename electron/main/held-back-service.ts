// What the settings window's Retry and Dismiss buttons do: one held-back event, named by its
// file, asked of the agent through the worker, answered in words the page shows as they are.
// Electron-free (tested in Node and through the page in Chromium).
import type { HeldBackChange } from '../../src/agent/types.js';
import { errorMessage } from '../../src/text/errors.js';
import type { HeldBackAnswer, HeldBackRequest } from '../shared/settings-api.js';

/** Asks the agent (through the worker) to retry or dismiss the named held-back events. */
export type HeldBackRunner = (action: HeldBackRequest, filenames: readonly string[]) => Promise<HeldBackChange>;

export async function heldBackAnswer(run: HeldBackRunner, action: HeldBackRequest, filename: string): Promise<HeldBackAnswer> {
  try {
    const change = await run(action, [filename]);
    if (change.notHeldBack.length > 0) {
      // Delivered, dropped (its file left the folder) or retried elsewhere since the page was drawn.
      return { kind: 'failed', reason: `${filename} is no longer held back; the list shows what is now.` };
    }
    const done = action === 'retry' ? 'will be sent again in the next pass' : 'is dismissed: it stays held back and no longer counts as failing';
    return { kind: 'done', message: `${filename} ${done}.` };
  } catch (err) {
    return { kind: 'failed', reason: `Could not ${action} ${filename}: ${errorMessage(err)}` };
  }
}
