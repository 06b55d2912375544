// Given to the worker with `node --import parent-port.js worker.js` by the stand-in's
// utilityProcess.fork: Electron's `process.parentPort` on top of a child_process.fork IPC
// channel. Like Electron's port, messages that arrive before the first 'message' listener are
// kept for it, a listener gets `{ data }`, and the worker ends with its main process.
// Not reproduced: transferable MessagePorts (`ports` is always empty).
type Listener = (event: { readonly data: unknown; readonly ports: readonly unknown[] }) => void;

const listeners: Listener[] = [];
const early: unknown[] = [];

process.on('message', (data: unknown) => {
  if (listeners.length === 0) early.push(data);
  else for (const listener of listeners) listener({ data, ports: [] });
});

const parentPort = {
  on(event: string, listener: Listener) {
    if (event === 'message') {
      listeners.push(listener);
      for (const data of early.splice(0)) listener({ data, ports: [] });
    }
    return parentPort;
  },
  postMessage(message: unknown): void {
    // After the main process is gone there is no one to tell (Electron drops it too).
    if (process.connected) process.send?.(message);
  },
};

Object.defineProperty(process, 'parentPort', { value: parentPort, enumerable: false });

// Electron ends a utility process when its main process goes; an orphan would hold the record lock.
process.on('disconnect', () => process.exit(1));
