// The stand-in's utilityProcess: Electron's fork() on top of child_process.fork, with the
// same message API on the main side (postMessage, 'spawn', 'message' with the message
// itself, 'exit' with a number, kill) and `process.parentPort` in the child (parent-port.ts).
// Messages are structured-cloned ('advanced' serialization), as Electron's are.
//
// Not reproduced: the Chromium service sandbox and serviceName; transferable MessagePorts;
// an exit caused by a signal reports 128 + the signal's number (a shell's convention; Electron
// reports what the OS does); stdio 'pipe' is treated as 'inherit' (stdout and stderr then
// belong to the test's log of the main process); `pid` stays readable after the exit (Electron's
// becomes undefined, which is why worker-host.ts keeps it from the 'spawn' event).
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { constants } from 'node:os';
import type { AppToTest } from './boot-protocol.js';

const PARENT_PORT_URL = new URL('./parent-port.js', import.meta.url).href;

export interface ForkOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly serviceName?: string;
  readonly stdio?: unknown;
}

function exitCode(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const signalNumber = signal === null ? undefined : constants.signals[signal];
  return signalNumber === undefined ? 1 : 128 + signalNumber;
}

export class UtilityProcess extends EventEmitter {
  readonly pid: number | undefined;
  readonly #child: ChildProcess;

  constructor(modulePath: string, args: readonly string[], options: ForkOptions, report: (message: AppToTest) => void) {
    super();
    this.#child = fork(modulePath, [...args], {
      // Only the parentPort bridge: the worker never sees the 'electron' hook of the main process.
      execArgv: ['--import', PARENT_PORT_URL],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: options.env ?? process.env,
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    });
    const child = this.#child;
    this.pid = child.pid;
    if (child.pid !== undefined) report({ type: 'worker-spawned', pid: child.pid, modulePath });
    child.on('spawn', () => this.emit('spawn'));
    child.on('message', (message: unknown) => this.emit('message', message));
    child.on('error', (err) => process.stderr.write(`[stand-in] utility process ${modulePath}: ${err.message}\n`));
    child.on('exit', (code, signal) => {
      report({ type: 'worker-exited', pid: child.pid ?? -1, code, signal });
      this.emit('exit', exitCode(code, signal));
    });
  }

  postMessage(message: unknown): void {
    // Electron drops a message to a process that has gone; child.send would throw instead.
    if (this.#child.connected) this.#child.send(message as never);
  }

  kill(): boolean {
    return this.#child.kill();
  }
}

export function createUtilityProcessModule(report: (message: AppToTest) => void) {
  return {
    fork: (modulePath: string, args: readonly string[] = [], options: ForkOptions = {}): UtilityProcess =>
      new UtilityProcess(modulePath, args, options, report),
  };
}
