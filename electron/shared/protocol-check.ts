// Checks the messages crossing between the main process and the worker. Both sides
// call these on whatever arrives (structured clone gives plain data, not types), so a
// malformed message is dropped here instead of failing deep in the agent or the tray.
import type { MainToWorker, WorkerOp, WorkerToMain } from './worker-protocol.js';
import { checkStatus, clipText } from './status-check.js';
import { isEventBinaryName } from '../../src/pair/event-names.js';

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const WORKER_OPS: readonly WorkerOp[] = ['seed-preview', 'seed', 'held-back-retry', 'held-back-dismiss'];
/** The ops that name held-back events; the others take no file names. */
const FILE_OPS: readonly WorkerOp[] = ['held-back-retry', 'held-back-dismiss'];
/** More names than a held-back list shows (status-check's MAX_HELD_BACK_ITEMS) is not a person's choice. */
const MAX_FILENAMES = 1000;

/** Event binary names only (1 to MAX_FILENAMES): what a held-back entry can be called. */
export function checkEventFilenames(x: unknown): readonly string[] | null {
  if (!Array.isArray(x) || x.length === 0 || x.length > MAX_FILENAMES) return null;
  return x.every((name) => typeof name === 'string' && isEventBinaryName(name)) ? (x as string[]) : null;
}
const SIMPLE_COMMANDS = ['forward-now', 'pause', 'resume', 'retry-held-back', 'stop'] as const;

/** A Config is trusted once it has the core's shape: the main process built it with the core. */
function looksLikeConfig(x: unknown): boolean {
  return isRecord(x) && typeof x['series3Path'] === 'string' && typeof x['sfmUrl'] === 'string' && typeof x['forwardEnabled'] === 'boolean';
}

export function decodeMainToWorker(x: unknown): MainToWorker | null {
  if (!isRecord(x) || typeof x['type'] !== 'string') return null;
  const type = x['type'];
  if ((SIMPLE_COMMANDS as readonly string[]).includes(type)) return { type } as MainToWorker;
  if (type === 'start') {
    return looksLikeConfig(x['config']) ? (x as unknown as MainToWorker) : null;
  }
  if (type === 'apply-config') return looksLikeConfig(x['config']) ? (x as unknown as MainToWorker) : null;
  if (type === 'request') {
    if (!Number.isSafeInteger(x['id']) || !WORKER_OPS.includes(x['op'] as WorkerOp)) return null;
    const op = x['op'] as WorkerOp;
    if (!FILE_OPS.includes(op)) return x['filenames'] === undefined ? { type, id: x['id'] as number, op } : null;
    const filenames = checkEventFilenames(x['filenames']);
    return filenames === null ? null : { type, id: x['id'] as number, op, filenames };
  }
  return null;
}

export function decodeWorkerToMain(x: unknown): WorkerToMain | null {
  if (!isRecord(x) || typeof x['type'] !== 'string') return null;
  switch (x['type']) {
    case 'started':
    case 'stopped':
      return { type: x['type'] };
    case 'status': {
      // Every field checked, texts clipped, lists cut (status-check.ts): the tray renders it as is.
      const checked = checkStatus(x['status']);
      return checked.ok ? { type: 'status', status: checked.status } : null;
    }
    case 'fatal':
      return typeof x['message'] === 'string' ? { type: 'fatal', message: clipText(x['message']) } : null;
    case 'reply':
      if (!Number.isSafeInteger(x['id'])) return null;
      if (x['ok'] === true && 'value' in x) return x as unknown as WorkerToMain;
      if (x['ok'] === false && typeof x['error'] === 'string') return { type: 'reply', id: x['id'] as number, ok: false, error: clipText(x['error']) };
      return null;
    default:
      return null;
  }
}
