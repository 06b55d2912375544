#!/usr/bin/env node
// The `series3-watcher` command: wires the CLI to the real process (stdio, signals, exit code).
import { runCli } from './run-cli.js';

// Every way a person or the system asks a console program to stop cleanly. On Windows, SIGTERM
// is a hard kill Node never sees, so the ones that matter there are Ctrl+C (SIGINT), Ctrl+Break
// (SIGBREAK) and closing the console window (SIGHUP, after which Windows ends the process about
// 10 s later). SIGBREAK can be listened for on every platform; only Windows sends it.
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

const untilStopped = (): Promise<string> =>
  new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      for (const name of STOP_SIGNALS) process.off(name, stop);
      // A second Ctrl+C while stopping: the default action (an immediate end) again.
      resolve(signal);
    };
    for (const name of STOP_SIGNALS) process.on(name, stop);
  });

// The reader went away (`series3-watcher status | head -1`, a closed console): that ends our
// output, not in an error. Later lines are dropped; `run` stops cleanly; the exit code is 0.
const gone = new Set<NodeJS.WriteStream>();
let onReaderGone: (() => void) | null = null;
const quietOnClosedPipe = (stream: NodeJS.WriteStream) => (err: NodeJS.ErrnoException): void => {
  if (err.code === 'EPIPE' || err.code === 'EOF' || err.code === 'ERR_STREAM_DESTROYED') {
    gone.add(stream);
    onReaderGone?.();
    return;
  }
  throw err;
};
process.stdout.on('error', quietOnClosedPipe(process.stdout));
process.stderr.on('error', quietOnClosedPipe(process.stderr));

const write = (stream: NodeJS.WriteStream, line: string): void => {
  if (!gone.has(stream)) stream.write(`${line}\n`);
};

// Tests make the progress lines of a long pass come sooner than every 10 s.
const progressEnv = Number(process.env['S3W_PROGRESS_EVERY_MS']);
const progressEveryMs = Number.isInteger(progressEnv) && progressEnv > 0 ? progressEnv : undefined;

runCli(process.argv.slice(2), {
  ...(progressEveryMs !== undefined ? { progressEveryMs } : {}),
  stdout: (line) => write(process.stdout, line),
  stderr: (line) => write(process.stderr, line),
  untilStopped: () =>
    Promise.race([untilStopped(), new Promise<string>((resolve) => (onReaderGone = () => resolve('EPIPE')))]),
}).then(
  (code) => {
    process.exitCode = gone.size > 0 ? 0 : code;
  },
  (err: unknown) => {
    write(process.stderr, `series3-watcher: unexpected error: ${(err as Error).stack ?? String(err)}`);
    process.exitCode = gone.size > 0 ? 0 : 2;
  },
);
