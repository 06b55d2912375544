// How the built CLI ends (item 11 of issue 7), as a real child process: every clean-stop signal a
// console program gets on Windows stops `run` with the record flushed (Ctrl+C is SIGINT, closing
// the console SIGHUP; SIGBREAK, Ctrl+Break, cannot be sent on Linux), and a reader that goes away
// (`status | head -1`) ends the output quietly, never with a stack trace.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { makeSite, waitFor, writeEvent, type Site } from '../support/fixtures.js';
import { BIN, startCli } from './spawn-cli.js';

let site: Site;
let receiver: Receiver;
let configPath: string;
let logPath: string;

beforeEach(async () => {
  expect(existsSync(BIN), `${BIN} is built by 'npm test' (npm run build) before vitest`).toBe(true);
  site = await makeSite('s3w-cli-stop-');
  receiver = await startReceiver();
  configPath = join(site.root, 'config.ini');
  logPath = join(site.root, 'agent.log');
  await writeFile(
    configPath,
    `[watcher]\nSERIES3_PATH = ${site.watchDir}\nSFM_FORWARD_ENABLED = true\nSFM_URL = ${receiver.url}\n` +
      `SFM_QUIESCENCE_SECONDS = 0.2\nSTATE_DIR = state\nLOG_FILE = ${logPath}\n`,
  );
});
afterEach(async () => {
  await receiver.close();
  await site.cleanup();
});

/** Runs the CLI with its stdout's reader already gone, as after `| head -1` has read its line. */
function withClosedStdout(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stderr }));
  });
}

describe('item 11: stopping run and closed pipes', () => {
  it.each(['SIGHUP', 'SIGINT', 'SIGTERM'] as const)('item 11: %s stops run cleanly: exit 0, the record flushed', async (signal) => {
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
    const run = startCli(['run', '--config', configPath, '--json']);
    await waitFor(() => receiver.requests.length === 1, 'the delivery');
    await waitFor(() => run.stdout().includes('watching'), 'run to say it is watching');
    run.child.kill(signal);
    const ran = await run.done;
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.json).toMatchObject({ running: false, deliveredTotal: 1 });
    expect(await readFile(logPath, 'utf8')).toMatch(/stopped; the record is flushed/);
  });

  it('item 11: status whose reader has gone (status | head -1) exits 0 with no stack trace', async () => {
    const ran = await withClosedStdout(['status', '--config', configPath, '--json']);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
  });

  it('item 11: run whose output reader has gone stops cleanly and quietly, the record flushed', async () => {
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
    const ran = await withClosedStdout(['run', '--config', configPath]);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(await readFile(logPath, 'utf8')).toMatch(/stopped; the record is flushed/);
  });
});
