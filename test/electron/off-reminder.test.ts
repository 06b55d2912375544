// Issue 10 item 5: forwarding off is never silent. The reminder's rule, driven by a clock in
// Node: at start (the first status with forwarding off and events waiting), then once a day while
// it lasts; never while forwarding is on, nothing waits, or the agent is not running.
import { describe, expect, it } from 'vitest';
import { decideOffReminder, NO_REMINDER_YET, OFF_REMINDER_EVERY_MS, offReminderText, type OffReminderWatch } from '../../electron/main/off-reminder.js';
import type { AgentStatus } from '../../src/agent/status-types.js';
import { NOW_MS, statusWith } from './status-fixture.js';

const HOUR = 3_600_000;
const offWith = (waiting: number): AgentStatus => statusWith({ forwardEnabled: false, waiting });

/** Feeds the statuses at their times, as main.ts does; returns when a reminder was shown. */
function run(steps: readonly (readonly [number, AgentStatus | null])[]): number[] {
  let watch: OffReminderWatch = NO_REMINDER_YET;
  const shown: number[] = [];
  for (const [atMs, status] of steps) {
    const decided = decideOffReminder(watch, status, atMs);
    watch = decided.watch;
    if (decided.notice !== null) shown.push(atMs);
  }
  return shown;
}

describe('item 5: the "forwarding is off" reminder', () => {
  it('shows on start, as soon as a status says forwarding is off and events wait, with the count', () => {
    const decided = decideOffReminder(NO_REMINDER_YET, offWith(12), NOW_MS);
    expect(decided.notice).toEqual({
      kind: 'forwarding-off',
      title: 'Series3 Watcher: forwarding is off',
      body: '12 events are waiting and nothing is sent to the server. Open Settings and tick "Forward events to the server" to send them.',
    });
    expect(decided.watch).toEqual({ lastShownMs: NOW_MS });
  });

  it('not again with every status or refresh the same day, but again once a day while it lasts', () => {
    const steps: [number, AgentStatus][] = [];
    for (let t = 0; t <= 50 * HOUR; t += HOUR / 2) steps.push([NOW_MS + t, offWith(3)]);
    expect(run(steps)).toEqual([NOW_MS, NOW_MS + OFF_REMINDER_EVERY_MS, NOW_MS + 2 * OFF_REMINDER_EVERY_MS]);
  });

  it.each([
    ['the agent is starting (no status yet)', null],
    ['nothing waits', offWith(0)],
    ['forwarding is on', statusWith({ waiting: 12 })],
    ['the agent is not running', statusWith({ forwardEnabled: false, waiting: 12, running: false })],
  ] as const)('says nothing while %s', (_when, status) => {
    expect(decideOffReminder(NO_REMINDER_YET, status, NOW_MS)).toEqual({ watch: NO_REMINDER_YET, notice: null });
  });

  it('the first status after start may say 0 waiting: the reminder comes with the first one that counts events', () => {
    expect(run([[NOW_MS, null], [NOW_MS + 1_000, offWith(0)], [NOW_MS + 2_000, offWith(3)], [NOW_MS + 3_000, offWith(3)]])).toEqual([NOW_MS + 2_000]);
  });

  it('a day counts from the last reminder, through a stretch with forwarding on', () => {
    const on = statusWith({ waiting: 3 });
    expect(run([[NOW_MS, offWith(3)], [NOW_MS + HOUR, on], [NOW_MS + 2 * HOUR, offWith(3)], [NOW_MS + 25 * HOUR, offWith(3)]])).toEqual([NOW_MS, NOW_MS + 25 * HOUR]);
  });

  it('says "1 event is" for one', () => {
    expect(offReminderText(1).body).toMatch(/^1 event is waiting and nothing is sent/);
    expect(offReminderText(19_500).body).toMatch(/^19,500 events are waiting/);
  });
});
