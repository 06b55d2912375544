// Entry point of the worker: Electron's utilityProcess runs this file, so the agent's
// scanning, hashing and uploads never block the tray or the settings window. All the
// logic is in worker-runtime.ts; this file only binds it to the real parent port.
/// <reference types="electron" />
import { createAgent } from '../../src/agent/index.js';
import { runWorker } from './worker-runtime.js';

const port = process.parentPort;

// An error nothing caught: report it (the main process shows it and restarts us), then exit.
function die(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  try {
    port.postMessage({ type: 'fatal', message: `The forwarding process failed: ${message}` });
  } finally {
    process.exit(1);
  }
}
process.on('uncaughtException', die);
process.on('unhandledRejection', die);

runWorker(port, {
  createAgent: (config) => createAgent(config),
  exit: (code) => process.exit(code),
});
