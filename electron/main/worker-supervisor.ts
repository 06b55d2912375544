// Keeps the worker (the utility process running the agent) alive from the main process:
// starts it, forwards commands, matches replies to requests, notices a crash, shows it as
// a "not running" status, and restarts it after a growing delay so a crash loop cannot
// spin. Electron-free: worker-host.ts supplies `spawn` with utilityProcess.fork; tests
// supply an in-memory worker.
import type { Config } from '../../src/config/types.js';
import type { AgentStatus } from '../../src/agent/status-types.js';
import type { MainToWorker, WorkerOp, WorkerRequests } from '../shared/worker-protocol.js';
import { decodeWorkerToMain } from './protocol-check.js';
import { idleStatus } from '../../src/agent/status-file.js';

export interface WorkerHandle {
  post(message: MainToWorker): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number) => void): void;
  kill(): void;
}

export interface StartArgs {
  readonly config: Config;
  readonly configPath: string;
}

export interface Clock {
  readonly now: () => number;
  readonly setTimeout: (fn: () => void, ms: number) => unknown;
  readonly clearTimeout: (handle: unknown) => void;
}

export interface SupervisorOptions {
  readonly spawn: () => WorkerHandle;
  /** Read on every (re)start: the saved settings with the token decrypted. */
  readonly startArgs: () => Promise<StartArgs>;
  readonly onStatus: (status: AgentStatus | null) => void;
  readonly log?: (line: string) => void;
  /** Delay before restart number 1, 2, ...; the last one repeats. */
  readonly restartDelaysMs?: readonly number[];
  /** A worker that stayed up this long starts the crash count afresh. */
  readonly stableAfterMs?: number;
  readonly requestTimeoutMs?: number;
  readonly clock?: Clock;
}

export const DEFAULT_RESTART_DELAYS_MS: readonly number[] = [1_000, 2_000, 5_000, 15_000, 30_000, 60_000];
export const DEFAULT_STOP_TIMEOUT_MS = 10_000;

export type SimpleCommand = 'forward-now' | 'pause' | 'resume' | 'retry-held-back';

export interface Supervisor {
  start(): void;
  send(command: SimpleCommand): void;
  applyConfig(config: Config): void;
  request<Op extends WorkerOp>(op: Op): Promise<WorkerRequests[Op]>;
  /** Asks the worker to stop (the agent flushes its record) and waits, at most timeoutMs, then kills it. */
  stop(timeoutMs?: number): Promise<'stopped' | 'killed' | 'not-running'>;
  lastStatus(): AgentStatus | null;
}

const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** The status the tray shows while the worker is down: the last one known, marked not running, with why. */
export function crashedStatus(last: AgentStatus | null, problem: string, nowMs: number, config: Config | null): AgentStatus {
  const base: AgentStatus = last ?? idleStatus(config, nowMs);
  return { ...base, updatedAt: new Date(nowMs).toISOString(), running: false, passInProgress: false, problems: [problem] };
}

export function createSupervisor(options: SupervisorOptions): Supervisor {
  const clock = options.clock ?? realClock;
  const delays = options.restartDelaysMs ?? DEFAULT_RESTART_DELAYS_MS;
  const stableAfterMs = options.stableAfterMs ?? 60_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 10 * 60_000;
  const log = options.log ?? (() => undefined);

  let worker: WorkerHandle | null = null;
  let startedAtMs = 0;
  let crashes = 0;
  let restartTimer: unknown = null;
  let stopping = false;
  let paused = false;
  let status: AgentStatus | null = null;
  let config: Config | null = null;
  let fatalMessage: string | null = null;
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: never) => void; reject: (e: Error) => void; timer: unknown }>();
  let stopped: (() => void) | null = null;

  function publish(next: AgentStatus | null): void {
    status = next;
    try {
      options.onStatus(next);
    } catch (err) {
      // A rendering bug must not throw inside the worker's message listener (it would take
      // the listener, and with it every later status, down); the status was checked already.
      log(`could not show the agent status: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  function failPending(reason: string): void {
    for (const [id, p] of pending) {
      clock.clearTimeout(p.timer);
      p.reject(new Error(reason));
      pending.delete(id);
    }
  }

  function launch(): void {
    restartTimer = null;
    if (stopping) return;
    const handle = options.spawn();
    worker = handle;
    startedAtMs = clock.now();
    fatalMessage = null;
    handle.onMessage((raw) => {
      if (worker !== handle) return;
      const message = decodeWorkerToMain(raw);
      if (message === null) {
        log('ignored a malformed message from the worker');
        return;
      }
      switch (message.type) {
        case 'status':
          publish(message.status);
          return;
        case 'started':
          log('worker started');
          if (paused) handle.post({ type: 'pause' });
          return;
        case 'fatal':
          fatalMessage = message.message;
          log(`worker: ${message.message}`);
          return;
        case 'stopped':
          stopped?.();
          return;
        case 'reply': {
          const p = pending.get(message.id);
          if (!p) return;
          pending.delete(message.id);
          clock.clearTimeout(p.timer);
          if (message.ok) p.resolve(message.value as never);
          else p.reject(new Error(message.error));
          return;
        }
      }
    });
    handle.onExit((code) => {
      if (worker !== handle) return;
      worker = null;
      if (stopping) {
        stopped?.();
        return;
      }
      failPending('The forwarding process stopped before it answered; try again in a moment.');
      // A worker that ran a while was not in a crash loop: start counting afresh.
      if (clock.now() - startedAtMs >= stableAfterMs) crashes = 0;
      const delayMs = delays[Math.min(crashes, delays.length - 1)] ?? 60_000;
      crashes += 1;
      const why = fatalMessage ?? `The forwarding process stopped unexpectedly (exit code ${code}).`;
      log(`${why} Restarting in ${Math.round(delayMs / 1000)} s.`);
      publish(crashedStatus(status, `${why} Restarting in ${Math.round(delayMs / 1000)} s.`, clock.now(), config));
      restartTimer = clock.setTimeout(launch, delayMs);
    });
    options
      .startArgs()
      .then((args) => {
        config = args.config;
        if (worker === handle) handle.post({ type: 'start', config: args.config, configPath: args.configPath });
      })
      .catch((err: unknown) => {
        // The settings could not be read: stop this worker; its exit goes through the crash path.
        fatalMessage = `Could not read the settings: ${err instanceof Error ? err.message : String(err)}`;
        handle.kill();
      });
  }

  return {
    start() {
      if (worker === null && restartTimer === null && !stopping) launch();
    },
    send(command) {
      if (command === 'pause') paused = true;
      if (command === 'resume') paused = false;
      worker?.post({ type: command });
    },
    applyConfig(next) {
      config = next;
      worker?.post({ type: 'apply-config', config: next });
    },
    request(op) {
      const handle = worker;
      if (handle === null) return Promise.reject(new Error('The forwarding process is restarting; try again in a moment.'));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = clock.setTimeout(() => {
          pending.delete(id);
          reject(new Error(`The forwarding process did not answer within ${Math.round(requestTimeoutMs / 1000)} s.`));
        }, requestTimeoutMs);
        pending.set(id, { resolve: resolve as (v: never) => void, reject, timer });
        handle.post({ type: 'request', id, op });
      });
    },
    async stop(timeoutMs = DEFAULT_STOP_TIMEOUT_MS) {
      stopping = true;
      if (restartTimer !== null) {
        clock.clearTimeout(restartTimer);
        restartTimer = null;
      }
      failPending('The application is quitting.');
      const handle = worker;
      if (handle === null) return 'not-running';
      const result = await new Promise<'stopped' | 'killed'>((resolve) => {
        const timer = clock.setTimeout(() => resolve('killed'), timeoutMs);
        stopped = () => {
          clock.clearTimeout(timer);
          resolve('stopped');
        };
        handle.post({ type: 'stop' });
      });
      stopped = null;
      worker = null;
      if (result === 'killed') handle.kill();
      return result;
    },
    lastStatus: () => status,
  };
}
