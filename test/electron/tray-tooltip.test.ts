// Issue 10 items 1, 5 and 6 in the tray: the tooltip starts with the app's name, tells a draining
// backlog in words, says that nothing is sent while forwarding is off and events wait, and fits
// the Windows tooltip by leaving out the least important parts; the menu has an About line.
import { describe, expect, it } from 'vitest';
import { aboutLine, forwardingOffWords, TOOLTIP_MAX_CHARS, tooltipFor } from '../../electron/main/tray-tooltip.js';
import { trayView, type TrayMenuItem } from '../../electron/main/tray-view.js';
import { localClockOrDate } from '../../src/text/local-time.js';
import { APP_VERSION } from '../../src/text/version.js';
import type { Backlog } from '../../src/agent/status-types.js';
import { NOW_MS, minutesAgo, statusWith } from './status-fixture.js';

const draining = (waiting: number, backlog: Partial<Backlog> = {}) =>
  statusWith({
    waiting,
    backlog: { waiting, ratePerMinute: 500, etaSeconds: Math.ceil((waiting / 500) * 60), nextBatchAt: new Date(NOW_MS + 50_000).toISOString(), capReached: true, ...backlog },
  });
const labels = (menu: readonly TrayMenuItem[]): string[] => menu.flatMap((item) => (item.kind === 'separator' ? [] : [item.label]));
const next = localClockOrDate(NOW_MS + 50_000, NOW_MS);

describe('item 6: the tooltip starts with "Series3 Watcher" in every state', () => {
  it.each([
    ['starting', null],
    ['all delivered', statusWith()],
    ['off', statusWith({ forwardEnabled: false })],
    ['failing', statusWith({ serverReachable: false })],
    ['paused', statusWith({ paused: true })],
    ['draining', draining(19_500)],
  ] as const)('%s', (_state, status) => {
    expect(trayView(status, NOW_MS).tooltip).toMatch(/^Series3 Watcher · /);
  });
});

describe('item 1: the tooltip and the menu tell a draining backlog in words', () => {
  it('the issue\'s words in the tooltip', () => {
    expect(trayView(draining(19_500), NOW_MS).tooltip).toBe(
      `Series3 Watcher · Forwarding · 1,204 sent today · 19,500 waiting · about 39 min left · next batch ${next} (500 per minute)`,
    );
  });

  it('the same words as a status line of the menu', () => {
    expect(labels(trayView(draining(19_500), NOW_MS).menu)).toContain(`19,500 waiting · about 39 min left · next batch ${next} (500 per minute)`);
  });

  it('leaves out "last OK", then "sent today", to fit 127 characters, never the backlog', () => {
    const short = trayView(draining(37, { etaSeconds: 5, capReached: false }), NOW_MS).tooltip;
    expect(short).toBe(`Series3 Watcher · Forwarding · 1,204 sent today · 37 waiting · less than a minute left · next batch ${next} (500 per minute)`);
    expect(short.length).toBeLessThanOrEqual(TOOLTIP_MAX_CHARS);
    const roomy = trayView(statusWith({ waiting: 37, lastSuccessAt: minutesAgo(2) }), NOW_MS).tooltip;
    expect(roomy).toBe('Series3 Watcher · Forwarding · 1,204 sent today · 37 waiting · last OK 2 min ago');
    const huge = trayView(draining(9e14, { ratePerMinute: 9e13, etaSeconds: 9e9 }), NOW_MS).tooltip;
    expect(huge.length).toBeLessThanOrEqual(TOOLTIP_MAX_CHARS);
    expect(huge).not.toContain('sent today');
  });

  it('paused or failing: the count without an ETA (nothing goes out)', () => {
    expect(tooltipFor('paused', statusWith({ paused: true, waiting: 37 }), NOW_MS)).toBe('Series3 Watcher · Paused · 1,204 sent today · 37 waiting · last OK 2 min ago');
  });
});

describe('item 5: forwarding off is never silent in the tooltip', () => {
  it('with events waiting: says nothing is sent, with the count', () => {
    expect(trayView(statusWith({ forwardEnabled: false, waiting: 3 }), NOW_MS).tooltip).toBe('Series3 Watcher · Forwarding off: 3 waiting, nothing is sent');
    expect(forwardingOffWords(19_500)).toBe('Forwarding off: 19,500 waiting, nothing is sent');
  });

  it('with nothing waiting: only that forwarding is off', () => {
    expect(trayView(statusWith({ forwardEnabled: false }), NOW_MS).tooltip).toBe('Series3 Watcher · Forwarding off · none waiting');
  });
});

describe('item 6: the menu has an About line with the version', () => {
  it('"About Series3 Watcher <version>" just above Quit, in every state', () => {
    for (const status of [null, statusWith(), statusWith({ forwardEnabled: false })]) {
      const menu = trayView(status, NOW_MS).menu;
      expect(menu.at(-2)).toEqual({ kind: 'status', label: `About Series3 Watcher ${APP_VERSION}` });
      expect(menu.at(-1)).toMatchObject({ kind: 'action', action: 'quit' });
    }
    expect(aboutLine('9.8.7')).toBe('About Series3 Watcher 9.8.7');
  });
});
