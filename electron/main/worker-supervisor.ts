// Keeps the worker (the utility process running the agent) alive from the main process:
// starts it, forwards commands, matches replies to requests, notices a crash, shows it as
// a "not running" status, and restarts it after a growing delay so a crash loop cannot
// spin. Electron-free: worker-host.ts supplies `spawn` with utilityProcess.fork; tests
// supply an in-memory worker.
import type { Config } from '../../src/config/types.js';
import type { AgentStatus } from '../../src/agent/status-types.js';
import type { MainToWorker, WorkerOp, WorkerRequests } from '../shared/worker-protocol.js';
import { decodeWorkerToMain } from '../shared/protocol-check.js';
import { idleStatus } from '../../src/agent/status-file.js';
import { factsOf, statusFrom } from '../../src/agent/status-view.js';
import { stoppedBacklog } from '../../src/agent/backlog.js';
import { releaseLockOfExited } from '../../src/record/state-lock.js';

export interface WorkerHandle {
  /** The worker's process id once it runs (kept after it exits), when it is a process of its own. */
  readonly pid?: number | undefined;
  post(message: MainToWorker): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number) => void): void;
  kill(): void;
}

export interface StartArgs {
  readonly config: Config;
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
  return statusFrom({
    ...factsOf(base),
    updatedAtMs: nowMs,
    running: false,
    passInProgress: false,
    // Nothing goes out while the worker is down.
    backlog: stoppedBacklog(base.waiting, base.backlog.capReached),
    problems: [problem],
  });
}

/** A request sent to the worker and not answered yet. */
interface PendingRequest {
  readonly resolve: (value: never) => void;
  readonly reject: (error: Error) => void;
  /** Rejects the request when the worker does not answer in time. */
  readonly timer: unknown;
}

/** What the supervisor keeps between the worker's messages and exits. */
interface SupervisorState {
  readonly options: SupervisorOptions;
  readonly clock: Clock;
  readonly log: (line: string) => void;
  /** The running worker, or null while it restarts or after stop. */
  worker: WorkerHandle | null;
  /** When the current worker was spawned: one that stays up stableAfterMs resets the crash count. */
  startedAtMs: number;
  /** Crashes in a row: picks the next restart delay. */
  crashes: number;
  /** The pending restart, or null. */
  restartTimer: unknown;
  /** stop() was called: an exit is expected and nothing restarts. */
  stopping: boolean;
  /** The person paused forwarding: a restarted worker is paused again at once. */
  paused: boolean;
  /** The last status shown (the worker's, or the crashed stand-in), null before the first. */
  status: AgentStatus | null;
  /** The settings the worker runs on, for the crashed stand-in status before any status came. */
  config: Config | null;
  /** The worker's own last words before it exits (shown instead of a bare exit code). */
  fatalMessage: string | null;
  /** The id of the next request. */
  nextId: number;
  readonly pending: Map<number, PendingRequest>;
  /** Resolves stop()'s wait when the worker says 'stopped' or exits. */
  stopped: (() => void) | null;
  /** The crashed worker's record lock being handed over; the next worker starts after it. */
  handover: Promise<unknown>;
}

function publish(s: SupervisorState, next: AgentStatus | null): void {
  s.status = next;
  try {
    s.options.onStatus(next);
  } catch (err) {
    // A rendering bug must not throw inside the worker's message listener (it would take
    // the listener, and with it every later status, down); the status was checked already.
    s.log(`could not show the agent status: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function failPending(s: SupervisorState, reason: string): void {
  for (const [id, p] of s.pending) {
    s.clock.clearTimeout(p.timer);
    p.reject(new Error(reason));
    s.pending.delete(id);
  }
}

function onWorkerMessage(s: SupervisorState, handle: WorkerHandle, raw: unknown): void {
  if (s.worker !== handle) return;
  const message = decodeWorkerToMain(raw);
  if (message === null) {
    s.log('ignored a malformed message from the worker');
    return;
  }
  switch (message.type) {
    case 'status':
      publish(s, message.status);
      return;
    case 'started':
      s.log('worker started');
      if (s.paused) handle.post({ type: 'pause' });
      return;
    case 'fatal':
      s.fatalMessage = message.message;
      s.log(`worker: ${message.message}`);
      return;
    case 'stopped':
      s.stopped?.();
      return;
    case 'reply': {
      const p = s.pending.get(message.id);
      if (!p) return;
      s.pending.delete(message.id);
      s.clock.clearTimeout(p.timer);
      if (message.ok) p.resolve(message.value as never);
      else p.reject(new Error(message.error));
      return;
    }
  }
}

function onWorkerExit(s: SupervisorState, handle: WorkerHandle, code: number): void {
  if (s.worker !== handle) return;
  s.worker = null;
  if (s.stopping) {
    s.stopped?.();
    return;
  }
  failPending(s, 'The forwarding process stopped before it answered; try again in a moment.');
  // A worker that ran a while was not in a crash loop: start counting afresh.
  if (s.clock.now() - s.startedAtMs >= (s.options.stableAfterMs ?? 60_000)) s.crashes = 0;
  const delays = s.options.restartDelaysMs ?? DEFAULT_RESTART_DELAYS_MS;
  const delayMs = delays[Math.min(s.crashes, delays.length - 1)] ?? 60_000;
  s.crashes += 1;
  // The dead worker cannot heartbeat its record lock any more: remove it now rather than make
  // the next worker wait out the lock's stale time (10 s) before it can send again.
  const pid = handle.pid;
  if (pid !== undefined && s.config !== null) {
    const stateDir = s.config.stateDir;
    s.handover = releaseLockOfExited(stateDir, pid).then(
      (released) => released && s.log(`took back the record lock of the stopped worker (pid ${pid})`),
      (err: unknown) => s.log(`could not take back the record lock in ${stateDir}: ${err instanceof Error ? err.message : String(err)}`),
    );
  }
  const why = s.fatalMessage ?? `The forwarding process stopped unexpectedly (exit code ${code}).`;
  s.log(`${why} Restarting in ${Math.round(delayMs / 1000)} s.`);
  publish(s, crashedStatus(s.status, `${why} Restarting in ${Math.round(delayMs / 1000)} s.`, s.clock.now(), s.config));
  s.restartTimer = s.clock.setTimeout(() => launch(s), delayMs);
}

function launch(s: SupervisorState): void {
  s.restartTimer = null;
  if (s.stopping) return;
  const handle = s.options.spawn();
  s.worker = handle;
  s.startedAtMs = s.clock.now();
  s.fatalMessage = null;
  handle.onMessage((raw) => onWorkerMessage(s, handle, raw));
  handle.onExit((code) => onWorkerExit(s, handle, code));
  Promise.all([s.options.startArgs(), s.handover])
    .then(([args]) => {
      s.config = args.config;
      if (s.worker === handle) handle.post({ type: 'start', config: args.config });
    })
    .catch((err: unknown) => {
      // The settings could not be read: stop this worker; its exit goes through the crash path.
      s.fatalMessage = `Could not read the settings: ${err instanceof Error ? err.message : String(err)}`;
      handle.kill();
    });
}

function request<Op extends WorkerOp>(s: SupervisorState, op: Op): Promise<WorkerRequests[Op]> {
  const handle = s.worker;
  if (handle === null) return Promise.reject(new Error('The forwarding process is restarting; try again in a moment.'));
  const requestTimeoutMs = s.options.requestTimeoutMs ?? 10 * 60_000;
  const id = s.nextId++;
  return new Promise((resolve, reject) => {
    const timer = s.clock.setTimeout(() => {
      s.pending.delete(id);
      reject(new Error(`The forwarding process did not answer within ${Math.round(requestTimeoutMs / 1000)} s.`));
    }, requestTimeoutMs);
    s.pending.set(id, { resolve: resolve as (v: never) => void, reject, timer });
    handle.post({ type: 'request', id, op });
  });
}

async function stop(s: SupervisorState, timeoutMs: number): Promise<'stopped' | 'killed' | 'not-running'> {
  s.stopping = true;
  if (s.restartTimer !== null) {
    s.clock.clearTimeout(s.restartTimer);
    s.restartTimer = null;
  }
  failPending(s, 'The application is quitting.');
  const handle = s.worker;
  if (handle === null) return 'not-running';
  const result = await new Promise<'stopped' | 'killed'>((resolve) => {
    const timer = s.clock.setTimeout(() => resolve('killed'), timeoutMs);
    s.stopped = () => {
      s.clock.clearTimeout(timer);
      resolve('stopped');
    };
    handle.post({ type: 'stop' });
  });
  s.stopped = null;
  s.worker = null;
  if (result === 'killed') handle.kill();
  return result;
}

export function createSupervisor(options: SupervisorOptions): Supervisor {
  const s: SupervisorState = {
    options,
    clock: options.clock ?? realClock,
    log: options.log ?? (() => undefined),
    worker: null,
    startedAtMs: 0,
    crashes: 0,
    restartTimer: null,
    stopping: false,
    paused: false,
    status: null,
    config: null,
    fatalMessage: null,
    nextId: 1,
    pending: new Map(),
    stopped: null,
    handover: Promise.resolve(),
  };
  return {
    start() {
      if (s.worker === null && s.restartTimer === null && !s.stopping) launch(s);
    },
    send(command) {
      if (command === 'pause') s.paused = true;
      if (command === 'resume') s.paused = false;
      s.worker?.post({ type: command });
    },
    applyConfig(next) {
      s.config = next;
      s.worker?.post({ type: 'apply-config', config: next });
    },
    request: (op) => request(s, op),
    stop: (timeoutMs = DEFAULT_STOP_TIMEOUT_MS) => stop(s, timeoutMs),
    lastStatus: () => s.status,
  };
}
