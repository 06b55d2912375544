// Runs the built `series3-watcher` (dist/src/cli/main.js) as a real child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { makeSite, type Site } from '../support/fixtures.js';
import { startReceiver, type Receiver, type ReceiverOptions } from '../support/receiver.js';

export const BIN = resolve('dist/src/cli/main.js');

export interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The last line of stdout parsed as JSON ({} when it is not). */
  readonly json: Record<string, unknown>;
  /** When the process ended (epoch ms). */
  readonly endedAt: number;
}

export interface Running {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly done: Promise<Ran>;
}

/** `env`: extra environment variables for the child (e.g. a short S3W_PROGRESS_EVERY_MS). */
export function startCli(args: readonly string[], env: Readonly<Record<string, string>> = {}): Running {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<Ran>((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(last) as Record<string, unknown>;
      } catch {
        // not a --json run
      }
      done({ code, stdout, stderr, json, endedAt: Date.now() });
    });
  });
  return { child, stdout: () => stdout, done };
}

export const cli = (args: readonly string[]): Promise<Ran> => startCli(args).done;

/** What each CLI test gets from useCliSite. */
export interface CliSite {
  readonly site: Site;
  readonly receiver: Receiver;
  /** `<site>/config.ini`, not written yet. */
  readonly configPath: string;
}

/**
 * Before each test: the built CLI is there, a site in a temp folder and a receiver on 127.0.0.1,
 * handed to `ready` (which usually writes config.ini); after each test, both are gone.
 */
export function useCliSite(tempPrefix: string, ready: (s: CliSite) => void | Promise<void>, receiverOptions: ReceiverOptions = {}): void {
  let current: CliSite | undefined;
  beforeEach(async () => {
    expect(existsSync(BIN), `${BIN} is built by 'npm test' (npm run build) before vitest`).toBe(true);
    const site = await makeSite(tempPrefix);
    const receiver = await startReceiver(receiverOptions);
    current = { site, receiver, configPath: join(site.root, 'config.ini') };
    await ready(current);
  });
  afterEach(async () => {
    await current?.receiver.close();
    await current?.site.cleanup();
    current = undefined;
  });
}
