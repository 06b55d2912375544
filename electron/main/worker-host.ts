// Starts the worker with Electron's utilityProcess and adapts it to the supervisor's
// WorkerHandle. The only file that forks.
import { utilityProcess } from 'electron';
import type { WorkerHandle } from './worker-supervisor.js';

export function spawnWorker(modulePath: string): WorkerHandle {
  const child = utilityProcess.fork(modulePath, [], {
    serviceName: 'Series3 Watcher agent',
    // The agent writes its own log file; its stdout/stderr only matter in development.
    stdio: 'inherit',
  });
  // Electron forgets child.pid once the process exits, which is when the supervisor needs it.
  let pid: number | undefined;
  child.on('spawn', () => (pid = child.pid));
  return {
    get pid() {
      return pid;
    },
    post: (message) => child.postMessage(message),
    onMessage: (listener) => {
      child.on('message', listener);
    },
    onExit: (listener) => {
      child.on('exit', listener);
    },
    kill: () => {
      child.kill();
    },
  };
}
