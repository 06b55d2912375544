// Windows lane: stopping `run` with Ctrl+C. Under Wine a Unix SIGINT sent to the Windows
// process becomes a console Ctrl+C event, which Windows Node reports as SIGINT (found when the
// lane was built: `kill -INT` reaches node's handler, no GenerateConsoleCtrlEvent helper needed).
// SIGTERM is not a clean stop on Windows (a hard kill there), so it is not used here.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { writeEvent, waitFor } from '../support/fixtures.js';
import { makeWinSite, type WinSite } from './support/win-site.js';
import { cliPath, startWindowsNode, toWindowsPath, winCli } from './support/wine.js';

let receiver: Receiver;
let site: WinSite;

beforeEach(async () => {
  receiver = await startReceiver();
  site = await makeWinSite(receiver.url);
});
afterEach(async () => {
  await receiver.close();
  await site.cleanup();
});

describe('Windows lane: stopping run', () => {
  it('windows: Ctrl+C (SIGINT) stops run cleanly: exit 0, the record flushed, "stopped" in the log', async () => {
    const names = ['M529LK44.AB0', 'S353L4H0.3M0W'];
    for (const name of names) await writeEvent(site.watchDir, name, { report: true });
    const agent = await startWindowsNode([toWindowsPath(cliPath), 'run', ...site.configArgs]);
    try {
      await waitFor(() => receiver.received().length === names.length, 'both deliveries', 60_000);
      // The log's "started" line comes before the first pass, so by now the handlers are set.
      await waitFor(async () => (await site.logText()).includes('delivered S353L4H0.3M0W'), 'the log line of the last delivery', 30_000);
    } catch (error) {
      agent.child.kill('SIGKILL');
      throw error;
    }

    agent.child.kill('SIGINT');
    const stopped = await Promise.race([
      agent.done,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('run did not stop within 30 s of Ctrl+C')), 30_000)),
    ]);
    expect(stopped.code, stopped.stdout + stopped.stderr).toBe(0);
    expect(stopped.stdout).toMatch(/stopped; 2 events in the record/);
    expect(await site.logText()).toMatch(/ INFO +stopped/);
    const record = await readFile(join(site.stateDir, 'delivered.jsonl'), 'utf8');
    for (const name of names) expect(record).toContain(name);

    // The lock went with it, and the record holds: the next once starts and sends nothing.
    const next = await winCli(['once', ...site.configArgs, '--json']);
    expect(next.code, next.stdout + next.stderr).toBe(0);
    expect(next.json).toMatchObject({ forwarded: 0, errors: 0 });
    expect(receiver.requests).toHaveLength(names.length);
  });

  // Item 11 asks for these two as clean stops. They need a console event, and the lane cannot
  // make one under Wine 8: the lane's Windows processes have no console (their output goes to
  // files, since Windows Node crashes on a Unix pipe), so a helper calling AttachConsole +
  // GenerateConsoleCtrlEvent gets ERROR_INVALID_HANDLE; and a Unix SIGHUP is not turned into
  // CTRL_CLOSE_EVENT: the process just dies of it (exit 129). Check them on a Windows PC.
  it.skip('item 11 / windows: closing the console (SIGHUP) stops run cleanly: Wine cannot send CTRL_CLOSE_EVENT to a console-less process', () => {});
  it.skip('item 11 / windows: Ctrl+Break (SIGBREAK) stops run cleanly: Wine cannot send CTRL_BREAK_EVENT to a console-less process', () => {});
});
