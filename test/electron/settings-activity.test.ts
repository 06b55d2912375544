// The settings window's Activity page in Chromium (issue 10 item 4), with the real page, preload,
// settings service and agent (page-harness.ts): the real agent delivers to the real test receiver,
// and its status goes through the main process's pagesView to the page, one row per delivery,
// newest first, local times. The picture for the README is made here (test-output/electron/).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { waitFor, writeEvent } from '../support/fixtures.js';
import { localDateTime } from '../../src/text/local-time.js';
import { pushStatus, shotAsOnWindows, showPageFromMain, usePageTests, type Harness } from './page-harness.js';
import { NOW_MS, minutesAgo, statusWith } from './status-fixture.js';

const pages = usePageTests('s3w-settings-activity-');
let h: Harness;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

const tableRows = (): Promise<string[][]> =>
  h.page.$$eval('#activity-rows tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')));

describe('item 4: the Activity page', () => {
  it('lists what the real agent delivered, newest first, in local time', async () => {
    const folder = path.join(pages.root(), 'real');
    h = await pages.open({ dir: folder, 
      configText: (template) =>
        template
          .replace(/^SFM_FORWARD_ENABLED = .*$/m, 'SFM_FORWARD_ENABLED = true')
          .replace(/^SFM_URL =.*$/m, `SFM_URL = ${receiver.url}`)
          .replace(/^SFM_QUIESCENCE_SECONDS = .*$/m, 'SFM_QUIESCENCE_SECONDS = 0.2')
          .replace(/^SFM_MISSING_REPORT_GRACE_SECONDS = .*$/m, 'SFM_MISSING_REPORT_GRACE_SECONDS = 1'),
    });
    await h.page.getByRole('button', { name: 'Activity' }).click();
    await writeEvent(h.watchDir, 'M529LK44.AB0', { report: true, ageSeconds: 900 });
    await writeEvent(h.watchDir, 'M529LIY6.N00', { ageSeconds: 600 });
    h.supervisor.send('forward-now');
    const agent = h.agents[0]!;
    const status = await waitFor(() => (agent.status().recent.length === 2 ? agent.status() : null), 'two deliveries');
    const nowMs = Date.now();
    await pushStatus(h.page, status, nowMs);

    // Both went in the same pass, side by side: the page keeps the order the agent delivered them in.
    const words = (name: string): string => (name === 'M529LK44.AB0' ? 'with report' : 'without report');
    expect(await tableRows()).toEqual(status!.recent.map((r) => [localDateTime(r.deliveredAt, true).slice(11), r.filename, words(r.filename)]));
    expect(status!.recent.map((r) => r.filename).sort()).toEqual(['M529LIY6.N00', 'M529LK44.AB0']);
    expect(Date.parse(status!.recent[0]!.deliveredAt)).toBeGreaterThanOrEqual(Date.parse(status!.recent[1]!.deliveredAt));
    expect(await h.page.locator('#activity-summary').textContent()).toMatch(/^The last 2 events the server confirmed, newest first, in local time; 2 sent today\.$/);
    expect(await h.page.locator('#activity-table').isVisible()).toBe(true);
  });

  it('shows a late report, other days with their date, file names as text; the README picture', async () => {
    h = await pages.open({ dir: path.join(pages.root(), 'shot') });
    const row = (filename: string, minutes: number, withReport: boolean, lateReport = false) => ({ deliveredAt: minutesAgo(minutes, NOW_MS), filename, size: 4400, withReport, lateReport });
    const recent = [
      row('S353L4H0.3M0W', 1, true, true),
      row('M529LK46.AB0', 2, true),
      row('M529LIY6.N00', 4, false),
      row('P036L318.C80H', 9, true),
      row('M529LK44.AB0', 60 * 20, true),
    ];
    await pushStatus(h.page, statusWith({ recent, deliveredToday: 4 }), NOW_MS);
    await showPageFromMain(h.page, 'activity');
    const rows = await tableRows();
    expect(rows.map((r) => r.slice(1))).toEqual([
      ['S353L4H0.3M0W', 'late report (the binary went alone first)'],
      ['M529LK46.AB0', 'with report'],
      ['M529LIY6.N00', 'without report'],
      ['P036L318.C80H', 'with report'],
      ['M529LK44.AB0', 'with report'],
    ]);
    expect(rows[4]![0]).toBe(localDateTime(recent[4]!.deliveredAt, true));
    // The column headers name each cell for a screen reader.
    expect(await h.page.$$eval('#activity-table thead th', (ths) => ths.map((th) => th.textContent))).toEqual(['Sent', 'File', 'Report']);
    await shotAsOnWindows(h, 'settings-activity');

    // A name is shown as text, never as markup.
    await pushStatus(h.page, statusWith({ recent: [row('<b>M529LK44</b>.AB0', 1, true)] }), NOW_MS);
    expect((await tableRows())[0]![1]).toBe('<b>M529LK44</b>.AB0');
    expect(await h.page.locator('#activity-rows b').count()).toBe(0);
  });
});
