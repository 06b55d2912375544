// A worker without a process: runWorker (the real worker body) on one end, a
// WorkerHandle for the supervisor on the other. Messages cross asynchronously and are
// structured-cloned, as they are between Electron's processes.
import type { Config } from '../../src/config/types.js';
import type { Agent } from '../../src/agent/types.js';
import { runWorker } from '../../electron/worker/worker-runtime.js';
import type { WorkerHandle } from '../../electron/main/worker-supervisor.js';

export interface InMemoryWorker extends WorkerHandle {
  /** Messages the worker sent, in order (for assertions). */
  readonly sent: unknown[];
  /** Ends the "process" as a crash would. */
  crash(code?: number): void;
}

export function inMemoryWorker(createAgent: (config: Config) => Agent): InMemoryWorker {
  const toWorker: Array<(event: { data: unknown }) => void> = [];
  const toMain: Array<(message: unknown) => void> = [];
  const exitListeners: Array<(code: number) => void> = [];
  const sent: unknown[] = [];
  let alive = true;

  const exit = (code: number): void => {
    if (!alive) return;
    alive = false;
    setImmediate(() => exitListeners.forEach((l) => l(code)));
  };

  runWorker(
    {
      on: (_event, listener) => toWorker.push(listener),
      postMessage: (message) => {
        if (!alive) return;
        const copy = structuredClone(message);
        sent.push(copy);
        setImmediate(() => toMain.forEach((l) => l(copy)));
      },
    },
    { createAgent, exit },
  );

  return {
    sent,
    post: (message) => {
      if (!alive) return;
      const copy = structuredClone(message);
      setImmediate(() => toWorker.forEach((l) => l({ data: copy })));
    },
    onMessage: (listener) => void toMain.push(listener),
    onExit: (listener) => void exitListeners.push(listener),
    kill: () => exit(137),
    crash: (code = 3) => exit(code),
  };
}
