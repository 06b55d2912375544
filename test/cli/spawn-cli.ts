// Runs the built `series3-watcher` (dist/src/cli/main.js) as a real child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

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
