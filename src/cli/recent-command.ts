// `series3-watcher recent`: the events delivered most recently (at most 50, each once), newest
// first, in local time. It reads what the tray shows: a running agent's status.json (which the
// agent keeps from its record in memory, deliveries not yet fsynced included) or, when no agent
// runs, the record itself, read-only and without taking the writer lock (status-read.ts decides
// which, by the same rule as `status`). Either way it changes nothing and never waits for a lock.
import type { Config } from '../config/types.js';
import { reportWords } from '../agent/recent-view.js';
import { currentStatus } from '../agent/status-read.js';
import type { RecentDelivery } from '../agent/status-types.js';
import { localDateTime, utcOffset } from '../text/local-time.js';

export interface RecentOutput {
  /** The lines a person reads. */
  readonly lines: readonly string[];
  /** `{"recent":[…]}` for --json (times ISO UTC, for scripts). */
  readonly json: { readonly recent: readonly RecentDelivery[] };
}

export async function recentCommand(config: Config, nowMs: number = Date.now()): Promise<RecentOutput> {
  const status = await currentStatus(config, nowMs);
  return { lines: describeRecent(status.recent, status.running, nowMs), json: { recent: status.recent } };
}

/** One line per delivery: local date and time with seconds, the file, what went with it. */
export function describeRecent(recent: readonly RecentDelivery[], running: boolean, nowMs: number): string[] {
  const from = running ? 'the running agent' : 'the record (no agent running)';
  if (recent.length === 0) return [`no deliveries yet (from ${from})`];
  const width = Math.max(...recent.map((row) => row.filename.length));
  return [
    `the last ${recent.length} ${recent.length === 1 ? 'delivery' : 'deliveries'}, newest first, local time (UTC${utcOffset(nowMs)}), from ${from}:`,
    ...recent.map((row) => `  ${localDateTime(row.deliveredAt, true)}  ${row.filename.padEnd(width)}  ${reportWords(row)}`),
  ];
}
