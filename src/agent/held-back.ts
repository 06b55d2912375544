// Permanent failures per event (by sha256). After SFM_HOLD_BACK_AFTER of them an event is held
// back: skipped by passes, shown in the status with its reason, until a person retries it. A person
// may instead dismiss it: it stays held back (never sent) and listed, but no longer counts as
// failing. An entry whose file has left the watch folder is dropped by the next pass.
// Kept in <STATE_DIR>/held-back.json (dismissals too) so a restart does not hammer the server with a
// bad file again, nor bring back a failing icon a person already acknowledged.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HeldBackEvent } from './status-types.js';
import type { HeldBackChange } from './types.js';
import { writeFileAtomic } from '../config/atomic-file.js';

interface FailureRecord {
  filename: string;
  /** Refusals so far (the file's name for it is kept from before `refusals` was shown). */
  attempts: number;
  reason: string;
  since: string;
  held: boolean;
  /** A person acknowledged it: out of the queue, listed, not failing (absent in older files). */
  dismissed?: boolean;
}

export type { HeldBackChange };

export interface HeldBackTracker {
  isHeld(sha256: string): boolean;
  /** Counts one permanent failure; returns true when this one held the event back. */
  fail(sha256: string, filename: string, reason: string, nowMs: number): boolean;
  succeed(sha256: string): void;
  /** Releases every held-back event that is not dismissed; returns how many. */
  releaseAll(): number;
  /**
   * Releases the held-back events with these file names (dismissed or not), or, with none named,
   * every one that is not dismissed. A name that is not held back changes nothing: when any is
   * named, nothing at all is changed, so a typo never releases half a list.
   */
  release(filenames?: readonly string[]): HeldBackChange;
  /** Acknowledges the held-back events with these names (all or nothing, as release). */
  dismiss(filenames: readonly string[]): HeldBackChange;
  /** How many events have refusals on record (held back or not): 0 lets a pass skip dropGone. */
  tracked(): number;
  /** Drops the entries whose file is not among these names (the watch folder's); returns the held ones dropped. */
  dropGone(present: ReadonlySet<string>): string[];
  list(): HeldBackEvent[];
  save(): Promise<void>;
}

const FILE_NAME = 'held-back.json';

/** What the tracker keeps between calls. */
interface HeldBackState {
  /** <STATE_DIR>/held-back.json. */
  readonly path: string;
  /** SFM_HOLD_BACK_AFTER: refusals that hold an event back. */
  readonly holdBackAfter: number;
  /** Every event refused at least once since its last delivery, by sha256. */
  readonly failures: Map<string, FailureRecord>;
  /** Changed since the last save. */
  dirty: boolean;
}

export async function loadHeldBack(stateDir: string, holdBackAfter: number): Promise<HeldBackTracker> {
  const path = join(stateDir, FILE_NAME);
  const t: HeldBackState = { path, holdBackAfter, failures: await readFailures(path), dirty: false };
  const tracker: HeldBackTracker = {
    isHeld: (sha) => t.failures.get(sha)?.held === true,
    fail: (sha, filename, reason, nowMs) => fail(t, sha, filename, reason, nowMs),
    succeed(sha) {
      if (t.failures.delete(sha)) t.dirty = true;
    },
    releaseAll: () => tracker.release().changed.length,
    release: (filenames) =>
      filenames !== undefined && filenames.length > 0 ? onNamed(t, filenames, (sha) => t.failures.delete(sha)) : releaseAllWaiting(t),
    dismiss: (filenames) =>
      onNamed(t, filenames, (_sha, rec) => {
        rec.dismissed = true;
      }),
    tracked: () => t.failures.size,
    dropGone: (present) => dropGone(t, present),
    list: () => list(t),
    async save() {
      if (!t.dirty) return;
      t.dirty = false;
      await writeFileAtomic(t.path, JSON.stringify(Object.fromEntries(t.failures), null, 1));
    },
  };
  return tracker;
}

function fail(t: HeldBackState, sha: string, filename: string, reason: string, nowMs: number): boolean {
  const rec = t.failures.get(sha) ?? { filename, attempts: 0, reason, since: '', held: false };
  rec.attempts += 1;
  rec.reason = reason;
  rec.filename = filename;
  t.dirty = true;
  const heldNow = !rec.held && rec.attempts >= t.holdBackAfter;
  if (heldNow) {
    rec.held = true;
    rec.since = new Date(nowMs).toISOString();
  }
  t.failures.set(sha, rec);
  return heldNow;
}

/** The held entries a name means: the exact name, else the same name in another case (Windows). */
function heldNamed(t: HeldBackState, name: string): [string, FailureRecord][] {
  const held = [...t.failures].filter(([, rec]) => rec.held);
  const exact = held.filter(([, rec]) => rec.filename === name);
  return exact.length > 0 ? exact : held.filter(([, rec]) => rec.filename.toLowerCase() === name.toLowerCase());
}

/** Applies `act` to every named held entry, or to none when a name is not held back. */
function onNamed(t: HeldBackState, names: readonly string[], act: (sha: string, rec: FailureRecord) => void): HeldBackChange {
  const unique = [...new Set(names)];
  const notHeldBack = unique.filter((name) => heldNamed(t, name).length === 0);
  if (notHeldBack.length > 0) return { changed: [], notHeldBack };
  const changed: string[] = [];
  for (const name of unique) {
    for (const [sha, rec] of heldNamed(t, name)) {
      changed.push(rec.filename);
      act(sha, rec);
    }
  }
  if (changed.length > 0) t.dirty = true;
  return { changed, notHeldBack: [] };
}

/** Forgets every failure but the dismissed ones: their refusal counts start again. */
function releaseAllWaiting(t: HeldBackState): HeldBackChange {
  const changed: string[] = [];
  for (const [sha, rec] of t.failures) {
    if (rec.dismissed === true) continue;
    if (rec.held) changed.push(rec.filename);
    t.failures.delete(sha);
  }
  t.dirty = true;
  return { changed, notHeldBack: [] };
}

function dropGone(t: HeldBackState, present: ReadonlySet<string>): string[] {
  const dropped: string[] = [];
  for (const [sha, rec] of t.failures) {
    if (present.has(rec.filename)) continue;
    if (rec.held) dropped.push(rec.filename);
    t.failures.delete(sha);
    t.dirty = true;
  }
  return dropped;
}

function list(t: HeldBackState): HeldBackEvent[] {
  const out: HeldBackEvent[] = [];
  for (const [sha256, rec] of t.failures) {
    if (!rec.held) continue;
    out.push({ sha256, filename: rec.filename, reason: rec.reason, refusals: rec.attempts, since: rec.since, dismissed: rec.dismissed === true });
  }
  return out;
}

async function readFailures(path: string): Promise<Map<string, FailureRecord>> {
  const failures = new Map<string, FailureRecord>();
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Record<string, FailureRecord>;
    for (const [sha, rec] of Object.entries(parsed)) {
      if (rec && typeof rec.filename === 'string' && typeof rec.attempts === 'number') failures.set(sha, rec);
    }
  } catch {
    // none yet, or unreadable: starting with no failures only means a bad file is tried again
  }
  return failures;
}
