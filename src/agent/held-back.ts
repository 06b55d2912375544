// Permanent failures per event (by sha256). After SFM_HOLD_BACK_AFTER of them an event is held
// back: skipped by passes, shown in the status with its reason, until a person retries it.
// Kept in <STATE_DIR>/held-back.json so a restart does not hammer the server with a bad file again.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HeldBackEvent } from './status-types.js';
import { writeFileAtomic } from '../config/atomic-file.js';

interface FailureRecord {
  filename: string;
  attempts: number;
  reason: string;
  since: string;
  held: boolean;
}

export interface HeldBackTracker {
  isHeld(sha256: string): boolean;
  /** Counts one permanent failure; returns true when this one held the event back. */
  fail(sha256: string, filename: string, reason: string, nowMs: number): boolean;
  succeed(sha256: string): void;
  /** Releases every held-back event; returns how many. */
  releaseAll(): number;
  list(): HeldBackEvent[];
  save(): Promise<void>;
}

const FILE_NAME = 'held-back.json';

export async function loadHeldBack(stateDir: string, holdBackAfter: number): Promise<HeldBackTracker> {
  const path = join(stateDir, FILE_NAME);
  const failures = new Map<string, FailureRecord>();
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Record<string, FailureRecord>;
    for (const [sha, rec] of Object.entries(parsed)) {
      if (rec && typeof rec.filename === 'string' && typeof rec.attempts === 'number') failures.set(sha, rec);
    }
  } catch {
    // none yet, or unreadable: starting with no failures only means a bad file is tried again
  }
  let dirty = false;
  return {
    isHeld: (sha) => failures.get(sha)?.held === true,
    fail(sha, filename, reason, nowMs) {
      const rec = failures.get(sha) ?? { filename, attempts: 0, reason, since: '', held: false };
      rec.attempts += 1;
      rec.reason = reason;
      rec.filename = filename;
      dirty = true;
      const heldNow = !rec.held && rec.attempts >= holdBackAfter;
      if (heldNow) {
        rec.held = true;
        rec.since = new Date(nowMs).toISOString();
      }
      failures.set(sha, rec);
      return heldNow;
    },
    succeed(sha) {
      if (failures.delete(sha)) dirty = true;
    },
    releaseAll() {
      let released = 0;
      for (const [sha, rec] of failures) {
        if (rec.held) released++;
        failures.delete(sha);
      }
      dirty = true;
      return released;
    },
    list() {
      const out: HeldBackEvent[] = [];
      for (const [sha256, rec] of failures) {
        if (rec.held) out.push({ sha256, filename: rec.filename, reason: rec.reason, attempts: rec.attempts, since: rec.since });
      }
      return out;
    },
    async save() {
      if (!dirty) return;
      dirty = false;
      await writeFileAtomic(path, JSON.stringify(Object.fromEntries(failures), null, 1));
    },
  };
}
