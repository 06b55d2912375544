// Item 3: the Units page in Chromium with the real page and preload (page-harness.ts): opened by
// the main process (the tray's Units line), filled from the status as text, with the count of
// units that are not ok in the navigation. Writes test-output/electron/settings-units.png.
import { describe, expect, it } from 'vitest';
import { pushStatus, shot, showPageFromMain, usePageTests, type Harness } from './page-harness.js';
import { localDateTime } from '../../src/text/local-time.js';
import { NOW_MS, statusWith, unitsWith } from './status-fixture.js';

const pages = usePageTests('s3w-units-window-');
let h: Harness;

const HOUR_MS = 3_600_000;

describe('item 3: the Units page in the settings window', () => {
  it('shows a row per unit: unit, last call-in in local time and how long ago, state, file; the nav counts the late and missing', async () => {
    h = await pages.open();
    const { page } = h;
    const units = unitsWith([['BE10036', 50], ['BE4471', 30], ['BA3353', 13.5], ['BE9529', 2], ['BE12345', 0.5]]);
    await pushStatus(page, statusWith({ units }), NOW_MS);
    await showPageFromMain(page, 'units');
    expect(await page.locator('#page-units').isVisible()).toBe(true);
    expect(await page.locator('#nav-count-units').textContent()).toBe('3');
    expect(await page.locator('#units-summary').textContent()).toBe('5 units: 2 ok, 1 late, 2 missing (late after 12 h, missing after 24 h without a call-in).');
    const rows = await page.$$eval('#units-rows tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    expect(rows[0]).toEqual(['BE10036', `${localDateTime(NOW_MS - 50 * HOUR_MS)} (2 days 2 h ago)`, 'missing', 'M529LK44.MLG']);
    expect(rows.map((r) => [r[0], r[2]])).toEqual([
      ['BE10036', 'missing'],
      ['BE4471', 'missing'],
      ['BA3353', 'late'],
      ['BE9529', 'ok'],
      ['BE12345', 'ok'],
    ]);
    expect(rows.every((r) => !/T\d\d:/.test(r[1] ?? ''))).toBe(true); // no ISO time for a person
    await page.setViewportSize({ width: 760, height: 520 });
    await shot(page, 'settings-units');
  });

  it('a unit name or file from the folder goes in as text, never as HTML', async () => {
    h = await pages.open();
    const { page } = h;
    const units = unitsWith([['BE9529', 1]]);
    const hostile = { ...units, list: [{ ...units.list[0]!, file: '<img src=x onerror=alert(1)>.MLG' }] };
    await pushStatus(page, statusWith({ units: hostile }), NOW_MS);
    await showPageFromMain(page, 'units');
    expect(await page.locator('#units-rows td').last().textContent()).toBe('<img src=x onerror=alert(1)>.MLG');
    expect(await page.locator('#units-rows img').count()).toBe(0);
    expect(await page.locator('#nav-count-units').textContent()).toBe('');
  });
});
