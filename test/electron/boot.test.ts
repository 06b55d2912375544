// Issue 9 item 0: the tray app's main process, as built (dist/electron/main/main.js), booted
// under plain Node with the Electron stand-in of test/electron/boot/, the real worker
// (dist/electron/main/worker.js in a child process), the real settings page in Chromium,
// real files in a temp %APPDATA% and the real test receiver. One app is driven through the
// steps in order, as a technician would: each `it` starts where the previous one ended.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { writeEvent, writeMonitorLog } from '../support/fixtures.js';
import { CHROMIUM, bootTrayApp, compileStandIn, isAlive, pollUntil, stateOf, statusLines, type BootedApp, type TrayState } from './boot/boot-driver.js';


/** Generous for a loaded 2-core machine; each wait fails with what the app showed. */
const STEP_MS = 15_000;

let receiver: Receiver;
let root: string;
let standIn: Awaited<ReturnType<typeof compileStandIn>>;
let app: BootedApp;
let userData: string;
let configPath: string;
let watchDir: string;

const VERSION = (JSON.parse(readFileSync(path.join(process.cwd(), 'package.json'), 'utf8')) as { version: string }).version;
const offNotices = () => app.messages().filter((m) => m.type === 'notification' && m.title === 'Series3 Watcher: forwarding is off');
const posts = (): number => receiver.requests.filter((r) => r.method === 'POST').length;
const state = (): TrayState | null => stateOf(app.tray());
const lines = (): string[] => statusLines(app.tray());
const menuItem = (label: string) => app.tray()?.menu.find((item) => item.label === label);
const inTotal = (n: number): boolean => lines().some((line) => line.endsWith(` · ${n} in total`));

function configText(forwardEnabled: boolean, extra: readonly string[] = []): string {
  return [
    '[watcher]',
    `SERIES3_PATH = ${watchDir}`,
    'SCAN_INTERVAL_SECONDS = 60',
    'SFM_QUIESCENCE_SECONDS = 0.2',
    'SFM_MISSING_REPORT_GRACE_SECONDS = 1',
    `SFM_FORWARD_ENABLED = ${forwardEnabled}`,
    `SFM_URL = ${receiver.url}`,
    'SFM_CONCURRENCY = 1',
    'SFM_HTTP_TIMEOUT_SECONDS = 10',
    // A failed upload waits at least 30 s (equal jitter): only Forward now can beat that here.
    'SFM_RETRY_BASE_SECONDS = 60',
    'SFM_RETRY_MAX_SECONDS = 60',
    // One refusal holds an event back, so the Held back step needs no minute-long passes.
    'SFM_HOLD_BACK_AFTER = 1',
    ...extra,
    '',
  ].join('\n');
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (the settings window runs in it)`);
  receiver = await startReceiver();
  // Each upload takes a moment, so the tray is seen working through the backlog.
  receiver.behave(() => ({ kind: 'delay', ms: 600 }));
  root = await mkdtemp(path.join(os.tmpdir(), 's3w-boot-'));
  const appData = path.join(root, 'AppData', 'Roaming');
  userData = path.join(appData, 'Series3 Watcher');
  configPath = path.join(userData, 'config.ini');
  watchDir = path.join(root, 'autocall home');
  await mkdir(userData, { recursive: true });
  await mkdir(watchDir, { recursive: true });
  await writeFile(configPath, configText(false));
  for (const [i, name] of ['M529LK44.AB0', 'M529LK45.AB0', 'M529LK46.AB0'].entries()) {
    await writeEvent(watchDir, name, { report: true, ageSeconds: 900 - i * 60 });
  }
  // Two units call in: BE9529 two hours ago (ok), BA3353 twenty hours ago (late).
  await writeMonitorLog(watchDir, 'M529LK44.MLG', 'BE9529', { ageSeconds: 2 * 3600 });
  await writeMonitorLog(watchDir, 'S353L4H0.MLG', 'BA3353', { ageSeconds: 20 * 3600 });
  standIn = await compileStandIn();
  app = bootTrayApp({
    registerUrl: standIn.registerUrl,
    appDataDir: appData,
    logFiles: [path.join(userData, 'tray.log'), path.join(userData, 'state', 'series3-watcher.log')],
  });
}, 30_000);

afterAll(async () => {
  app?.kill();
  await receiver?.close();
  await standIn?.remove();
  if (root) await rm(root, { recursive: true, force: true });
});

// The steps build on each other: after one fails, the rest say so instead of timing out one by one.
let failedStep: string | null = null;
beforeEach((context) => {
  if (failedStep !== null) context.skip(`an earlier step failed: ${failedStep}`);
});
afterEach((context) => {
  if (context.task.result?.state === 'fail') failedStep ??= context.task.name;
});

describe('item 0: the tray app boots under Node with the real worker and is driven from its menu', { timeout: 2 * STEP_MS }, () => {
  it('item 0: with forwarding off the tray shows "off", counts what waits and sends nothing', async () => {
    await app.waitFor('the tray to show forwarding off with 3 waiting', () => state() === 'off' && app.tray()?.tooltip === 'Series3 Watcher · Forwarding off: 3 waiting, nothing is sent', STEP_MS);
    const tray = app.tray()!;
    expect(tray.iconEmpty, `${tray.iconPath} could not be read`).toBe(false);
    expect(lines()[0]).toBe('Forwarding is off: turn it on in Settings…');
    expect(menuItem('Forward now')?.enabled).toBe(false);
    expect(menuItem('Pause')?.enabled).toBe(false);
    expect(menuItem('Settings…')?.enabled).toBe(true);
    expect(menuItem('Quit')?.enabled).toBe(true);
    expect(menuItem(`About Series3 Watcher ${VERSION}`)?.enabled).toBe(false);
    expect(app.workerPids()).toHaveLength(1);
    expect(posts()).toBe(0);
    // Item 5 (issue 10): a server is set, so this start opened no window by itself (boot-first-start.test.ts: one that does).
    expect(app.messages().filter((m) => m.type === 'window')).toEqual([]);
  });

  it('issue 10 item 5: forwarding off with events waiting is never silent: a notification at start says so, once', async () => {
    await app.waitFor('the "forwarding is off" notification', () => offNotices().length > 0, STEP_MS);
    expect(offNotices()).toEqual([
      {
        type: 'notification',
        title: 'Series3 Watcher: forwarding is off',
        body: '3 events are waiting and nothing is sent to the server. Open Settings and tick "Forward events to the server" to send them.',
      },
    ]);
  });

  it('item 0: turning forwarding on by hand in config.ini takes the tray through busy to all delivered', async () => {
    const seen = app.trays().length;
    await writeFile(configPath, configText(true)); // in place, as Notepad saves
    await app.waitFor('all 3 events delivered and the tray "ok"', () => state() === 'ok' && receiver.received().length === 3 && inTotal(3), STEP_MS);
    const states = app.trays().slice(seen).map(stateOf);
    expect(states).toContain('busy');
    expect(states.indexOf('busy')).toBeLessThan(states.lastIndexOf('ok'));
    expect(states.slice(states.indexOf('busy'))).not.toContain('off');
    expect(app.tray()?.tooltip).toMatch(/^Series3 Watcher · Forwarding · 3 sent today · all delivered · last OK just now$/);
    expect(receiver.received().map((b) => b.filename)).toEqual(['M529LK44.AB0', 'M529LK45.AB0', 'M529LK46.AB0']);
    // Issue 10 item 6: the tray app's worker names itself to the server too.
    expect(receiver.requests.map((r) => r.userAgent)).toEqual(Array(3).fill(`series3-watcher/${VERSION}`));
    expect(readFileSync(path.join(userData, 'tray.log'), 'utf8')).toContain('config.ini was edited: new settings applied');
  });

  it('item 0: Forward now tries the server at once instead of waiting out the back-off', async () => {
    const failing = receiver.requests.length; // the next request fails
    receiver.behave((_request, index) => (index === failing ? { kind: 'status', status: 503, headers: { 'retry-after': '60' } } : { kind: 'ok' }));
    await writeEvent(watchDir, 'M529LK47.AB0', { report: true, ageSeconds: 300 });
    await app.waitFor('the tray to show the failed upload waiting out the back-off', () => state() === 'failing' && lines().some((l) => l.startsWith('Next try in')), STEP_MS);
    expect(receiver.received()).toHaveLength(3);
    await app.click('Forward now');
    await app.waitFor('the event delivered after Forward now', () => state() === 'ok' && receiver.received().length === 4 && inTotal(4), STEP_MS);
    expect(posts()).toBe(5); // the 503, then one upload: well inside the 30 s the back-off would have waited
  });

  it('item 0: Pause holds a new event back and Resume sends it', async () => {
    await app.click('Pause');
    await app.waitFor('the tray to show paused', () => state() === 'paused' && menuItem('Resume')?.enabled === true, STEP_MS);
    expect(menuItem('Forward now')?.enabled).toBe(false);
    await writeEvent(watchDir, 'M529LK48.AB0', { report: true, ageSeconds: 120 });
    await app.waitFor('the paused agent to count the new event as waiting', () => state() === 'paused' && (app.tray()?.tooltip ?? '').includes(' · 1 waiting'), STEP_MS);
    expect(receiver.received()).toHaveLength(4);
    await app.click('Resume');
    await app.waitFor('the event delivered after Resume', () => state() === 'ok' && receiver.received().length === 5 && inTotal(5), STEP_MS);
    expect(menuItem('Pause')?.enabled).toBe(true);
  });

  it('item 0: Settings… opens the real settings page, which loads config.ini through the checked IPC and shows the status', async () => {
    await app.click('Settings…');
    await app.waitFor('the settings window to load', () => app.messages().find((m) => m.type === 'window' && (m.event === 'loaded' || m.event === 'load-failed')), STEP_MS);
    const loaded = app.messages().find((m) => m.type === 'window' && m.event !== 'created');
    expect(loaded).toMatchObject({ event: 'loaded', url: expect.stringMatching(/\/dist\/electron\/renderer\/settings\.html$/) });
    // The page's loadSettings went through ipcMain and settings-window.ts's sender check.
    await app.waitFor(`the page to show ${configPath}`, async () => {
      const problem = await app.windowText('#load-problems');
      if (problem !== '') throw new Error(`the settings page says: ${problem}`);
      return (await app.windowText('#config-path')) === configPath;
    }, STEP_MS);
    // The status reached the page too (sent on did-finish-load), and says what the tray says.
    const statusLine = await app.waitFor('the page to show the status', async () => {
      const text = await app.windowText('#status-line');
      return text.startsWith('Forwarding ·') && text;
    }, STEP_MS);
    expect(statusLine).toBe('Forwarding · 5 sent today · 0 waiting');
    expect(await app.windowText('#about')).toBe(`Series3 Watcher ${VERSION}`);
  });

  it('item 3: the Units line counts the units; one notification when a unit turns missing, none with UNIT_MISSING_NOTIFY off', async () => {
    const unitNotices = (): string[] => app.messages().flatMap((m) => (m.type === 'notification' && m.title.includes('unit') ? [m.title] : []));
    await app.waitFor('the Units line', () => menuItem('Units: 1 ok · 1 late')?.enabled === true, STEP_MS);
    expect(unitNotices()).toEqual([]); // the late unit is not announced, nor anything at the first look
    // BE9529 has not called in for 30 hours: its monitor log's time, as Blastware left it.
    const thirtyHoursAgo = new Date(Date.now() - 30 * 3600_000);
    await utimes(path.join(watchDir, 'M529LK44.MLG'), thirtyHoursAgo, thirtyHoursAgo);
    await app.click('Forward now');
    await app.waitFor('the unit missing in the menu', () => menuItem('Units: 1 late · 1 missing') !== undefined, STEP_MS);
    await app.waitFor('the notification', () => unitNotices().length === 1, STEP_MS);
    const notice = app.messages().find((m) => m.type === 'notification' && m.title.includes('unit'));
    expect(notice).toMatchObject({ title: 'Series3 Watcher: unit BE9529 is missing', body: expect.stringContaining('Last monitor log: M529LK44.MLG.') });
    // More passes while it stays missing: no second notification.
    const lastPass = (): string => JSON.stringify((JSON.parse(readFileSync(path.join(userData, 'state', 'status.json'), 'utf8')) as { lastPass: unknown }).lastPass);
    const passBefore = lastPass();
    await app.click('Forward now');
    await app.waitFor('another pass in status.json', () => lastPass() !== passBefore, STEP_MS);
    expect(unitNotices()).toHaveLength(1);
    // With the setting off, the next unit turning missing is shown in the menu but not announced.
    const edits = (): number => (readFileSync(path.join(userData, 'tray.log'), 'utf8').match(/config\.ini was edited/g) ?? []).length;
    const before = edits();
    await writeFile(configPath, configText(true, ['UNIT_MISSING_NOTIFY = false']));
    await app.waitFor('the edit applied', () => edits() > before, STEP_MS);
    const fortyHoursAgo = new Date(Date.now() - 40 * 3600_000);
    await utimes(path.join(watchDir, 'S353L4H0.MLG'), fortyHoursAgo, fortyHoursAgo);
    await app.click('Forward now');
    await app.waitFor('both units missing in the menu', () => menuItem('Units: 2 missing') !== undefined, STEP_MS);
    expect(unitNotices()).toHaveLength(1);
    expect(state()).toBe('ok'); // units are not forwarding: the icon stays "all delivered"
    // The line opens the (already open) settings window at its Units page, a row per unit.
    await app.click('Units: 2 missing');
    const shownHeading = async (): Promise<string> => app.windowText('main > section:visible h2, main > section:visible legend');
    await app.waitFor('the window to show the Units page', async () => (await shownHeading()) === 'Units', STEP_MS);
    await app.waitFor('the Units page rows', async () => /BA3353.*missing.*S353L4H0\.MLG/s.test(await app.windowText('#units-rows')) && /BE9529/.test(await app.windowText('#units-rows')), STEP_MS);
    expect(await app.windowText('#units-summary')).toBe('2 units: 0 ok, 0 late, 2 missing (late after 12 h, missing after 24 h without a call-in).');
  });

  it('issue 10: a menu line opens the open settings window at its page (Recent activity…)', async () => {
    const shownHeading = async (): Promise<string> => app.windowText('main > section:visible h2, main > section:visible legend');
    await app.click('Recent activity…');
    await app.waitFor('the window to show the Activity page', async () => (await shownHeading()) === 'Recent activity', STEP_MS);
    // Issue 10 item 4: the worker's status carries the recent deliveries; the page lists them, newest first.
    const rows = await app.waitFor('the Activity page to list the five deliveries', async () => {
      const text = await app.windowText('#activity-rows');
      return text.includes('M529LK44.AB0') && text;
    }, STEP_MS);
    expect(rows.match(/M529LK4\d\.AB0/g)).toEqual(['M529LK48.AB0', 'M529LK47.AB0', 'M529LK46.AB0', 'M529LK45.AB0', 'M529LK44.AB0']);
    expect(await app.windowText('#activity-summary')).toMatch(/^The last 5 events the server confirmed, newest first/);
    await app.click('Settings…');
    await app.waitFor('the window to show the form again', async () => (await shownHeading()) !== 'Recent activity', STEP_MS);
    expect(await app.windowText('#config-path')).toBe(configPath);
  });

  it('item 0: Open watch folder hands the folder to the shell', async () => {
    await app.click('Open watch folder');
    await app.waitFor('the shell to be asked to open the watch folder', () => app.messages().find((m) => m.type === 'shell'), STEP_MS);
    expect(app.messages().filter((m) => m.type === 'shell')).toEqual([{ type: 'shell', op: 'openPath', path: watchDir }]);
  });

  it('item 0: a killed worker is restarted, the tray recovers, and nothing is sent twice', async () => {
    const [first] = app.workerPids();
    const seen = app.trays().length;
    process.kill(first!, 'SIGKILL');
    await app.waitFor('the tray to say the worker stopped', () => app.trays().slice(seen).some((t) => stateOf(t) === 'failing' && statusLines(t).some((l) => l.includes('stopped unexpectedly'))), STEP_MS);
    await app.waitFor('a second worker', () => app.workerPids().length === 2, STEP_MS);
    // The supervisor saw its worker exit, so it hands the killed worker's record lock over at
    // once instead of letting the new agent wait out the lock's stale time (10 s).
    await app.waitFor('the tray "ok" again with the restarted worker', () => state() === 'ok' && inTotal(5), STEP_MS);
    expect(posts()).toBe(6);
    const trayLog = readFileSync(path.join(userData, 'tray.log'), 'utf8');
    expect(trayLog).toMatch(/The forwarding process stopped unexpectedly \(exit code \d+\)\. Restarting in 1 s\./);
    expect(trayLog).toContain(`took back the record lock of the stopped worker (pid ${first})`);
  });

  it('issue 10: events refused for good show as "N held back — Show…", which opens the Held back page; its Dismiss and Retry reach the agent', async () => {
    const refuse = (name: string): boolean => name.startsWith('B000BAD');
    receiver.behave((request) => (request.files.some((f) => refuse(f.filename)) ? { kind: 'row', status: 'error', detail: 'unsupported format' } : { kind: 'ok' }));
    await writeEvent(watchDir, 'B000BADD.AB0', { report: true, ageSeconds: 60 });
    await writeEvent(watchDir, 'B000BADE.AB0', { report: true, ageSeconds: 50 });
    await app.waitFor('the tray failing with "2 held back — Show…"', () => state() === 'failing' && menuItem('2 held back — Show…')?.enabled === true, STEP_MS);
    expect(lines().some((line) => line.includes('B000BAD'))).toBe(false); // names and reasons are on the page
    expect(menuItem('Retry held-back events (2)')?.enabled).toBe(true);

    await app.click('2 held back — Show…');
    await app.waitFor('the window at the Held back page with both rows', async () =>
      (await app.windowText('main > section:visible h2')) === 'Held back' && /B000BADD\.AB0[\s\S]*B000BADE\.AB0|B000BADE\.AB0[\s\S]*B000BADD\.AB0/.test(await app.windowText('#held-back-rows')), STEP_MS);
    await app.windowClick('#held-back-rows button[aria-label="Dismiss B000BADD.AB0"]');
    await app.waitFor('the tray to list the dismissed one and stay failing for the other', () =>
      state() === 'failing' && menuItem('2 held back (1 dismissed) — Show…') !== undefined && menuItem('Retry held-back events (1)') !== undefined, STEP_MS);
    // The page's answer comes once held-back.json says so (the tray may show the status first).
    await app.waitFor('the page to confirm the dismissal', async () =>
      (await app.windowText('#held-back-result')) === 'B000BADD.AB0 is dismissed: it stays held back and no longer counts as failing.', STEP_MS);
    const onDisk = JSON.parse(await readFile(path.join(userData, 'state', 'held-back.json'), 'utf8')) as Record<string, { filename: string; dismissed?: boolean }>;
    expect(Object.values(onDisk).filter((e) => e.dismissed === true).map((e) => e.filename)).toEqual(['B000BADD.AB0']);

    receiver.behave(() => ({ kind: 'ok' }));
    await app.windowClick('#held-back-rows button[aria-label="Retry B000BADE.AB0"]');
    await app.waitFor('the retried event delivered and the tray "ok", the dismissed one still listed', () =>
      state() === 'ok' && menuItem('1 held back (dismissed) — Show…') !== undefined && receiver.received().some((b) => b.filename === 'B000BADE.AB0'), STEP_MS);
    expect(menuItem('Retry held-back events (1)')).toBeUndefined();
    expect(receiver.received().some((b) => b.filename === 'B000BADD.AB0')).toBe(false);
    await app.waitFor('the page and its status line to agree with the tray', async () =>
      (await app.windowText('#status-line')).includes('1 held back (dismissed)') && !(await app.windowText('#held-back-rows')).includes('B000BADE'), STEP_MS);
    expect(await app.windowText('#held-back-rows')).toContain('Dismissed');
  });

  it('item 0: Quit stops the worker (the record flushed) and ends the app with code 0', async () => {
    const worker = app.workerPids().at(-1)!;
    await app.click('Quit');
    const exit = await Promise.race([app.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), STEP_MS))]);
    expect(exit, app.describe()).toEqual({ code: 0, signal: null });
    await pollUntil(`the worker (pid ${worker}) to end`, () => !isAlive(worker), 5_000);
    expect(await readFile(path.join(userData, 'tray.log'), 'utf8')).toContain('quit: worker stopped');
    expect(await readFile(path.join(userData, 'state', 'series3-watcher.log'), 'utf8')).toContain('stopped; the record is flushed');
    expect(app.messages().filter((m) => m.type === 'error-box')).toEqual([]);
    // The reminder came once at start, not with every status or restart of the worker.
    expect(offNotices()).toHaveLength(1);
  });
});
