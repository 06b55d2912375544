// Runs the real settings page in Debian's Chromium with everything behind it real except
// Electron itself: the page (settings.html/css + settings.ts compiled), the real preload
// (preload.cts compiled to CommonJS, given a stand-in `require('electron')` whose
// ipcRenderer.invoke calls the main-process handler table over page.exposeFunction),
// the real handlers and settings service, the real core (config, agent, checkServer), and
// a real config.ini in a temp folder. Everything listens on 127.0.0.1 only.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Config } from '../../src/config/types.js';
import type { Agent } from '../../src/agent/types.js';
import type { AgentStatus } from '../../src/agent/status-types.js';
import { createAgent, checkServer } from '../../src/agent/index.js';
import { createSettingsService, type LoginItem, type SettingsService, type TokenVault } from '../../electron/main/settings-service.js';
import { createIpcHandlers, type HandlerTable } from '../../electron/main/ipc-handlers.js';
import { createSupervisor, type Supervisor } from '../../electron/main/worker-supervisor.js';
import { statusLine } from '../../electron/main/status-line.js';
import { pagesView } from '../../electron/main/pages-view.js';
import type { PageName } from '../../electron/shared/page-views.js';
import { inMemoryWorker } from './in-memory-worker.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const outputDir = path.join(repoRoot, 'test-output', 'electron');
export const CHROMIUM = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

function transpile(source: string, module: ts.ModuleKind): string {
  return ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module, verbatimModuleSyntax: false, sourceMap: false },
  }).outputText;
}

/** Serves settings.html, settings.css and every page script (each .ts compiled) from 127.0.0.1. */
export async function servePage(): Promise<{ url: string; close(): Promise<void> }> {
  const rendererDir = path.join(repoRoot, 'electron', 'renderer');
  const files: Record<string, { type: string; body: string }> = {
    '/settings.html': { type: 'text/html; charset=utf-8', body: await readFile(path.join(rendererDir, 'settings.html'), 'utf8') },
    '/settings.css': { type: 'text/css; charset=utf-8', body: await readFile(path.join(rendererDir, 'settings.css'), 'utf8') },
  };
  for (const name of (await readdir(rendererDir)).filter((n) => n.endsWith('.ts'))) {
    files[`/${name.replace(/\.ts$/, '.js')}`] = {
      type: 'text/javascript; charset=utf-8',
      body: transpile(await readFile(path.join(rendererDir, name), 'utf8'), ts.ModuleKind.ES2022),
    };
  }
  const server: Server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const file = files[pathname];
    if (pathname === '/favicon.ico') {
      res.writeHead(204).end(); // a browser asks; Electron loading a file does not
      return;
    }
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.type }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/settings.html`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The preload as Electron runs it, wrapped to get a stand-in `require('electron')`. */
async function preloadScript(): Promise<string> {
  const compiled = transpile(await readFile(path.join(repoRoot, 'electron', 'preload', 'preload.cts'), 'utf8'), ts.ModuleKind.CommonJS);
  return `(() => {
    const listeners = new Map();
    const electron = {
      contextBridge: { exposeInMainWorld: (name, api) => { Object.defineProperty(window, name, { value: Object.freeze(api) }); } },
      ipcRenderer: {
        invoke: (channel, ...args) => window.__ipcInvoke(channel, args).then((r) => {
          if ('error' in r) throw new Error("Error invoking remote method '" + channel + "': " + r.error);
          return r.value;
        }),
        on: (channel, listener) => { listeners.set(channel, [...(listeners.get(channel) ?? []), listener]); },
        removeListener: (channel, listener) => { listeners.set(channel, (listeners.get(channel) ?? []).filter((l) => l !== listener)); },
      },
    };
    window.__push = (channel, payload) => (listeners.get(channel) ?? []).forEach((l) => l({ sender: 'not for the page' }, payload));
    const require = (name) => {
      if (name !== 'electron') throw new Error('a sandboxed preload cannot require ' + name);
      return electron;
    };
    const module = { exports: {} };
    const exports = module.exports;
    ${compiled}
  })();`;
}

/** Real AES-256-GCM with a key that lives as long as the test: stands in for safeStorage/DPAPI. */
export function testVault(available = true): TokenVault & { readonly encrypted: string[] } {
  const key = randomBytes(32);
  const encrypted: string[] = [];
  return {
    encrypted,
    isAvailable: () => available,
    async encrypt(token) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
      const out = Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
      encrypted.push(out);
      return out;
    },
    async decrypt(b64) {
      const raw = Buffer.from(b64, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

export interface Harness {
  readonly page: Page;
  readonly configPath: string;
  readonly watchDir: string;
  readonly service: SettingsService;
  readonly supervisor: Supervisor;
  readonly table: HandlerTable;
  readonly agents: Agent[];
  readonly consoleProblems: string[];
  closed: boolean;
  folderToChoose: string | null;
  loginItem: boolean;
  close(): Promise<void>;
}

/** A temp folder with config.ini (the template, watching `watchDir`), the page open on it. */
export interface OpenOptions {
  readonly vault?: TokenVault;
  readonly configText?: (template: string) => string;
}

export async function openSettingsPage(browser: Browser, pageUrl: string, root: string, options: OpenOptions = {}): Promise<Harness> {
  const watchDir = path.join(root, 'autocall home');
  await mkdir(watchDir, { recursive: true });
  const configPath = path.join(root, 'config.ini');
  const templateText = await readFile(path.join(repoRoot, 'config-template.ini'), 'utf8');
  const withFolder = templateText.replace(/^SERIES3_PATH = .*$/m, `SERIES3_PATH = ${watchDir}`);
  await writeFile(configPath, options.configText ? options.configText(withFolder) : withFolder);

  const agents: Agent[] = [];
  let service: SettingsService;
  const supervisor = createSupervisor({
    spawn: () =>
      inMemoryWorker((config: Config) => {
        const agent = createAgent(config, { watch: false });
        agents.push(agent);
        return agent;
      }),
    startArgs: async () => ({ config: (await service.effective()).config, configPath }),
    onStatus: () => undefined,
  });
  const login: LoginItem = { get: () => harness.loginItem, set: (on) => void (harness.loginItem = on) };
  service = createSettingsService({
    configPath,
    templateText,
    vault: options.vault ?? testVault(),
    loginItem: login,
    checkServer,
    seedPreview: () => supervisor.request('seed-preview'),
    seed: () => supervisor.request('seed'),
    heldBack: (action, filenames) => supervisor.request(action === 'retry' ? 'held-back-retry' : 'held-back-dismiss', filenames),
    onSaved: (config) => supervisor.applyConfig(config),
  });
  const table = createIpcHandlers(service, {
    chooseFolder: async () => harness.folderToChoose,
    close: () => void (harness.closed = true),
  });

  const page = await browser.newPage({ viewport: { width: 720, height: 820 } }); // the window's size
  page.setDefaultTimeout(8_000);
  const consoleProblems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') consoleProblems.push(m.text());
  });
  page.on('pageerror', (e) => consoleProblems.push(e.message));
  await page.exposeFunction('__ipcInvoke', async (channel: string, args: unknown[]) => {
    const handler = (table as Record<string, ((a: readonly unknown[]) => Promise<unknown>) | undefined>)[channel];
    if (!handler) return { error: `no handler for ${channel}` };
    try {
      return { value: (await handler(args)) ?? null };
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
  });
  await page.addInitScript({ content: await preloadScript() });

  supervisor.start();
  const harness: Harness = {
    page,
    configPath,
    watchDir,
    service,
    supervisor,
    table,
    agents,
    consoleProblems,
    closed: false,
    folderToChoose: null,
    loginItem: false,
    async close() {
      await page.close();
      await supervisor.stop(5_000);
      await Promise.all(agents.map((a) => a.stop().catch(() => undefined)));
    },
  };
  await page.goto(pageUrl);
  await page.locator('#field-SFM_URL').waitFor();
  return harness;
}

/** A screenshot of the window as a person sees it, scrolled to `focus` when given. */
export async function shot(page: Page, name: string, focus?: string): Promise<void> {
  await mkdir(outputDir, { recursive: true });
  if (focus !== undefined) await page.locator(focus).scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(outputDir, `${name}.png`) });
}

/** Where the pictures say the files are: what a technician's PC shows (see shotAsOnWindows). */
export const WINDOWS_PATHS = {
  configPath: 'C:\\Users\\Technician\\AppData\\Roaming\\Series3 Watcher\\config.ini',
  watchDir: 'C:\\Blastware 10\\Event\\autocall home',
} as const;

/**
 * A screenshot for the README: the temp folder's paths (config.ini, the watch folder) shown as
 * on a Windows PC for the picture only, then put back. Only the text on screen changes (no
 * input event: nothing is checked, marked changed or saved), so what the test checks is untouched.
 */
export async function shotAsOnWindows(h: Harness, name: string, focus?: string): Promise<void> {
  const pairs: Array<[string, string]> = [
    [h.configPath, WINDOWS_PATHS.configPath],
    [h.watchDir, WINDOWS_PATHS.watchDir],
  ];
  type Node = { nodeValue: string | null; value?: string };
  type Doc = { querySelectorAll(s: string): Iterable<Node>; createTreeWalker(root: unknown, show: number): { nextNode(): Node | null }; body: unknown };
  type Kept = { __s3wShotKept?: Array<() => void> };
  await h.page.evaluate((pairs) => {
    const doc = (globalThis as unknown as { document: Doc }).document;
    const kept: Array<() => void> = [];
    const replace = (text: string): string => pairs.reduce((t, [from, to]) => t.split(from).join(to), text);
    for (const input of doc.querySelectorAll('input')) {
      const was = input.value ?? '';
      if (replace(was) === was) continue;
      input.value = replace(was);
      kept.push(() => void (input.value = was));
    }
    const walker = doc.createTreeWalker(doc.body, 4 /* NodeFilter.SHOW_TEXT */);
    for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
      const text = node;
      const was = text.nodeValue ?? '';
      if (replace(was) === was) continue;
      text.nodeValue = replace(was);
      kept.push(() => void (text.nodeValue = was));
    }
    (globalThis as unknown as Kept).__s3wShotKept = kept;
  }, pairs);
  try {
    await shot(h.page, name, focus);
  } finally {
    await h.page.evaluate(() => {
      const holder = globalThis as unknown as Kept;
      for (const undo of holder.__s3wShotKept ?? []) undo();
      delete holder.__s3wShotKept;
    });
  }
}

/** A main -> page message, through the preload's listeners as Electron delivers it. */
async function push(page: Page, channel: string, payload: unknown): Promise<void> {
  await page.evaluate(([c, p]) => (globalThis as unknown as { __push(c: unknown, p: unknown): void }).__push(c, p), [channel, payload] as const);
}

/** Sends the page what the main process sends for this status: the status line and the other pages (settings-window.ts does the same). */
export async function pushStatus(page: Page, status: AgentStatus | null, nowMs = Date.now()): Promise<void> {
  await push(page, 'settings:status', statusLine(status));
  await push(page, 'settings:pages', pagesView(status, nowMs));
}

/** The main process opening the window at a page (a tray menu line). */
export async function showPageFromMain(page: Page, name: PageName): Promise<void> {
  await push(page, 'settings:show-page', name);
}

/** What a test file of the settings window gets from usePageTests. */
export interface PageTests {
  readonly browser: () => Browser;
  /** The page's URL on the local server. */
  readonly url: () => string;
  /** This test's own temp folder (made before it, removed after it). */
  readonly root: () => string;
  /** Opens the page on a config.ini in `dir` (default: root()); closed after the test, which fails if the page logged an error. */
  open(options?: OpenOptions & { readonly dir?: string }): Promise<Harness>;
}

/**
 * One Chromium and one served page for a test file, a temp folder per test, and after each test
 * the check that every page it opened ran under its strict CSP without a script error or
 * violation, then closes them. Call once at the top of the file.
 */
export function usePageTests(tempPrefix: string): PageTests {
  let browser: Browser | undefined;
  let server: { url: string; close(): Promise<void> } | undefined;
  let root: string | undefined;
  let opened: Harness[] = [];
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    browser = await launchChromium();
    server = await servePage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), tempPrefix));
  });
  afterEach(async () => {
    const harnesses = opened;
    opened = [];
    for (const h of harnesses) {
      expect(h.consoleProblems).toEqual([]);
      await h.close();
    }
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });
  const need = <T>(x: T | undefined, what: string): T => {
    if (x === undefined) throw new Error(`${what} is not ready: call usePageTests at the top of the test file`);
    return x;
  };
  return {
    browser: () => need(browser, 'the browser'),
    url: () => need(server, 'the page server').url,
    root: () => need(root, "the test's temp folder"),
    async open(options = {}) {
      const h = await openSettingsPage(need(browser, 'the browser'), need(server, 'the page server').url, options.dir ?? need(root, "the test's temp folder"), options);
      opened.push(h);
      return h;
    },
  };
}
