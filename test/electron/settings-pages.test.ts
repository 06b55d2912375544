// The settings window's navigation between its pages, in Chromium with the real page and
// preload (page-harness.ts): one page shown at a time, Save/Cancel only with the form, the
// main process opening the window at a page, the rows and counts it pushes.
import { describe, expect, it } from 'vitest';
import { pushStatus, showPageFromMain, usePageTests, type Harness } from './page-harness.js';
import { NOW_MS, heldBack, statusWith } from './status-fixture.js';

const pages = usePageTests('s3w-settings-pages-');
let h: Harness;

const shownSections = (page: Harness['page']): Promise<string[]> =>
  page.$$eval('main > section', (sections) => sections.filter((s) => !(s as unknown as { hidden: boolean }).hidden).map((s) => s.id));

describe('settings window pages', () => {
  it('shows one page at a time; Save and Cancel only with the form', async () => {
    h = await pages.open();
    const { page } = h;
    expect(await shownSections(page)).toEqual(['page-settings']);
    expect(await page.getAttribute('nav >> role=button[name="Settings"]', 'aria-current')).toBe('page');

    await page.getByRole('button', { name: 'Held back' }).click();
    expect(await shownSections(page)).toEqual(['page-held-back']);
    expect(await page.getByRole('button', { name: 'Save' }).isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Held back' }).getAttribute('aria-current')).toBe('page');
    expect(await page.getByRole('button', { name: 'Settings' }).getAttribute('aria-current')).toBeNull();

    await page.getByRole('button', { name: 'Settings' }).click();
    expect(await shownSections(page)).toEqual(['page-settings']);
    expect(await page.getByRole('button', { name: 'Save' }).isVisible()).toBe(true);
  });

  it('opens at the page the main process names (a tray menu line)', async () => {
    h = await pages.open();
    await showPageFromMain(h.page, 'activity');
    expect(await shownSections(h.page)).toEqual(['page-activity']);
    await showPageFromMain(h.page, 'units');
    expect(await shownSections(h.page)).toEqual(['page-units']);
  });

  it('fills the Held back page and its count from the status, as text', async () => {
    h = await pages.open();
    const { page } = h;
    const hostile = heldBack('<img src=x onerror=alert(1)>.AB0', 'row status "error": <b>bad</b>');
    await pushStatus(page, statusWith({ heldBack: [heldBack('M529LK44.AB0', 'bad header'), hostile] }), NOW_MS);
    expect(await page.locator('#nav-count-held-back').textContent()).toBe('2');
    await page.getByRole('button', { name: /Held back/ }).click();
    expect(await page.locator('#held-back-summary').textContent()).toMatch(/^2 held back/);
    const rows = await page.$$eval('#held-back-rows tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    expect(rows.map((r) => r.slice(0, 2))).toEqual(
      expect.arrayContaining([
        ['M529LK44.AB0', 'bad header'],
        ['<img src=x onerror=alert(1)>.AB0', 'row status "error": <b>bad</b>'],
      ]),
    );
    expect(await page.locator('#held-back-rows img').count()).toBe(0);

    await pushStatus(page, statusWith(), NOW_MS);
    expect(await page.locator('#nav-count-held-back').textContent()).toBe('');
    expect(await page.locator('#held-back-table').isVisible()).toBe(false);
    expect(await page.locator('#held-back-summary').textContent()).toBe('Nothing is held back: the server has taken every event it was sent.');
  });
});
