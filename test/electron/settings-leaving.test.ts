// Issue 10 item 8 (and the layout half of item 5) in the real settings page, in Chromium
// (page-harness.ts): unsaved edits are never thrown away without asking (Esc, Cancel, the
// window's X), the fields' accessible names and descriptions as a screen reader gets them
// (Chromium's own accessibility tree, through the DevTools protocol), and the first step
// (server address, token, Test connection) at the top of the window.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { shotAsOnWindows, usePageTests, type Harness } from './page-harness.js';

const pages = usePageTests('s3w-settings-leaving-');
let h: Harness;

/** The id of the element that has the keyboard focus ('' for none). */
const focusedId = (page: Page): Promise<string> =>
  page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id ?? '');
const question = (page: Page) => page.getByRole('dialog', { name: 'Close without saving?' });

/** What Chromium gives a screen reader for the element: its accessible name and description. */
async function axOf(page: Page, selector: string): Promise<{ name: string; description: string }> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root: doc } = (await cdp.send('DOM.getDocument', { depth: 0 })) as { root: { nodeId: number } };
    const { nodeId } = (await cdp.send('DOM.querySelector', { nodeId: doc.nodeId, selector })) as { nodeId: number };
    const { nodes } = (await cdp.send('Accessibility.getPartialAXTree', { nodeId, fetchRelatives: false })) as {
      nodes: Array<{ name?: { value?: string }; description?: { value?: string } }>;
    };
    return { name: nodes[0]?.name?.value ?? '', description: nodes[0]?.description?.value ?? '' };
  } finally {
    await cdp.detach();
  }
}

/**
 * Closes the page as a window's close button does: its beforeunload handlers run first and may
 * keep it open (DevTools' Page.close; Playwright's page.close skips them in this Chromium).
 */
async function closeAsTheXDoes(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Page.close');
  await cdp.detach().catch(() => undefined); // gone with the page when it closed
}

describe('item 8: unsaved edits are never thrown away without asking', () => {
  it('with nothing edited, Esc closes the window at once', async () => {
    h = await pages.open();
    await h.page.keyboard.press('Escape');
    await expect.poll(() => h!.closed).toBe(true);
    expect(await question(h.page).isVisible()).toBe(false);
  });

  it('with nothing edited, Cancel closes the window at once', async () => {
    h = await pages.open();
    await h.page.click('#cancel');
    await expect.poll(() => h!.closed).toBe(true);
  });

  it('Esc with an edit asks first; "Keep editing" (focused) and Esc keep the edit and the focus where it was', async () => {
    h = await pages.open();
    await h.page.fill('#field-SCAN_INTERVAL_SECONDS', '30');
    await h.page.keyboard.press('Escape');
    await question(h.page).waitFor();
    expect(await h.page.textContent('#unsaved-text')).toBe('You changed “Full pass every (seconds)”. Close the window and throw this change away?');
    expect(await focusedId(h.page)).toBe('unsaved-keep');
    await shotAsOnWindows(h, 'settings-unsaved-changes');
    await h.page.keyboard.press('Enter'); // the focused "Keep editing"
    await question(h.page).waitFor({ state: 'hidden' });
    expect(await focusedId(h.page)).toBe('field-SCAN_INTERVAL_SECONDS');
    expect(await h.page.inputValue('#field-SCAN_INTERVAL_SECONDS')).toBe('30');

    await h.page.keyboard.press('Escape');
    await question(h.page).waitFor();
    await h.page.keyboard.press('Escape'); // Esc in the question: keep editing
    await question(h.page).waitFor({ state: 'hidden' });
    expect(await focusedId(h.page)).toBe('field-SCAN_INTERVAL_SECONDS');
    expect(h.closed).toBe(false);
  });

  it('Cancel with edits names each of them; "Close without saving", reached by keyboard, closes and writes nothing', async () => {
    h = await pages.open();
    const before = await readFile(h.configPath);
    await h.page.fill('#field-SFM_URL', 'http://sfm.example:8000');
    await h.page.check('#field-SFM_FORWARD_ENABLED');
    await h.page.click('#token-replace');
    await h.page.fill('#token-input', 'tok-unsaved');
    await h.page.check('#start-at-login');
    await h.page.click('#cancel');
    await question(h.page).waitFor();
    expect(await h.page.textContent('#unsaved-text')).toBe(
      'You changed “Server address”, “Forward events to the server”, “Server access token” and “Start at sign-in”. Close the window and throw these changes away?',
    );
    expect(h.closed).toBe(false);
    await h.page.keyboard.press('Tab');
    expect(await focusedId(h.page)).toBe('unsaved-discard');
    await h.page.keyboard.press('Enter');
    await expect.poll(() => h!.closed).toBe(true);
    expect((await readFile(h.configPath)).equals(before)).toBe(true);
    expect(h.loginItem).toBe(false);
  });

  it('an edit put back as it was is no edit: Esc closes at once', async () => {
    h = await pages.open();
    const original = await h.page.inputValue('#field-SCAN_INTERVAL_SECONDS');
    await h.page.fill('#field-SCAN_INTERVAL_SECONDS', '30');
    await h.page.fill('#field-SCAN_INTERVAL_SECONDS', original);
    await h.page.keyboard.press('Escape');
    await expect.poll(() => h!.closed).toBe(true);
  });

  it('after Save there is nothing unsaved: Esc closes at once', async () => {
    h = await pages.open();
    await h.page.fill('#field-SCAN_INTERVAL_SECONDS', '30');
    await h.page.click('#save');
    await h.page.locator('#save-result.ok').waitFor();
    await h.page.keyboard.press('Escape');
    await expect.poll(() => h!.closed).toBe(true);
  });

  it("the window's X (beforeunload) with an edit keeps the window and asks in the page; with none it closes", async () => {
    h = await pages.open();
    const browserAsked: string[] = [];
    h.page.on('dialog', (d) => {
      browserAsked.push(d.type());
      void d.dismiss(); // Electron cancels silently; Chromium asks, and "stay" is what Electron does
    });
    const original = await h.page.inputValue('#field-SCAN_INTERVAL_SECONDS');
    await h.page.click('#field-SCAN_INTERVAL_SECONDS'); // a person's input: Chromium honours beforeunload only then
    await h.page.keyboard.press('End');
    await h.page.keyboard.type('0');
    await closeAsTheXDoes(h.page);
    await question(h.page).waitFor();
    expect(h.page.isClosed()).toBe(false);
    expect(browserAsked).toEqual(['beforeunload']);
    expect(await focusedId(h.page)).toBe('unsaved-keep');

    await h.page.getByRole('button', { name: 'Keep editing' }).click();
    await h.page.fill('#field-SCAN_INTERVAL_SECONDS', original); // no edit left
    const closed = new Promise<void>((resolve) => h!.page.once('close', () => resolve()));
    await closeAsTheXDoes(h.page);
    await closed;
    expect(browserAsked).toEqual(['beforeunload']);
  });
});

describe('item 8: names and descriptions as a screen reader gets them', () => {
  it('each field is found by its label alone; the key and the description are its description', async () => {
    h = await pages.open();
    const address = h.page.getByRole('textbox', { name: 'Server address', exact: true });
    expect(await address.count()).toBe(1);
    expect(await address.getAttribute('id')).toBe('field-SFM_URL');
    expect(await h.page.getByRole('checkbox', { name: 'Forward events to the server', exact: true }).count()).toBe(1);
    expect(await h.page.getByRole('textbox', { name: 'Watch folder', exact: true }).count()).toBe(1);
    expect(await axOf(h.page, '#field-SFM_URL')).toEqual({
      name: 'Server address',
      description: 'Address of the SFM server, e.g. http://sfm.example:8000 (no user name or password in it). SFM_URL',
    });
    expect((await axOf(h.page, '#field-SCAN_INTERVAL_SECONDS')).description).toMatch(/Default: 60\. SCAN_INTERVAL_SECONDS$/);
    await h.page.click('#token-replace');
    expect(await axOf(h.page, '#token-input')).toEqual({ name: 'New token', description: 'SFM_API_TOKEN' });
    expect((await axOf(h.page, '#test-connection')).description).toMatch(/^Asks the server whether its import endpoint answers/);
  });

  it("a bad value's message joins the description, before the key", async () => {
    h = await pages.open();
    await h.page.fill('#field-SFM_URL', 'sfm.example:8000');
    await h.page.locator('#field-SFM_URL-message').waitFor();
    const message = (await h.page.textContent('#field-SFM_URL-message')) ?? '';
    expect(message).not.toBe('');
    expect((await axOf(h.page, '#field-SFM_URL')).description).toBe(
      // The ✖ is the message's CSS mark (settings.css), read with it.
      `Address of the SFM server, e.g. http://sfm.example:8000 (no user name or password in it). ✖ ${message} SFM_URL`,
    );
  });
});

describe('item 5: the first step is at the top of the window', () => {
  it('server address, forwarding, token and Test connection come first, visible without scrolling, the cursor in the address', async () => {
    h = await pages.open();
    const order = await h.page.locator('#field-SFM_URL, #field-SFM_FORWARD_ENABLED, #token-group, #test-connection, #field-SFM_PROXY, #field-SERIES3_PATH').evaluateAll((els) => els.map((e) => e.id));
    expect(order).toEqual(['field-SFM_URL', 'field-SFM_FORWARD_ENABLED', 'token-group', 'test-connection', 'field-SFM_PROXY', 'field-SERIES3_PATH']);
    const viewport = h.page.viewportSize()!;
    for (const selector of ['#field-SFM_URL', '#field-SFM_FORWARD_ENABLED', '#token-replace', '#test-connection']) {
      const box = (await h.page.locator(selector).boundingBox())!;
      expect(box.y + box.height, `${selector} is below the fold`).toBeLessThanOrEqual(viewport.height);
    }
    expect(await focusedId(h.page)).toBe('field-SFM_URL');
    expect(await h.page.locator('#group-connection legend').textContent()).toBe('Connection details');
    await shotAsOnWindows(h, 'settings-first-start');
    // The picture's Windows paths were for the picture only: the page is as it was.
    expect(await h.page.textContent('#config-path')).toBe(h.configPath);
    expect(await h.page.inputValue('#field-SERIES3_PATH')).toBe(h.watchDir);
    expect(await h.page.locator('.changed').count()).toBe(0);
  });

  it('with a server already set, the cursor is not moved', async () => {
    h = await pages.open({ configText: (t) => t.replace(/^SFM_URL =.*$/m, 'SFM_URL = http://sfm.example:8000') });
    expect(await focusedId(h.page)).toBe('');
  });
});
