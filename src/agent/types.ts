// The agent's public face: what the CLI and the tray's worker drive.
import type { Config } from '../config/types.js';
import type { AgentStatus } from './status-types.js';
import type { ServerCheck } from '../upload/types.js';

export interface SeedCounts {
  /** Event binaries found in the folder. */
  readonly scanned: number;
  /** Newly marked as delivered (0 in a preview). */
  readonly seeded: number;
  /** Already in the record. */
  readonly alreadyKnown: number;
  /** Out of window (older than MAX_EVENT_AGE_DAYS): left alone. */
  readonly tooOld: number;
  /** In a preview: how many `seed` would mark. */
  readonly wouldSeed: number;
  /** Binaries that could not be read now (locked, changing): neither marked nor counted as known. */
  readonly unreadable?: number;
}

export interface Agent {
  /** Opens the record, imports a legacy record once, starts the watcher and the pass timer. */
  start(): Promise<void>;
  /** Stops the timer and watcher, ends the pass at once (in-flight uploads finish or are abandoned
   * after graceMs, default the agent's stopGraceMs), drops settings still waiting, flushes the record. Idempotent. */
  stop(options?: { readonly graceMs?: number }): Promise<void>;
  /** Asks for a full pass now (ignored while paused; clears the back-off wait). */
  forwardNow(): void;
  pause(): void;
  resume(): void;
  /** Puts the held-back events with these names back in the queue; with none named, every one
   * not dismissed. A name not held back changes nothing (see HeldBackTracker.release). Resolves
   * once held-back.json says so (a failed write is logged; the change holds in memory). */
  retryHeldBack(filenames?: readonly string[]): Promise<HeldBackChange>;
  /** Acknowledges held-back events: they stay out of the queue and listed, and stop counting as
   * failing. Resolves once held-back.json says so, so the dismissal survives a crash right after. */
  dismissHeldBack(filenames: readonly string[]): Promise<HeldBackChange>;
  /** Applies new settings without a restart (folder, server, pacing...). */
  applyConfig(config: Config): Promise<void>;
  /** config.ini now has these problems and is kept out (null: it reads well again): logged once
   * and shown in the status's problems until cleared. */
  reportConfigProblem(problems: readonly string[] | null): void;
  /** What `seed` would do, writing nothing. */
  seedPreview(): Promise<SeedCounts>;
  /** Marks every in-window binary now in the folder as delivered without sending anything. */
  seed(): Promise<SeedCounts>;
  status(): AgentStatus;
  /** Called on every status change; returns an unsubscribe function. */
  onStatus(listener: (status: AgentStatus) => void): () => void;
}

/** What a retry or dismiss of held-back events did: the file names it changed, and the names that are not held back (then it changed nothing). */
export interface HeldBackChange {
  readonly changed: readonly string[];
  readonly notHeldBack: readonly string[];
}

export type { ServerCheck };
