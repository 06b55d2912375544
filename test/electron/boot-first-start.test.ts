// Issue 10 item 5: the tray app's first start (no config.ini yet) opens Settings by itself,
// with the first step at the top: the server address, then the token and Test connection.
// Booted as boot.test.ts boots it (the built main process under Node with the Electron
// stand-in, the real worker, the page in Chromium); boot.test.ts shows the other side: with a
// server set and forwarding off, no window opens until someone asks for one.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, bootTrayApp, compileStandIn, repoRoot, type BootedApp, type BootOptions } from './boot/boot-driver.js';

const STEP_MS = 15_000;

let root: string;
let standIn: Awaited<ReturnType<typeof compileStandIn>>;
let app: BootedApp;
let userData: string;
let bootOptions: BootOptions;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (the settings window runs in it)`);
  root = await mkdtemp(path.join(os.tmpdir(), 's3w-boot-first-'));
  const appData = path.join(root, 'AppData', 'Roaming');
  userData = path.join(appData, 'Series3 Watcher');
  await mkdir(appData, { recursive: true }); // %APPDATA% exists; the app's own folder does not yet
  standIn = await compileStandIn();
  bootOptions = {
    registerUrl: standIn.registerUrl,
    appDataDir: appData,
    logFiles: [path.join(userData, 'tray.log'), path.join(userData, 'state', 'series3-watcher.log')],
  };
  app = bootTrayApp(bootOptions);
}, 30_000);

afterAll(async () => {
  app?.kill();
  await standIn?.remove();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('item 5: the first start opens Settings by itself', { timeout: 3 * STEP_MS }, () => {
  it('copies the template to config.ini and opens the settings window on it, with no click', async () => {
    const configPath = path.join(userData, 'config.ini');
    await app.waitFor('the settings window to load by itself', () => app.messages().find((m) => m.type === 'window' && (m.event === 'loaded' || m.event === 'load-failed')), STEP_MS);
    expect(await readFile(configPath, 'utf8')).toBe(await readFile(path.join(repoRoot, 'config-template.ini'), 'utf8'));
    await app.waitFor(`the page to show ${configPath}`, async () => (await app.windowText('#config-path')) === configPath, STEP_MS);
    expect(await readFile(path.join(userData, 'tray.log'), 'utf8')).toContain('opening Settings at start (config-created)');

    // The first step at the top: the server address first, then the token, then Test connection.
    expect(await app.windowText('#groups-first legend')).toBe('Server');
    expect(await app.windowText('#groups-first [data-key]')).toMatch(/^Server address/);
    expect(await app.windowText('#groups-first + #token-group legend')).toBe('Server access token');
    expect(await app.windowText('#token-group + #connection-group button')).toBe('Test connection');
    // The cursor waits in the empty address.
    expect(await app.windowText('#field-SFM_URL:focus')).toBe('');
  });

  it('Quit (Settings left without saving) ends it with code 0', async () => {
    await quitApp();
  });

  it('the next start, with still no server set, opens Settings again', async () => {
    app = bootTrayApp(bootOptions);
    await app.waitFor('the settings window to load by itself again', () => app.messages().find((m) => m.type === 'window' && (m.event === 'loaded' || m.event === 'load-failed')), STEP_MS);
    await app.waitFor('the page to load config.ini', async () => (await app.windowText('#config-path')) !== '', STEP_MS);
    expect(await readFile(path.join(userData, 'tray.log'), 'utf8')).toContain('opening Settings at start (never-configured)');
    await quitApp();
  });
});

async function quitApp(): Promise<void> {
  await app.click('Quit');
  const exit = await Promise.race([app.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), STEP_MS))]);
  expect(exit, app.describe()).toEqual({ code: 0, signal: null });
}
