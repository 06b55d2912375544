#!/usr/bin/env node
// The `series3-watcher` command: wires the CLI to the real process (stdio, signals, exit code).
import { runCli } from './run-cli.js';

const untilStopped = (): Promise<void> =>
  new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });

runCli(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  untilStopped,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`series3-watcher: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 2;
  },
);
