// Issue 10 item 2: the settings window's Held back page in Chromium, with the real page, preload,
// handlers, settings service, worker body and agent (page-harness.ts): a row per held-back event
// (file, reason, since in local time, refusals, state), Retry and Dismiss per row reaching the
// agent (the real receiver refusing events for good), dismissed rows listed as such. Takes the screenshot test-output/electron/settings-held-back.png.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pushStatus, shot, showPageFromMain, usePageTests, type Harness } from './page-harness.js';
import { writeEvent } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { localClockOrDate } from '../../src/text/local-time.js';

const pages = usePageTests('s3w-held-back-page-');
let h: Harness;
let receiver: Receiver;

beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
});

const REFUSED = 'unsupported format (not a Series 3 event)';
const FILES = ['M529LK44.AB0', 'S353L4H0.3M0W'];

/** The server refuses every event for good; forwarding is on, one refusal holds an event back. */
async function openRefusing(): Promise<Harness> {
  const watchDir = path.join(pages.root(), 'autocall home');
  await mkdir(watchDir, { recursive: true });
  for (const filename of FILES) await writeEvent(watchDir, filename, { report: true });
  receiver.behave(() => ({ kind: 'row', status: 'error', detail: REFUSED }));
  return pages.open({
    configText: (t) =>
      t
        .replace(/^SFM_FORWARD_ENABLED = .*$/m, 'SFM_FORWARD_ENABLED = true')
        .replace(/^SFM_URL =.*$/m, `SFM_URL = ${receiver.url}`)
        .replace(/^SFM_HOLD_BACK_AFTER = .*$/m, 'SFM_HOLD_BACK_AFTER = 1'),
  });
}

/** What the main process pushes for the agent's status now (settings-window.ts does it on every status). */
async function pushAgentStatus(harness: Harness): Promise<void> {
  await pushStatus(harness.page, harness.supervisor.lastStatus(), Date.now());
}

const rowsOf = (harness: Harness): Promise<string[][]> =>
  harness.page.$$eval('#held-back-rows tr', (trs) => trs.map((tr) => [...tr.children].map((c) => (c.textContent ?? '').trim())));

async function untilStatus(harness: Harness, check: (held: readonly { filename: string; dismissed: boolean }[]) => boolean, what: string): Promise<void> {
  const start = Date.now();
  while (!check(harness.supervisor.lastStatus()?.heldBack ?? [])) {
    if (Date.now() - start > 8_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the Held back page', () => {
  it('shows a row per event with Retry and Dismiss, and both reach the agent', async () => {
    h = await openRefusing();
    const harness = h;
    const { page } = harness;
    await untilStatus(harness, (held) => held.length === 2, 'the agent to hold back both');
    await pushAgentStatus(harness);
    await showPageFromMain(page, 'held-back');
    const since = localClockOrDate(harness.supervisor.lastStatus()!.heldBack[0]!.since, Date.now());
    expect(since).toMatch(/^\d\d:\d\d$|^\d{4}-\d\d-\d\d \d\d:\d\d$/);
    expect((await rowsOf(harness)).map((r) => r.slice(0, 5)).sort()).toEqual([
      ['M529LK44.AB0', expect.stringContaining(REFUSED), since, '1', 'Waiting for you'],
      ['S353L4H0.3M0W', expect.stringContaining(REFUSED), since, '1', 'Waiting for you'],
    ]);
    expect(await page.locator('#nav-count-held-back').textContent()).toBe('2');

    await page.getByRole('button', { name: 'Dismiss M529LK44.AB0' }).click();
    await page.locator('#held-back-result.ok').waitFor();
    expect(await page.locator('#held-back-result').textContent()).toBe('M529LK44.AB0 is dismissed: it stays held back and no longer counts as failing.');
    await untilStatus(harness, (held) => held.some((e) => e.filename === 'M529LK44.AB0' && e.dismissed), 'the dismissal in the agent');
    await pushAgentStatus(harness);
    const rows = await rowsOf(harness);
    expect(rows.map((r) => [r[0], r[4], r[5]])).toEqual([
      ['S353L4H0.3M0W', 'Waiting for you', 'RetryDismiss'],
      ['M529LK44.AB0', 'Dismissed', 'Retry'],
    ]);
    expect(await page.locator('#held-back-rows tr.dismissed th').textContent()).toBe('M529LK44.AB0');
    expect(await page.locator('#nav-count-held-back').textContent()).toBe('1');
    expect(await page.locator('#held-back-summary').textContent()).toMatch(/^2 held back \(1 dismissed\): /);
    await shot(page, 'settings-held-back');

    receiver.behave(() => ({ kind: 'ok' }));
    await page.getByRole('button', { name: 'Retry S353L4H0.3M0W' }).click();
    await page.locator('#held-back-result.ok', { hasText: 'S353L4H0.3M0W' }).waitFor();
    expect(await page.locator('#held-back-result').textContent()).toBe('S353L4H0.3M0W will be sent again in the next pass.');
    await untilStatus(harness, (held) => held.length === 1, 'the retried event to leave the list');
    await untilStatus(harness, () => receiver.received().some((b) => b.filename === 'S353L4H0.3M0W'), 'the retried event at the server');
    expect(receiver.received().map((b) => b.filename)).toEqual(['S353L4H0.3M0W']);
    await pushAgentStatus(harness);
    expect((await rowsOf(harness)).map((r) => r[0])).toEqual(['M529LK44.AB0']);
    expect(await page.locator('#nav-count-held-back').textContent()).toBe('');
  });

  it('an event no longer held back when its button is pressed is said so, naming it', async () => {
    h = await openRefusing();
    const harness = h;
    await untilStatus(harness, (held) => held.length === 2, 'the agent to hold back both');
    await pushAgentStatus(harness);
    await showPageFromMain(harness.page, 'held-back');
    // Released elsewhere (the tray's Retry held-back events) after the page was drawn.
    receiver.behave(() => ({ kind: 'ok' }));
    harness.supervisor.send('retry-held-back');
    await untilStatus(harness, (held) => held.length === 0, 'the tray retry');
    await harness.page.getByRole('button', { name: 'Dismiss M529LK44.AB0' }).click();
    await harness.page.locator('#held-back-result.bad').waitFor();
    expect(await harness.page.locator('#held-back-result').textContent()).toBe('M529LK44.AB0 is no longer held back; the list shows what is now.');
  });
});
