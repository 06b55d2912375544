// Backlog progress: how many events wait, how fast they go, when the backlog will be done and
// when the next batch goes, and the words a person reads for it ("19,500 waiting · about 39 min
// left · next batch 14:05 (500 per minute)"). Everything here is pure and takes the time as a
// parameter: the agent feeds it what it knows (the per-pass cap and its window, the scheduler's
// next pass, the deliveries of the last minutes), and `status`, the tray, the settings window and
// the CLI's progress lines all word it with the same functions.
import { formatCount } from './status-view.js';
import type { Backlog } from './status-types.js';
import { localClockOrDate } from '../text/local-time.js';

export type { Backlog };

/** The delivery rate is measured over the deliveries of this recent window. */
export const RATE_WINDOW_MS = 10 * 60_000;
/** Without a cap, a rate is never measured over less than this (the first second of a burst says little). */
export const MIN_RATE_SPAN_MS = 5_000;
/** A next batch due this close (or already due) is "sending now". */
const NOW_SLACK_MS = 1_000;

/** Deliveries of the recent window, counted per second: the agent's one long-lived part of this module. */
export interface DeliveryMeter {
  /** [second's start in epoch ms, deliveries in it], oldest first; at most RATE_WINDOW_MS / 1000 of them. */
  readonly buckets: [number, number][];
  /** The sum of the buckets' counts. */
  total: number;
}

export function createDeliveryMeter(): DeliveryMeter {
  return { buckets: [], total: 0 };
}

export function noteDelivery(meter: DeliveryMeter, atMs: number, count = 1): void {
  const second = Math.floor(atMs / 1000) * 1000;
  const last = meter.buckets.at(-1);
  if (last !== undefined && last[0] === second) last[1] += count;
  else meter.buckets.push([second, count]);
  meter.total += count;
}

/**
 * Deliveries per minute over the recent window: what was delivered in it, over the time since the
 * first of those (at least `minSpanMs`: with a cap, one window, since a whole batch goes in its
 * first seconds). 0 when nothing was delivered in the window.
 */
export function measuredPerMinute(meter: DeliveryMeter, nowMs: number, minSpanMs: number): number {
  while (meter.buckets.length > 0 && meter.buckets[0]![0] <= nowMs - RATE_WINDOW_MS) meter.total -= meter.buckets.shift()![1];
  const first = meter.buckets[0];
  if (first === undefined || meter.total === 0) return 0;
  return (meter.total * 60_000) / Math.max(nowMs - first[0], minSpanMs, 1);
}

/** What the agent knows about its backlog, in the units it keeps them. */
export interface BacklogFacts {
  readonly nowMs: number;
  /** Events not delivered yet (ready or settling), held-back ones not counted. */
  readonly waiting: number;
  /** Of those, the ones ready to go now (not still settling). */
  readonly ready: number;
  /** Events are going out: running, forwarding on, not paused. */
  readonly sending: boolean;
  readonly passInProgress: boolean;
  /** SFM_MAX_FORWARDS_PER_PASS (0 = unlimited), a budget per window of SCAN_INTERVAL_SECONDS. */
  readonly cap: number;
  readonly windowMs: number;
  /** Uploads the current window still allows (Infinity without a cap). */
  readonly budgetLeft: number;
  /** When the current window ends and a new budget opens (0: no window yet). */
  readonly windowEndMs: number;
  /** When the scheduler runs the next pass, if one is armed. */
  readonly nextPassAtMs: number | null;
  /** measuredPerMinute of the agent's meter. */
  readonly measuredPerMinute: number;
}

/** The minimum span measuredPerMinute needs for a cap and window. */
export function rateSpanMs(cap: number, windowMs: number): number {
  return cap > 0 ? windowMs : MIN_RATE_SPAN_MS;
}

/** The backlog as the status shows it. Pure. */
export function backlogOf(facts: BacklogFacts): Backlog {
  const { waiting, nowMs } = facts;
  const capReached = facts.cap > 0 && facts.budgetLeft <= 0 && facts.ready > 0;
  // However fast the server takes them, a cap lets out at most `cap` per window.
  const capPerMinute = facts.cap > 0 && facts.windowMs > 0 ? (facts.cap * 60_000) / facts.windowMs : Number.POSITIVE_INFINITY;
  const ratePerMinute = facts.sending ? round2(Math.min(facts.measuredPerMinute, capPerMinute)) : 0;
  if (waiting === 0) return { waiting, ratePerMinute, etaSeconds: null, nextBatchAt: null, capReached: false };
  const etaSeconds = ratePerMinute > 0 ? Math.ceil((waiting / ratePerMinute) * 60) : null;
  let nextMs: number | null = null;
  if (facts.sending) {
    if (capReached && facts.windowEndMs > 0) nextMs = facts.windowEndMs;
    else if (facts.passInProgress) nextMs = nowMs;
    else nextMs = facts.nextPassAtMs;
  }
  return { waiting, ratePerMinute, etaSeconds, nextBatchAt: nextMs === null ? null : new Date(Math.max(nextMs, nowMs)).toISOString(), capReached };
}

/** The backlog when no agent runs (after `once`, or `status` with the agent stopped): nothing is going out. */
export function stoppedBacklog(waiting: number, capReached = false): Backlog {
  return { waiting, ratePerMinute: 0, etaSeconds: null, nextBatchAt: null, capReached: waiting > 0 && capReached };
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

/** "less than a minute left", "about 39 min left", "about 2 h 10 min left", "about 3 days left". */
export function etaWords(seconds: number): string {
  if (seconds < 60) return 'less than a minute left';
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `about ${minutes} min left`;
  if (minutes < 48 * 60) {
    const rest = Math.round((minutes % 60) / 5) * 5;
    const hours = Math.floor(minutes / 60) + (rest === 60 ? 1 : 0);
    return rest === 0 || rest === 60 ? `about ${hours} h left` : `about ${hours} h ${rest} min left`;
  }
  return `about ${Math.round(minutes / (24 * 60))} days left`;
}

/** "500 per minute", "25,080 per minute", "0.5 per minute". */
export function rateWords(perMinute: number): string {
  const shown = perMinute >= 10 || Number.isInteger(perMinute) ? formatCount(Math.round(perMinute)) : perMinute.toFixed(1);
  return `${shown} per minute`;
}

/**
 * The backlog in words, local time: "19,500 waiting · about 39 min left · next batch 14:05
 * (500 per minute)"; "nothing waiting" when nothing does. Parts that are not known are left out.
 */
export function backlogWords(backlog: Backlog, nowMs: number): string {
  if (backlog.waiting === 0) return 'nothing waiting';
  const parts = [`${formatCount(backlog.waiting)} waiting`];
  if (backlog.etaSeconds !== null) parts.push(etaWords(backlog.etaSeconds));
  const rate = backlog.ratePerMinute > 0 ? ` (${rateWords(backlog.ratePerMinute)})` : '';
  const nextMs = backlog.nextBatchAt === null ? Number.NaN : Date.parse(backlog.nextBatchAt);
  if (Number.isFinite(nextMs)) {
    parts.push(nextMs <= nowMs + NOW_SLACK_MS ? `sending now${rate}` : `next batch ${localClockOrDate(nextMs, nowMs)}${rate}`);
  } else if (rate !== '') {
    parts.push(rate.slice(2, -1));
  }
  return parts.join(' · ');
}

/** A pass's progress as a progress line can tell it. */
export interface PassProgressFacts {
  readonly forwarded: number;
  readonly errors: number;
  /** Ready events of this pass not yet delivered. */
  readonly remaining: number;
  /** How long the pass has run. */
  readonly elapsedMs: number;
}

/** "1,500 sent, 18,500 to go in this pass · about 2 min left (9,000 per minute) · 12 s so far". */
export function passProgressWords(p: PassProgressFacts): string {
  const perMinute = p.elapsedMs > 0 ? (p.forwarded * 60_000) / p.elapsedMs : 0;
  const parts = [`${formatCount(p.forwarded)} sent, ${formatCount(p.remaining)} to go in this pass`];
  if (p.errors > 0) parts[0] += `, ${formatCount(p.errors)} failed`;
  if (perMinute > 0 && p.remaining > 0) parts.push(`${etaWords(Math.ceil((p.remaining / perMinute) * 60))} (${rateWords(perMinute)})`);
  parts.push(`${Math.round(p.elapsedMs / 1000)} s so far`);
  return parts.join(' · ');
}
