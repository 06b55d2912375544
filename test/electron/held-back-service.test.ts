// Issue 10 item 2: what the Held back page's Retry and Dismiss answer (electron/main/held-back-service.ts).
import { describe, expect, it } from 'vitest';
import { heldBackAnswer, type HeldBackRunner } from '../../electron/main/held-back-service.js';

const runner = (change: { changed: string[]; notHeldBack: string[] }): { run: HeldBackRunner; calls: unknown[] } => {
  const calls: unknown[] = [];
  const run: HeldBackRunner = async (action, filenames) => {
    calls.push([action, filenames]);
    return change;
  };
  return { run, calls };
};

describe('Retry and Dismiss on the Held back page', () => {
  it('asks the agent for the one file named, and says what happens next', async () => {
    const { run, calls } = runner({ changed: ['M529LK44.AB0'], notHeldBack: [] });
    expect(await heldBackAnswer(run, 'retry', 'M529LK44.AB0')).toEqual({ kind: 'done', message: 'M529LK44.AB0 will be sent again in the next pass.' });
    expect(await heldBackAnswer(run, 'dismiss', 'M529LK44.AB0')).toEqual({
      kind: 'done',
      message: 'M529LK44.AB0 is dismissed: it stays held back and no longer counts as failing.',
    });
    expect(calls).toEqual([['retry', ['M529LK44.AB0']], ['dismiss', ['M529LK44.AB0']]]);
  });

  it('an event no longer held back (delivered, dropped, retried elsewhere) is said so, naming it', async () => {
    const answer = await heldBackAnswer(runner({ changed: [], notHeldBack: ['M529LK44.AB0'] }).run, 'dismiss', 'M529LK44.AB0');
    expect(answer).toEqual({ kind: 'failed', reason: 'M529LK44.AB0 is no longer held back; the list shows what is now.' });
  });

  it('a worker that cannot answer (restarting) gives a reason naming the file and the action', async () => {
    const answer = await heldBackAnswer(async () => Promise.reject(new Error('The forwarding process is restarting; try again in a moment.')), 'retry', 'M529LK44.AB0');
    expect(answer).toEqual({ kind: 'failed', reason: 'Could not retry M529LK44.AB0: The forwarding process is restarting; try again in a moment.' });
  });
});
