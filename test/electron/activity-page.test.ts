// The settings window's Activity page as the main process computes it (issue 10 item 4; pure, in
// Node): a row per recent delivery, newest first as the status lists them, local times, and the
// words `series3-watcher recent` uses for what went with each event.
import { describe, expect, it } from 'vitest';
import { activityPage } from '../../electron/main/activity-page.js';
import type { RecentDelivery } from '../../src/agent/status-types.js';
import { localDateTime } from '../../src/text/local-time.js';
import { NOW_MS, minutesAgo, statusWith } from './status-fixture.js';

const delivery = (filename: string, minutes: number, overrides: Partial<RecentDelivery> = {}): RecentDelivery => ({
  deliveredAt: minutesAgo(minutes),
  filename,
  size: 4400,
  withReport: true,
  lateReport: false,
  ...overrides,
});

describe('item 4: the Activity page', () => {
  it('has a row per delivery in the status order (newest first), with local times and what went with it', () => {
    const recent = [
      delivery('S353L4H0.3M0W', 1, { lateReport: true }),
      delivery('M529LIY6.N00', 2, { withReport: false }),
      delivery('M529LK44.AB0', 60 * 30),
    ];
    const view = activityPage(statusWith({ recent, deliveredToday: 1_204 }), NOW_MS);
    const today = localDateTime(recent[0]!.deliveredAt, true).slice(11);
    expect(view.rows).toEqual([
      { at: today, filename: 'S353L4H0.3M0W', report: 'late report (the binary went alone first)' },
      { at: localDateTime(recent[1]!.deliveredAt, true).slice(11), filename: 'M529LIY6.N00', report: 'without report' },
      { at: localDateTime(recent[2]!.deliveredAt, true), filename: 'M529LK44.AB0', report: 'with report' },
    ]);
    expect(view.rows[0]!.at).toMatch(/^\d\d:\d\d:\d\d$/); // today: the clock only
    expect(view.rows[2]!.at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/); // 30 h ago: with its date
    expect(view.summary).toBe('The last 3 events the server confirmed, newest first, in local time; 1,204 sent today.');
  });

  it('says in words that nothing was sent yet, and why when forwarding is off', () => {
    expect(activityPage(statusWith(), NOW_MS)).toEqual({ summary: 'Nothing sent yet: each event the server confirms shows here, newest first.', rows: [] });
    expect(activityPage(statusWith({ forwardEnabled: false }), NOW_MS).summary).toBe(
      'Nothing sent yet: forwarding is off, so nothing is sent until it is turned on in Settings.',
    );
  });

  it('waits for the agent before its first status', () => {
    expect(activityPage(null, NOW_MS)).toEqual({ summary: 'Waiting for the agent…', rows: [] });
  });
});
