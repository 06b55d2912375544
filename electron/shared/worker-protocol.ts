// The one message contract between the main process and the worker (the utility
// process that runs the agent). Types only; electron/shared/protocol-check.ts checks
// every message that crosses, in both directions, before anything acts on it.
import type { Config } from '../../src/config/types.js';
import type { AgentStatus } from '../../src/agent/status-types.js';
import type { HeldBackChange, SeedCounts } from '../../src/agent/types.js';

/** Requests that expect one reply, by operation: [result]. */
export interface WorkerRequests {
  'seed-preview': SeedCounts;
  seed: SeedCounts;
  /** Retry or dismiss the held-back events named in the request's `filenames`. */
  'held-back-retry': HeldBackChange;
  'held-back-dismiss': HeldBackChange;
}
export type WorkerOp = keyof WorkerRequests;

export type MainToWorker =
  /** First message: the settings (token already decrypted) and where config.ini lives. */
  | { readonly type: 'start'; readonly config: Config }
  | { readonly type: 'apply-config'; readonly config: Config }
  | { readonly type: 'forward-now' }
  | { readonly type: 'pause' }
  | { readonly type: 'resume' }
  | { readonly type: 'retry-held-back' }
  /** `filenames`: for the held-back ops, the event binaries named (checked in protocol-check.ts). */
  | { readonly type: 'request'; readonly id: number; readonly op: WorkerOp; readonly filenames?: readonly string[] }
  /** Stop the agent (flushes the record), answer 'stopped', then exit. */
  | { readonly type: 'stop' };

export type WorkerReply =
  | { readonly type: 'reply'; readonly id: number; readonly ok: true; readonly value: WorkerRequests[WorkerOp] }
  | { readonly type: 'reply'; readonly id: number; readonly ok: false; readonly error: string };

export type WorkerToMain =
  | { readonly type: 'started' }
  | { readonly type: 'status'; readonly status: AgentStatus }
  | WorkerReply
  /** The agent could not start or failed in a way it cannot recover from; the worker exits next. */
  | { readonly type: 'fatal'; readonly message: string }
  | { readonly type: 'stopped' };
