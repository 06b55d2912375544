// Renders trayView's output for each state as HTML in Chromium (icon, tooltip, menu) and
// screenshots it to test-output/electron/tray-menu.png: the picture of the tray in the
// README, drawn from the same pure function the app renders.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { AgentStatus } from '../../src/agent/status-types.js';
import { trayView, type TrayView } from '../../electron/main/tray-view.js';
import { launchChromium, outputDir, repoRoot } from './page-harness.js';
import { NOW_MS, heldBack, minutesAgo, statusWith, unitsWith } from './status-fixture.js';
import { mkdir } from 'node:fs/promises';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

const escape = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const icon = (name: string, size: 16 | 32): string =>
  `data:image/png;base64,${readFileSync(path.join(repoRoot, 'assets', `${name}-${size}.png`)).toString('base64')}`;

function card(title: string, view: TrayView): string {
  const items = view.menu
    .map((item) => {
      switch (item.kind) {
        case 'status':
          return `<li class="status">${escape(item.label)}</li>`;
        case 'separator':
          return '<li class="sep"></li>';
        case 'action':
          return `<li class="${item.enabled ? 'action' : 'action disabled'}">${escape(item.label)}</li>`;
      }
    })
    .join('');
  return `<section data-state="${view.state}">
    <h2>${escape(title)}</h2>
    <div class="taskbar"><img src="${icon(view.icon, 16)}" width="16" height="16" alt=""><img src="${icon(view.icon, 32)}" width="32" height="32" alt="">
      <span class="tip">${escape(view.tooltip)}</span></div>
    <ul class="menu">${items}</ul></section>`;
}

const STATES: ReadonlyArray<readonly [string, AgentStatus]> = [
  ['All delivered', statusWith({ units: unitsWith([['BE9529', 1], ['BE10036', 2], ['BA3353', 3], ['BE12345', 14], ['BE4471', 30]]) })],
  ['Working through a backlog', statusWith({
    waiting: 19_500, passInProgress: false,
    backlog: { waiting: 19_500, ratePerMinute: 500, etaSeconds: 39 * 60, nextBatchAt: new Date(NOW_MS + 50_000).toISOString(), capReached: true },
  })],
  ['Failing', statusWith({
    serverReachable: false, waiting: 37, failingSince: minutesAgo(17), lastSuccessAt: minutesAgo(18),
    lastFailureReason: 'cannot connect to http://sfm.example:8000: connection refused',
    backoffUntil: new Date(NOW_MS + 40_000).toISOString(),
    heldBack: [heldBack('M529LK44.AB0', 'row status "error": not a Series 3 event')],
  })],
  ['Paused', statusWith({ paused: true, waiting: 12 })],
  ['Forwarding off', statusWith({ forwardEnabled: false, waiting: 1_503, deliveredToday: 0 })],
];

describe('the tray, rendered from trayView', () => {
  it('draws every state: icon, tooltip and menu', async () => {
    const views = STATES.map(([title, status]) => [title, trayView(status, NOW_MS)] as const);
    const html = `<!doctype html><html><head><meta charset="utf-8"><style>
      body { font: 12px "Segoe UI", system-ui, sans-serif; margin: 12px; background: #e9eef3; display: grid; grid-template-columns: repeat(auto-fill, 330px); gap: 12px; }
      section { background: #fff; border: 1px solid #c8d1da; border-radius: 6px; padding: 8px 10px; }
      h2 { font-size: 13px; margin: 0 0 6px; }
      .taskbar { display: flex; gap: 8px; align-items: center; background: #1f2937; color: #f3f4f6; padding: 6px 8px; border-radius: 4px; }
      .tip { font-size: 11px; }
      .menu { list-style: none; margin: 6px 0 0; padding: 4px 0; border: 1px solid #c8d1da; border-radius: 4px; }
      .menu li { padding: 2px 12px; }
      .status, .disabled { color: #8a939c; }
      .sep { border-top: 1px solid #d9dee3; margin: 3px 0; padding: 0 !important; }
    </style></head><body>${views.map(([t, v]) => card(t, v)).join('')}</body></html>`;
    const page = await browser.newPage({ viewport: { width: 1040, height: 760 } });
    try {
      await page.setContent(html);
      const states = await page.locator('section').evaluateAll((els) => els.map((e) => (e as unknown as { dataset: Record<string, string | undefined> }).dataset['state']));
      expect(states).toEqual(['ok', 'busy', 'failing', 'paused', 'off']);
      // Every icon decoded (a broken PNG has naturalWidth 0).
      const widths = await page.locator('img').evaluateAll((imgs) => imgs.map((i) => (i as unknown as { naturalWidth: number }).naturalWidth));
      expect(widths).toEqual(Array.from({ length: 5 }, () => [16, 32]).flat());
      await mkdir(outputDir, { recursive: true });
      await page.screenshot({ path: path.join(outputDir, 'tray-menu.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });
});
