import { describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../src/agent/status-types.js';
import { formatAgo, formatCount, trayView, TOOLTIP_MAX_CHARS, type TrayMenuItem } from '../../electron/main/tray-view.js';
import { NOW_MS, heldBack, minutesAgo, statusWith, unitsWith } from './status-fixture.js';
import { APP_VERSION } from '../../src/text/version.js';

const statusLabels = (menu: readonly TrayMenuItem[]): string[] =>
  menu.flatMap((item) => (item.kind === 'status' ? [item.label] : []));
const actions = (menu: readonly TrayMenuItem[]): string[] =>
  menu.flatMap((item) => (item.kind === 'action' ? [`${item.label}${item.enabled ? '' : ' (disabled)'}`] : []));

describe('trayView: the icon shows one of five states', () => {
  const cases: ReadonlyArray<readonly [string, AgentStatus | null, string]> = [
    ['forwarding turned off', statusWith({ forwardEnabled: false }), 'tray-off'],
    ['all delivered', statusWith(), 'tray-ok'],
    ['working through a backlog', statusWith({ waiting: 37 }), 'tray-busy'],
    ['starting (no status yet)', null, 'tray-busy'],
    ['paused', statusWith({ paused: true, waiting: 37 }), 'tray-paused'],
    ['server unreachable', statusWith({ serverReachable: false, waiting: 37 }), 'tray-failing'],
    ['uploads failing', statusWith({ failingSince: minutesAgo(20) }), 'tray-failing'],
    ['events held back', statusWith({ heldBack: [heldBack('M529LK44.AB0', 'row status "error": bad header')] }), 'tray-failing'],
    ['a problem (watch folder unreadable)', statusWith({ problems: ['Cannot read the watch folder'] }), 'tray-failing'],
    ['the agent not running (worker crashed)', statusWith({ running: false }), 'tray-failing'],
    ['paused wins over failing (a person chose it)', statusWith({ paused: true, serverReachable: false }), 'tray-paused'],
    ['off wins over failing', statusWith({ forwardEnabled: false, problems: ['x'] }), 'tray-off'],
  ];
  it.each(cases)('%s -> %s', (_name, status, icon) => {
    const view = trayView(status, NOW_MS);
    expect(view.icon).toBe(icon);
    expect(view.icon).toBe(`tray-${view.state}`);
  });
});

describe('trayView: the tooltip is one line of what matters now', () => {
  const cases: ReadonlyArray<readonly [string, AgentStatus | null, string]> = [
    ['backlog', statusWith({ waiting: 37 }), 'Series3 Watcher · Forwarding · 1,204 sent today · 37 waiting · last OK 2 min ago'],
    ['all delivered', statusWith(), 'Series3 Watcher · Forwarding · 1,204 sent today · all delivered · last OK 2 min ago'],
    ['off', statusWith({ forwardEnabled: false, waiting: 12 }), 'Series3 Watcher · Forwarding off: 12 waiting, nothing is sent'],
    ['paused', statusWith({ paused: true, waiting: 37, lastSuccessAt: minutesAgo(150) }), 'Series3 Watcher · Paused · 1,204 sent today · 37 waiting · last OK 2 h ago'],
    ['server unreachable', statusWith({ serverReachable: false, waiting: 37, lastSuccessAt: minutesAgo(45) }),
      'Series3 Watcher · Server unreachable · 1,204 sent today · 37 waiting · last OK 45 min ago'],
    ['held back', statusWith({ heldBack: [heldBack('A', 'r'), heldBack('B', 'r')] }), 'Series3 Watcher · 2 held back · 1,204 sent today · none waiting · last OK 2 min ago'],
    ['never delivered', statusWith({ deliveredToday: 0, lastSuccessAt: null, waiting: 3 }), 'Series3 Watcher · Forwarding · 0 sent today · 3 waiting · last OK never'],
    ['stopped', statusWith({ running: false }), 'Series3 Watcher · Stopped · 1,204 sent today · none waiting · last OK 2 min ago'],
    ['starting', null, 'Series3 Watcher · starting…'],
  ];
  it.each(cases)('%s', (_name, status, tooltip) => {
    expect(trayView(status, NOW_MS).tooltip).toBe(tooltip);
  });

  it('never exceeds what the Windows tray shows (127 characters)', () => {
    const status = statusWith({ running: false, deliveredToday: 9e15, waiting: 9e15 });
    expect(trayView(status, NOW_MS).tooltip.length).toBeLessThanOrEqual(TOOLTIP_MAX_CHARS);
  });
});

describe('trayView: the menu', () => {
  it('lists the status lines first, disabled, then the actions in a fixed order', () => {
    const view = trayView(statusWith({ waiting: 37 }), NOW_MS);
    expect(view.menu[0]).toEqual({ kind: 'status', label: 'Forwarding to http://sfm.example:8000' });
    expect(statusLabels(view.menu)).toEqual([
      'Forwarding to http://sfm.example:8000',
      '1,204 sent today · 52,311 in total',
      '37 waiting',
      'Last OK 2 min ago',
      `About Series3 Watcher ${APP_VERSION}`,
    ]);
    expect(actions(view.menu)).toEqual(['Forward now', 'Pause', 'Settings…', 'Recent activity…', 'Open log', 'Open watch folder', 'Quit']);
  });

  it('offers Resume instead of Pause while paused, and no Forward now', () => {
    const view = trayView(statusWith({ paused: true }), NOW_MS);
    expect(actions(view.menu)).toEqual(['Forward now (disabled)', 'Resume', 'Settings…', 'Recent activity…', 'Open log', 'Open watch folder', 'Quit']);
  });

  it('offers Retry held-back events only when some are held back, with the count', () => {
    const none = trayView(statusWith(), NOW_MS);
    expect(actions(none.menu).some((a) => a.startsWith('Retry'))).toBe(false);
    const two = trayView(statusWith({ heldBack: [heldBack('M529LK44.AB0', 'row status "error": bad header'), heldBack('B', 'r')] }), NOW_MS);
    expect(actions(two.menu)).toContain('Retry held-back events (2)');
  });

  it('with forwarding off, says how to turn it on and disables Forward now and Pause', () => {
    const view = trayView(statusWith({ forwardEnabled: false }), NOW_MS);
    expect(statusLabels(view.menu)[0]).toBe('Forwarding is off: turn it on in Settings…');
    expect(actions(view.menu)).toEqual(['Forward now (disabled)', 'Pause (disabled)', 'Settings…', 'Recent activity…', 'Open log', 'Open watch folder', 'Quit']);
  });

  it('while failing, shows for how long and why, and when the next try is', () => {
    const status = statusWith({
      serverReachable: false,
      failingSince: minutesAgo(17),
      lastFailureReason: 'connect ECONNREFUSED 10.0.0.5:8000',
      backoffUntil: new Date(NOW_MS + 40_000).toISOString(),
    });
    expect(statusLabels(trayView(status, NOW_MS).menu).slice(4, -1)).toEqual([
      'Failing for 17 min: connect ECONNREFUSED 10.0.0.5:8000',
      'Next try in 40 s',
    ]);
  });

  it('when the worker crashed, says the agent is not running and why, and disables agent actions', () => {
    const status = statusWith({ running: false, problems: ['The forwarding process stopped unexpectedly (exit code 3). Restarting in 2 s.'] });
    const view = trayView(status, NOW_MS);
    expect(statusLabels(view.menu)).toContain('The forwarding agent is not running.');
    expect(statusLabels(view.menu)).toContain('The forwarding process stopped unexpectedly (exit code 3). Restarting in 2 s.');
    expect(actions(view.menu)).toEqual(['Forward now (disabled)', 'Pause (disabled)', 'Settings…', 'Recent activity…', 'Open log', 'Open watch folder', 'Quit']);
  });

  it('while starting, shows one line and keeps Settings, Open log and Quit usable', () => {
    const view = trayView(null, NOW_MS);
    expect(statusLabels(view.menu)).toEqual(['Starting the forwarding agent…', `About Series3 Watcher ${APP_VERSION}`]);
    expect(actions(view.menu)).toEqual(['Forward now (disabled)', 'Pause (disabled)', 'Settings…', 'Recent activity…', 'Open log', 'Open watch folder (disabled)', 'Quit']);
  });

  it('shortens long status lines so the menu stays narrow', () => {
    const view = trayView(statusWith({ problems: ['x'.repeat(300)] }), NOW_MS);
    const longest = Math.max(...statusLabels(view.menu).map((l) => l.length));
    expect(longest).toBeLessThanOrEqual(90);
  });
});

describe('formatting', () => {
  it.each([
    [0, '0'], [999, '999'], [1204, '1,204'], [52311, '52,311'], [1234567, '1,234,567'],
  ])('formatCount(%d) = %s', (n, text) => expect(formatCount(n)).toBe(text));

  it.each([
    [null, 'never'], [minutesAgo(0.5), 'just now'], [minutesAgo(2), '2 min ago'], [minutesAgo(59), '59 min ago'],
    [minutesAgo(60), '1 h ago'], [minutesAgo(47 * 60), '47 h ago'], [minutesAgo(72 * 60), '3 days ago'],
  ])('formatAgo(%s) = %s', (iso, text) => expect(formatAgo(iso, NOW_MS)).toBe(text));
});

describe('trayView: field faults reach the menu (issue 7)', () => {
  it('item 1: a record that cannot be written shows failing, with the reason in the menu', () => {
    const reason = 'the disk holding STATE_DIR C:\\series3\\state is full; free some space: sending is stopped until the record can be written';
    const view = trayView(statusWith({ problems: [reason], waiting: 180 }), NOW_MS);
    expect(view.state).toBe('failing');
    expect(statusLabels(view.menu).join('\n')).toContain('STATE_DIR C:\\series3\\state is full');
  });

  it('item 2: an event file that cannot be read shows failing, naming the file in the menu', () => {
    const view = trayView(statusWith({ problems: ['S353L4H0.3M0W is locked by another program since 14:02; it is tried again every pass (close the program holding it)'] }), NOW_MS);
    expect(view.state).toBe('failing');
    expect(statusLabels(view.menu).some((line) => line.startsWith('S353L4H0.3M0W is locked by another program since 14:02'))).toBe(true);
  });
});

describe('item 3: the units line', () => {
  it('is not there while no unit is known', () => {
    expect(actions(trayView(statusWith(), NOW_MS).menu).some((a) => a.startsWith('Units'))).toBe(false);
  });

  it('counts ok, late and missing units as an action that opens the Units page, after the status lines', () => {
    const units = unitsWith([['BE11111', 1], ['BE22222', 2], ['BA3333', 13], ['BE44444', 30]]);
    const view = trayView(statusWith({ units }), NOW_MS);
    const index = view.menu.findIndex((item) => item.kind === 'action' && item.action === 'show-units');
    expect(view.menu[index]).toEqual({ kind: 'action', action: 'show-units', label: 'Units: 2 ok · 1 late · 1 missing', enabled: true });
    expect(view.menu[index - 1]?.kind).toBe('status');
    expect(view.menu[index + 1]?.kind).toBe('separator');
  });

  it('leaves out a count that is 0, and shows with forwarding off too', () => {
    const view = trayView(statusWith({ forwardEnabled: false, units: unitsWith([['BE11111', 1], ['BE22222', 3]]) }), NOW_MS);
    expect(actions(view.menu)).toContain('Units: 2 ok');
    expect(view.state).toBe('off');
  });

  it('does not change the icon: a missing unit is not a forwarding failure', () => {
    expect(trayView(statusWith({ units: unitsWith([['BE11111', 40]]) }), NOW_MS).state).toBe('ok');
  });
});
