// What the log says about a server outage: one line when it starts (with the reason), a summary
// at most every few minutes while it lasts, and one line when it ends (its length and how many
// events waited). During an outage passes can stop early several times a second (watcher hints,
// back-off ends); a line for each pushed hours of history out of the rotated logs. Pure
// functions over a small record and the time the caller passes in, so a test drives a
// nine-minute outage in microseconds.

/** An outage in progress. */
export interface Outage {
  /** When the first failure was seen. */
  readonly sinceMs: number;
  /** The latest reason (a refused connection may turn into a proxy page). */
  readonly reason: string;
  /** Requests that failed since it started. */
  readonly failedTries: number;
  /** Passes that stopped early since it started. */
  readonly stoppedPasses: number;
  /** Events ready and waiting for the server, as last counted. */
  readonly waiting: number;
  /** When the start line or the last summary was logged. */
  readonly lastLineAtMs: number;
}

/** null: the server answers (or has not been asked yet). */
export type OutageState = Outage | null;

export interface OutageLine {
  readonly level: 'info' | 'warn';
  readonly text: string;
}

export interface OutageStep {
  readonly state: OutageState;
  /** What to log now (usually nothing). */
  readonly lines: readonly OutageLine[];
}

export interface ServerFailure {
  readonly nowMs: number;
  /** A request that failed (transient), or a pass that stopped early because of the back-off. */
  readonly kind: 'request' | 'pass';
  /** Why, if this failure says (a pass stopped by the back-off alone adds no new reason). */
  readonly reason: string | null;
  /** Events ready and waiting for the server, if counted. */
  readonly waiting: number | null;
}

export const defaultOutageSummaryMs = 5 * 60_000;

/** The server failed us: starts an outage (one line), or counts it and summarises when due. */
export function serverFailed(state: OutageState, failure: ServerFailure, summaryEveryMs = defaultOutageSummaryMs): OutageStep {
  const { nowMs, kind } = failure;
  if (state === null) {
    const outage: Outage = {
      sinceMs: nowMs,
      reason: failure.reason ?? 'no answer',
      failedTries: kind === 'request' ? 1 : 0,
      stoppedPasses: kind === 'pass' ? 1 : 0,
      waiting: failure.waiting ?? 0,
      lastLineAtMs: nowMs,
    };
    const waiting = failure.waiting === null ? '' : `; ${eventsText(failure.waiting)} wait for it`;
    const text = `server not answering: ${outage.reason}${waiting} (a summary every ${durationText(summaryEveryMs)} until it answers)`;
    return { state: outage, lines: [{ level: 'warn', text }] };
  }
  const counted: Outage = {
    ...state,
    reason: failure.reason ?? state.reason,
    failedTries: state.failedTries + (kind === 'request' ? 1 : 0),
    stoppedPasses: state.stoppedPasses + (kind === 'pass' ? 1 : 0),
    waiting: failure.waiting ?? state.waiting,
  };
  if (nowMs - state.lastLineAtMs < summaryEveryMs) return { state: counted, lines: [] };
  const text =
    `server still not answering after ${durationText(nowMs - state.sinceMs)}: ${counted.reason}; ` +
    `${eventsText(counted.waiting)} wait; ${counted.failedTries} tries failed and ${counted.stoppedPasses} passes stopped early ` +
    `since ${new Date(state.sinceMs).toISOString()}`;
  return { state: { ...counted, lastLineAtMs: nowMs }, lines: [{ level: 'warn', text }] };
}

/** The server answered (delivered, or refused an event: either way it is there): ends an outage. */
export function serverAnswered(state: OutageState, nowMs: number): OutageStep {
  if (state === null) return { state, lines: [] };
  const text =
    `server answering again after ${durationText(nowMs - state.sinceMs)} ` +
    `(not answering since ${new Date(state.sinceMs).toISOString()}); ${eventsText(state.waiting)} waited for it`;
  return { state: null, lines: [{ level: 'info', text }] };
}

/** The line a one-off pass (`once`) logs when it stopped early: the start line, alone. */
export function stoppedEarlyLine(reason: string | null, waiting: number): OutageLine {
  const text = `server not answering: ${reason ?? 'no answer'}; ${eventsText(waiting)} wait for it`;
  return { level: 'warn', text };
}

/** "45 s", "9 min 12 s", "2 h 5 min", "3 d 4 h": as precise as a person reading a log needs. */
export function durationText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return s % 60 === 0 ? `${min} min` : `${min} min ${s % 60} s`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 === 0 ? `${h} h` : `${h} h ${min % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}

function eventsText(n: number): string {
  return n === 1 ? '1 event' : `${n} events`;
}
