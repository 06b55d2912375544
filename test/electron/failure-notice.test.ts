import { describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../src/agent/status-types.js';
import { decideNotice, FAILING_NOTICE_AFTER_MS, QUIET_WATCH, type FailureWatch, type Notice } from '../../electron/main/failure-notice.js';
import { NOW_MS, minutesAgo, statusWith } from './status-fixture.js';

/** Feeds statuses at the given minutes (relative to NOW_MS) and collects the notices. */
function feed(steps: ReadonlyArray<readonly [minute: number, status: AgentStatus | null]>): { notices: (Notice & { at: number })[]; watch: FailureWatch } {
  let watch = QUIET_WATCH;
  const notices: (Notice & { at: number })[] = [];
  for (const [minute, status] of steps) {
    const result = decideNotice(watch, status, NOW_MS + minute * 60_000);
    watch = result.watch;
    if (result.notice) notices.push({ ...result.notice, at: minute });
  }
  return { notices, watch };
}

const unreachable = (since: number | null = null): AgentStatus =>
  statusWith({
    serverReachable: false,
    failingSince: since === null ? null : minutesAgo(-since),
    lastFailureReason: 'connect ECONNREFUSED 10.0.0.5:8000',
    waiting: 12,
  });

describe('failure notifications', () => {
  it('waits 15 minutes of failing before it says anything', () => {
    expect(FAILING_NOTICE_AFTER_MS).toBe(15 * 60_000);
    const { notices } = feed([[0, unreachable(0)], [5, unreachable(0)], [14, unreachable(0)]]);
    expect(notices).toEqual([]);
  });

  it('announces once when failing has lasted 15 minutes, with the reason', () => {
    const { notices } = feed([[0, unreachable(0)], [10, unreachable(0)], [15, unreachable(0)], [16, unreachable(0)], [40, unreachable(0)]]);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ kind: 'failing', at: 15, title: 'Series3 Watcher: forwarding failing for 15 min' });
    expect(notices[0]?.body).toBe('connect ECONNREFUSED 10.0.0.5:8000 · 12 events waiting');
  });

  it("counts from the agent's own failingSince, not from when the tray first saw it", () => {
    // The tray started at minute 0, but uploads have failed since minute -20.
    const { notices } = feed([[0, unreachable(-20)]]);
    expect(notices.map((n) => n.kind)).toEqual(['failing']);
    expect(notices[0]?.title).toContain('20 min');
  });

  it('counts from the first failing status it saw when the agent gives no start time (held back, crashed)', () => {
    const crashed = statusWith({ running: false, problems: ['The forwarding process stopped unexpectedly'] });
    const { notices } = feed([[0, crashed], [14, crashed], [15, crashed]]);
    expect(notices.map((n) => [n.kind, n.at])).toEqual([['failing', 15]]);
    expect(notices[0]?.body).toBe('The forwarding agent is not running.');
  });

  it('says once that forwarding recovered, after it had announced the failure', () => {
    const { notices, watch } = feed([[0, unreachable(0)], [20, unreachable(0)], [25, statusWith({ waiting: 12 })], [26, statusWith()]]);
    expect(notices.map((n) => [n.kind, n.at])).toEqual([['failing', 20], ['recovered', 25]]);
    expect(notices[1]?.body).toBe('Events are being delivered again after 25 min of failures.');
    expect(watch).toEqual(QUIET_WATCH);
  });

  it('stays quiet when a failure ends before 15 minutes (no "recovered" for an unannounced failure)', () => {
    const { notices } = feed([[0, unreachable(0)], [10, statusWith()], [11, unreachable(11)], [20, statusWith()]]);
    expect(notices).toEqual([]);
  });

  it('neither starts, ends nor announces while paused or turned off (a person chose that)', () => {
    const paused = statusWith({ paused: true, serverReachable: false });
    const off = statusWith({ forwardEnabled: false });
    expect(feed([[0, paused], [30, paused], [60, off]]).notices).toEqual([]);
    // A failure announced before a pause is not "recovered" by the pause.
    const { notices } = feed([[0, unreachable(0)], [15, unreachable(0)], [16, paused], [40, unreachable(0)], [50, statusWith()]]);
    expect(notices.map((n) => [n.kind, n.at])).toEqual([['failing', 15], ['recovered', 50]]);
  });

  it('ignores the time before the worker has reported (null status)', () => {
    expect(feed([[0, null], [30, null]]).notices).toEqual([]);
  });
});
