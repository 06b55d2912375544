// The pure pairing step (SPEC §1–2): directory entries + a clock reading -> which event binaries are
// ready to send (with or without their report), which wait and until when, and which are too old.
// No file system and no real clock here: `nowMs` is a parameter, so every boundary is testable.
import type { DirEntry } from '../scan/types.js';
import type { PairOptions, PairResult, ReadyEvent, WaitingEvent } from './types.js';
import { binaryNameOfReport, isEventBinaryName, reportNameFor } from './event-names.js';

/**
 * Boundaries, with age = nowMs - mtimeMs:
 * - too old:  binary mtime < nowMs - maxAgeMs (a binary exactly maxAgeMs old is still in the window);
 * - quiet:    age >= quiescenceMs (modified *less than* the quiescence ago is still being written);
 * - grace:    with no report, the binary goes alone once its age >= graceMs;
 * - settling report: a report that exists but is still being written holds its binary until it is
 *             quiet, even past the grace (sending the binary alone and the pair a second later sends
 *             the binary twice), but only until the binary is graceMs + reportSettleLimitMs old, so a
 *             report that never settles cannot block its binary for ever.
 * A waiting event's readyAtMs is the first instant at which a re-run with the same entries says
 * ready (assuming maxAgeMs exceeds graceMs, as any sane config does).
 */
export function pairEvents(entries: readonly DirEntry[], options: PairOptions): PairResult {
  const { nowMs, quiescenceMs, graceMs, maxAgeMs } = options;
  const oldestAllowedMs = nowMs - maxAgeMs;

  // One pass to split binaries from reports; reports keyed by their binary's lower-cased name
  // (binary names are ASCII by rule, so lower-casing is exact), so pairing is O(n).
  const binaries: DirEntry[] = [];
  const reportsByBinary = new Map<string, DirEntry[]>();
  for (const entry of entries) {
    if (isEventBinaryName(entry.name)) {
      binaries.push(entry);
      continue;
    }
    const owner = binaryNameOfReport(entry.name);
    if (owner === null) continue;
    const key = owner.toLowerCase();
    const candidates = reportsByBinary.get(key);
    if (candidates) candidates.push(entry);
    else reportsByBinary.set(key, [entry]);
  }

  const ready: ReadyEvent[] = [];
  const waiting: WaitingEvent[] = [];
  const tooOld: DirEntry[] = [];

  for (const binary of binaries) {
    if (binary.mtimeMs < oldestAllowedMs) {
      tooOld.push(binary);
      continue;
    }
    const report = chooseReport(binary.name, reportsByBinary.get(binary.name.toLowerCase()));
    const binaryQuietAtMs = binary.mtimeMs + quiescenceMs;
    // When the binary goes alone: at the end of the grace, later when a report is there but settling.
    const aloneAtMs = binary.mtimeMs + graceMs + (report === null ? 0 : reportSettleLimitMs(options));
    // When the pair rules alone (ignoring the binary's own quiescence) let the event go.
    const releaseAtMs = report === null ? aloneAtMs : Math.min(report.mtimeMs + quiescenceMs, aloneAtMs);

    if (nowMs < binaryQuietAtMs) {
      // readyAtMs is when a re-run would say ready, not merely when the binary turns quiet: with no
      // report yet that is the end of the grace, so the agent does not schedule a pass for nothing.
      waiting.push({ binary, report, reason: 'binary-not-quiet', readyAtMs: Math.max(binaryQuietAtMs, releaseAtMs) });
    } else if (report !== null && nowMs >= report.mtimeMs + quiescenceMs) {
      ready.push({ binary, report });
    } else if (nowMs >= aloneAtMs) {
      // No report, or one that never settles: better indexed alone than never. A report that turns
      // quiet later is the agent's "late report" to re-send.
      ready.push({ binary, report: null });
    } else {
      waiting.push({
        binary,
        report,
        reason: report === null ? 'awaiting-report' : 'report-not-quiet',
        readyAtMs: releaseAtMs,
      });
    }
  }

  ready.sort((a, b) => byMtimeThenName(a.binary, b.binary));
  waiting.sort((a, b) => byMtimeThenName(a.binary, b.binary));
  tooOld.sort(byMtimeThenName);
  return { ready, waiting, tooOld };
}

/**
 * How long past the grace a report that exists but is still being written may hold its binary:
 * one more grace, and at least ten quiescence periods (a report is written in seconds; one that is
 * still changing after that is being rewritten by something else).
 */
export function reportSettleLimitMs(options: Pick<PairOptions, 'graceMs' | 'quiescenceMs'>): number {
  return Math.max(options.graceMs, 10 * options.quiescenceMs);
}

/** Several case-variants of one report can coexist on a case-sensitive disk: prefer `<name>.TXT`, else the newest. */
function chooseReport(binaryName: string, candidates: readonly DirEntry[] | undefined): DirEntry | null {
  if (candidates === undefined || candidates.length === 0) return null;
  const exactName = reportNameFor(binaryName);
  let best: DirEntry | null = null;
  for (const candidate of candidates) {
    if (candidate.name === exactName) return candidate;
    if (best === null || candidate.mtimeMs > best.mtimeMs || (candidate.mtimeMs === best.mtimeMs && candidate.name < best.name)) {
      best = candidate;
    }
  }
  return best;
}

/** Oldest first; equal mtimes by name (code-unit order, not locale: the same on every PC). */
function byMtimeThenName(a: DirEntry, b: DirEntry): number {
  if (a.mtimeMs !== b.mtimeMs) return a.mtimeMs - b.mtimeMs;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
