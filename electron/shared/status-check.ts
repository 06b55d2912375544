// Owns the check of the agent status that arrives from the worker, before the tray, the
// notification and the settings page render it. Electron-free.
//
// The worker is our own code, but it runs the agent on data from outside (file names from
// the watch folder, reasons from the server), and a message that crosses a process boundary
// is plain data, not a type. So every field's type is checked (a wrong one rejects the
// status: the tray keeps the last good one and the supervisor logs it), and what can grow
// without bound is bounded: texts are clipped, lists are cut, so one hostile reason or a
// huge held-back list cannot stall the main process or the page.
import type { AgentStatus, Backlog, HeldBackEvent, PassSummary, RecentDelivery, UnitCallIn, UnitsStatus } from '../../src/agent/status-types.js';

/** A reason, a problem or a file name: more than a person reads in a menu or a tooltip. */
export const MAX_TEXT_CHARS = 2000;
/** A path or an address (Windows long paths go to 32,767, the tray needs far less). */
export const MAX_PATH_CHARS = 4096;
/** An ISO time is 24 characters; anything much longer is not one. */
const MAX_TIME_CHARS = 40;
/** "0.1.0", "1.2.3-beta.4": a version is short. */
const MAX_VERSION_CHARS = 64;
/** Held-back events the tray and page get; `series3-watcher status` lists them all. */
export const MAX_HELD_BACK_ITEMS = 1000;
export const MAX_PROBLEMS = 50;
/** Units the tray and page get (a site has tens); `series3-watcher units` lists them all. */
export const MAX_UNITS = 1000;
/** A unit's name is BE or BA and 4–5 digits; a monitor log's name is 8.3. */
const MAX_UNIT_CHARS = 16;
const UNIT_STATES: ReadonlySet<unknown> = new Set(['ok', 'late', 'missing']);
/** The agent keeps 50 recent deliveries; more than that is not a status this agent sent. */
export const MAX_RECENT_ITEMS = 50;

class BadStatus extends Error {}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function str(o: Record<string, unknown>, key: string, max: number): string {
  const v = o[key];
  if (typeof v !== 'string') throw new BadStatus(`${key} is not text`);
  return clip(v, max);
}

function strOrNull(o: Record<string, unknown>, key: string, max: number): string | null {
  return o[key] === null ? null : str(o, key, max);
}

function num(o: Record<string, unknown>, key: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new BadStatus(`${key} is not a count`);
  return v;
}

function bool(o: Record<string, unknown>, key: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') throw new BadStatus(`${key} is not true or false`);
  return v;
}

function list(o: Record<string, unknown>, key: string, max: number): readonly unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) throw new BadStatus(`${key} is not a list`);
  // Cut before looking at the items: a 100,000-item list costs no more than a 1,000-item one.
  return v.length <= max ? v : v.slice(0, max);
}

function heldBackEvent(x: unknown): HeldBackEvent {
  if (!isRecord(x)) throw new BadStatus('a held-back event is not an object');
  return {
    sha256: str(x, 'sha256', 64),
    filename: str(x, 'filename', MAX_TEXT_CHARS),
    reason: str(x, 'reason', MAX_TEXT_CHARS),
    refusals: num(x, 'refusals'),
    since: str(x, 'since', MAX_TIME_CHARS),
    dismissed: bool(x, 'dismissed'),
  };
}

function recentDelivery(x: unknown): RecentDelivery {
  if (!isRecord(x)) throw new BadStatus('a recent delivery is not an object');
  return {
    deliveredAt: str(x, 'deliveredAt', MAX_TIME_CHARS),
    filename: str(x, 'filename', MAX_TEXT_CHARS),
    size: num(x, 'size'),
    withReport: bool(x, 'withReport'),
    lateReport: bool(x, 'lateReport'),
  };
}

function passSummary(x: unknown): PassSummary | null {
  if (x === null) return null;
  if (!isRecord(x)) throw new BadStatus('lastPass is not an object');
  return {
    startedAt: str(x, 'startedAt', MAX_TIME_CHARS),
    seconds: num(x, 'seconds'),
    forwarded: num(x, 'forwarded'),
    withReport: num(x, 'withReport'),
    errors: num(x, 'errors'),
    pending: num(x, 'pending'),
    heldBack: num(x, 'heldBack'),
    stoppedEarly: bool(x, 'stoppedEarly'),
  };
}

function numOrNull(o: Record<string, unknown>, key: string): number | null {
  return o[key] === null ? null : num(o, key);
}

function backlog(x: unknown): Backlog {
  if (!isRecord(x)) throw new BadStatus('backlog is not an object');
  return {
    waiting: num(x, 'waiting'),
    ratePerMinute: num(x, 'ratePerMinute'),
    etaSeconds: numOrNull(x, 'etaSeconds'),
    nextBatchAt: strOrNull(x, 'nextBatchAt', MAX_TIME_CHARS),
    capReached: bool(x, 'capReached'),
  };
}

function unitCallIn(x: unknown): UnitCallIn {
  if (!isRecord(x)) throw new BadStatus('a unit is not an object');
  if (!UNIT_STATES.has(x['state'])) throw new BadStatus('a unit state is not ok, late or missing');
  return {
    unit: str(x, 'unit', MAX_UNIT_CHARS),
    lastCallIn: str(x, 'lastCallIn', MAX_TIME_CHARS),
    state: x['state'] as UnitCallIn['state'],
    file: str(x, 'file', MAX_TEXT_CHARS),
  };
}

function unitsStatus(x: unknown): UnitsStatus {
  if (!isRecord(x)) throw new BadStatus('units is not an object');
  const counts = x['counts'];
  if (!isRecord(counts)) throw new BadStatus('units.counts is not an object');
  return {
    list: list(x, 'list', MAX_UNITS).map(unitCallIn),
    counts: { ok: num(counts, 'ok'), late: num(counts, 'late'), missing: num(counts, 'missing') },
    unreadable: list(x, 'unreadable', MAX_PROBLEMS).map((u) => {
      if (!isRecord(u)) throw new BadStatus('an unreadable monitor log is not an object');
      return { file: str(u, 'file', MAX_TEXT_CHARS), reason: str(u, 'reason', MAX_TEXT_CHARS) };
    }),
    lateHours: num(x, 'lateHours'),
    missingHours: num(x, 'missingHours'),
    scannedAt: strOrNull(x, 'scannedAt', MAX_TIME_CHARS),
  };
}

/** A fresh, bounded status built only from checked fields, or why it was rejected. */
export function checkStatus(x: unknown): { readonly ok: true; readonly status: AgentStatus } | { readonly ok: false; readonly why: string } {
  try {
    if (!isRecord(x) || x['version'] !== 1) throw new BadStatus('not a version 1 status');
    const reachable = x['serverReachable'];
    if (reachable !== null && typeof reachable !== 'boolean') throw new BadStatus('serverReachable is not true, false or null');
    const status: AgentStatus = {
      version: 1,
      updatedAt: str(x, 'updatedAt', MAX_TIME_CHARS),
      agentVersion: str(x, 'agentVersion', MAX_VERSION_CHARS),
      pid: num(x, 'pid'),
      running: bool(x, 'running'),
      forwardEnabled: bool(x, 'forwardEnabled'),
      paused: bool(x, 'paused'),
      passInProgress: bool(x, 'passInProgress'),
      watchFolder: str(x, 'watchFolder', MAX_PATH_CHARS),
      serverUrl: str(x, 'serverUrl', MAX_PATH_CHARS),
      serverReachable: reachable,
      deliveredTotal: num(x, 'deliveredTotal'),
      deliveredToday: num(x, 'deliveredToday'),
      waiting: num(x, 'waiting'),
      heldBack: list(x, 'heldBack', MAX_HELD_BACK_ITEMS).map(heldBackEvent),
      backlog: backlog(x['backlog']),
      lastSuccessAt: strOrNull(x, 'lastSuccessAt', MAX_TIME_CHARS),
      lastFailureAt: strOrNull(x, 'lastFailureAt', MAX_TIME_CHARS),
      lastFailureReason: strOrNull(x, 'lastFailureReason', MAX_TEXT_CHARS),
      backoffUntil: strOrNull(x, 'backoffUntil', MAX_TIME_CHARS),
      failingSince: strOrNull(x, 'failingSince', MAX_TIME_CHARS),
      lastPass: passSummary(x['lastPass']),
      problems: list(x, 'problems', MAX_PROBLEMS).map((p, i) => str({ [`problems[${i}]`]: p }, `problems[${i}]`, MAX_TEXT_CHARS)),
      units: unitsStatus(x['units']),
      recent: list(x, 'recent', MAX_RECENT_ITEMS).map(recentDelivery),
    };
    return { ok: true, status };
  } catch (err) {
    if (err instanceof BadStatus) return { ok: false, why: err.message };
    throw err;
  }
}

/** Clips a text that crossed from the worker (a fatal message, a reply's error). */
export function clipText(text: string): string {
  return clip(text, MAX_TEXT_CHARS);
}
