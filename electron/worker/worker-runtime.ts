// The worker's body: drives one agent from the messages of the main process and reports
// its status back. Electron-free: worker.ts hands it `process.parentPort`; tests hand it
// an in-memory port, so the protocol is tested with the real agent in Node.
import type { Config } from '../../src/config/types.js';
import type { Agent } from '../../src/agent/types.js';
import type { AgentStatus } from '../../src/agent/status-types.js';
import type { MainToWorker, WorkerRequests, WorkerToMain } from '../shared/worker-protocol.js';
import { decodeMainToWorker } from '../shared/protocol-check.js';
import { errorMessage } from '../../src/text/errors.js';

/** The part of Electron's ParentPort (and of a test double) the worker uses. */
export interface WorkerPort {
  on(event: 'message', listener: (event: { readonly data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

export interface WorkerRuntimeDeps {
  readonly createAgent: (config: Config) => Agent;
  /** Ends the process (the real worker calls process.exit). */
  readonly exit: (code: number) => void;
}


/** A backlog changes the status hundreds of times a second; the tray needs a few updates a second. */
export const STATUS_POST_GAP_MS = 250;

/**
 * Posts statuses leading and trailing: the first change goes at once, later ones at most every
 * STATUS_POST_GAP_MS, and the last one is never dropped.
 */
function statusThrottle(post: (message: WorkerToMain) => void): { readonly post: (status: AgentStatus) => void; readonly cancel: () => void } {
  let latest: AgentStatus | null = null;
  let timer: NodeJS.Timeout | null = null;
  const postStatus = (status: AgentStatus): void => {
    latest = status;
    if (timer !== null) return;
    post({ type: 'status', status });
    latest = null;
    timer = setTimeout(function trailing() {
      timer = null;
      if (latest !== null) postStatus(latest);
    }, STATUS_POST_GAP_MS);
    timer.unref?.();
  };
  return {
    post: postStatus,
    cancel: () => {
      if (timer !== null) clearTimeout(timer);
    },
  };
}

/** One request on the agent: its answer (the held-back ops act on the file names they carry). */
function perform(agent: Agent, op: keyof WorkerRequests, filenames: readonly string[]): Promise<WorkerRequests[keyof WorkerRequests]> {
  switch (op) {
    case 'seed':
      return agent.seed();
    case 'seed-preview':
      return agent.seedPreview();
    case 'held-back-retry':
      return agent.retryHeldBack(filenames);
    case 'held-back-dismiss':
      return agent.dismissHeldBack(filenames);
  }
}

export function runWorker(port: WorkerPort, deps: WorkerRuntimeDeps): void {
  let agent: Agent | null = null;
  let starting: Promise<void> | null = null;
  let stopping = false;
  const post = (message: WorkerToMain): void => port.postMessage(message);
  const statuses = statusThrottle(post);
  const postStatus = statuses.post;

  async function start(config: Config): Promise<void> {
    const created = deps.createAgent(config);
    agent = created;
    created.onStatus(postStatus);
    try {
      await created.start();
    } catch (err) {
      // Cannot run (state folder locked by another instance, unreadable, ...): tell the
      // main process why, then exit so it can restart us after its back-off.
      post({ type: 'fatal', message: `The agent could not start: ${errorMessage(err)}` });
      await created.stop().catch(() => undefined);
      deps.exit(1);
      return;
    }
    post({ type: 'started' });
    postStatus(created.status());
  }

  async function answer(id: number, op: keyof WorkerRequests, filenames: readonly string[]): Promise<void> {
    try {
      if (starting) await starting;
      if (agent === null) throw new Error('the agent has not started yet');
      const value = await perform(agent, op, filenames);
      post({ type: 'reply', id, ok: true, value });
    } catch (err) {
      post({ type: 'reply', id, ok: false, error: errorMessage(err) });
    }
  }

  async function stop(): Promise<void> {
    if (stopping) return;
    stopping = true;
    try {
      if (starting) await starting.catch(() => undefined);
      await agent?.stop();
      statuses.cancel();
      if (agent !== null) post({ type: 'status', status: agent.status() });
    } finally {
      post({ type: 'stopped' });
      deps.exit(0);
    }
  }

  function handle(message: MainToWorker): void {
    if (stopping) return;
    switch (message.type) {
      case 'start':
        if (agent === null && starting === null) starting = start(message.config);
        return;
      case 'apply-config':
        // A failure here leaves the agent in an unknown state: say why and exit, and the
        // main process restarts us (with back-off) on the settings saved in config.ini.
        void agent?.applyConfig(message.config).catch((err: unknown) => {
          post({ type: 'fatal', message: `Could not apply the new settings: ${errorMessage(err)}` });
          deps.exit(1);
        });
        return;
      case 'forward-now':
        agent?.forwardNow();
        return;
      case 'pause':
        agent?.pause();
        return;
      case 'resume':
        agent?.resume();
        return;
      case 'retry-held-back':
        void agent?.retryHeldBack();
        return;
      case 'request':
        void answer(message.id, message.op, message.filenames ?? []);
        return;
      case 'stop':
        void stop();
        return;
    }
  }

  port.on('message', (event) => {
    const message = decodeMainToWorker(event.data);
    if (message !== null) handle(message);
  });
}
