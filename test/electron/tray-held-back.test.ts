// Issue 10 item 2: the tray's held-back lines (electron/main/tray-held-back.ts, through trayView).
import { describe, expect, it } from 'vitest';
import { trayView, type TrayMenuItem } from '../../electron/main/tray-view.js';
import { NOW_MS, heldBack, statusWith } from './status-fixture.js';

const statusLabels = (menu: readonly TrayMenuItem[]): string[] =>
  menu.flatMap((item) => (item.kind === 'status' ? [item.label] : []));
const actions = (menu: readonly TrayMenuItem[]): string[] =>
  menu.flatMap((item) => (item.kind === 'action' ? [`${item.label}${item.enabled ? '' : ' (disabled)'}`] : []));

describe('the tray menu: held-back events', () => {
  it('one line "N held back — Show…" opens the Held back page, after the status lines', () => {
    const none = trayView(statusWith(), NOW_MS);
    expect(none.menu.some((item) => item.kind === 'action' && item.action === 'show-held-back')).toBe(false);
    const status = statusWith({ heldBack: [heldBack('M529LK44.AB0', 'row status "error": bad header'), heldBack('B', 'r')] });
    const view = trayView(status, NOW_MS);
    const at = view.menu.findIndex((item) => item.kind === 'action' && item.action === 'show-held-back');
    expect(view.menu[at]).toEqual({ kind: 'action', action: 'show-held-back', label: '2 held back — Show…', enabled: true });
    expect(view.menu.slice(0, at).every((item) => item.kind === 'status')).toBe(true);
    // The file names and reasons are on the page, not squeezed into the menu.
    expect(statusLabels(view.menu).some((label) => label.includes('M529LK44.AB0'))).toBe(false);
  });

  it('dismissed events are listed as such, not failing, and not offered for Retry', () => {
    const status = statusWith({ heldBack: [heldBack('M529LK44.AB0', 'bad header', true), heldBack('B', 'r', true)] });
    const view = trayView(status, NOW_MS);
    expect(view.state).toBe('ok');
    expect(actions(view.menu)).toContain('2 held back (all dismissed) — Show…');
    expect(actions(view.menu).some((a) => a.startsWith('Retry'))).toBe(false);
    expect(statusLabels(view.menu)).not.toContain('Uploads are failing: see Open log');
    const mixed = trayView(statusWith({ heldBack: [heldBack('A', 'r', true), heldBack('B', 'r')] }), NOW_MS);
    expect(mixed.state).toBe('failing');
    expect(actions(mixed.menu)).toEqual(expect.arrayContaining(['2 held back (1 dismissed) — Show…', 'Retry held-back events (1)']));
    expect(mixed.tooltip).toBe('Series3 Watcher · 2 held back (1 dismissed) · 1,204 sent today · none waiting · last OK 2 min ago');
  });


  it('Retry is disabled while the agent is not running (nothing to act on it)', () => {
    const view = trayView(statusWith({ running: false, heldBack: [heldBack('A', 'r')] }), NOW_MS);
    expect(actions(view.menu)).toContain('Retry held-back events (1) (disabled)');
    expect(actions(view.menu)).toContain('1 held back — Show…');
  });
});
