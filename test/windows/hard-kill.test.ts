// Windows lane: a hard kill (Task Manager, `taskkill /F`, a power cut) and then pid reuse.
// Wine numbers processes from 32 again after its server restarts, as Windows does after a
// reboot, so the dead agent's pid soon belongs to another live program. The next start must
// not need a person to delete anything.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { writeEvent, waitFor } from '../support/fixtures.js';
import { makeWinSite, type WinSite } from './support/win-site.js';
import { cliPath, holdFile, restartWineServer, startWindowsNode, toWindowsPath, winCli, type HeldFile } from './support/wine.js';

let receiver: Receiver;
let site: WinSite;
let other: HeldFile | undefined;

beforeEach(async () => {
  receiver = await startReceiver();
  site = await makeWinSite(receiver.url);
});
afterEach(async () => {
  await other?.release();
  other = undefined;
  await receiver.close();
  await site.cleanup();
});

const recordText = (): Promise<string> => readFile(join(site.stateDir, 'delivered.jsonl'), 'utf8').catch(() => '');

/**
 * Starts `run` as the first program after a "reboot", lets it deliver three events, kills it
 * hard, "reboots" again and starts another program first, which gets the dead agent's pid.
 */
async function crashThenReuseItsPid(): Promise<void> {
  const names = ['M529LK44.AB0', 'S353L4H0.3M0W', 'P036L318.C80H'];
  for (const name of names) await writeEvent(site.watchDir, name, { report: true });
  restartWineServer();
  const agent = await startWindowsNode([toWindowsPath(cliPath), 'run', ...site.configArgs]);
  let agentPid: number | undefined;
  try {
    await waitFor(async () => names.every((n) => receiver.received().some((r) => r.filename === n)), 'the three deliveries', 60_000);
    await waitFor(async () => {
      const text = await recordText();
      return names.every((n) => text.includes(n));
    }, 'the three record lines', 30_000);
    // The running agent's status names its Windows pid (what its lock holds too).
    agentPid = await waitFor(async () => {
      const status = await readFile(join(site.stateDir, 'status.json'), 'utf8').catch(() => '{}');
      return (JSON.parse(status) as { pid?: number }).pid;
    }, 'the running agent\'s status.json', 30_000);
  } catch (error) {
    agent.child.kill('SIGKILL');
    throw error;
  }

  agent.child.kill('SIGKILL');
  const killed = await agent.done;
  expect(killed.signal).toBe('SIGKILL');

  // The reboot: every Windows process ends, and pids start again from 32.
  restartWineServer();
  await writeFile(join(site.root, 'notes.txt'), 'a document another program has open\r\n');
  other = await holdFile(join(site.root, 'notes.txt'));
  expect(other.windowsPid, "Wine handed the dead agent's pid to the next program, as after a reboot").toBe(agentPid);
}

describe('Windows lane: hard kill', () => {
  it('item 4 / windows: after a hard kill and pid reuse by another live program, the next once starts without a person', async () => {
    await crashThenReuseItsPid();
    await writeEvent(site.watchDir, 'M529LK45.AB0', { report: true, ageSeconds: 300 });
    const next = await winCli(['once', ...site.configArgs, '--json'], 90_000);
    expect(next.code, next.stdout + next.stderr).toBe(0);
    expect(next.json).toMatchObject({ forwarded: 1, errors: 0 });
    expect(receiver.received()).toHaveLength(4);
  });

  it('windows: after a hard kill and pid reuse by another live program, status does not call the dead agent running', async () => {
    await crashThenReuseItsPid();
    const status = await winCli(['status', ...site.configArgs, '--json']);
    expect(status.code, status.stdout + status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^agent: not running/m);
    expect(status.json).toMatchObject({ running: false, deliveredTotal: 3 });
  });
});
