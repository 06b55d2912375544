// The stand-in's BrowserWindow and ipcMain. Each window's page runs in Debian's Chromium
// (playwright-core, the browser test/electron/settings-page.test.ts drives), loaded from the
// same file: URL as in Electron, with the real built preload (webPreferences.preload) run
// before the page. Its ipcRenderer.invoke reaches the handlers registered with ipcMain.handle
// with an event whose sender is this window's webContents and whose senderFrame is the
// calling frame, so settings-window.ts's sender check runs for real.
//
// Not reproduced: the preload's isolated world and Electron's sandbox (the preload runs in the
// page's own world, with a stand-in require('electron')); webPreferences otherwise;
// 'will-navigate', 'will-redirect', 'will-attach-webview' and the window-open handler are
// recorded, never called (nothing in the page navigates); a window is never minimized or
// shown on a screen; a page that fails to load is reported to the test instead of rejecting
// loadFile. One headless browser serves every window, started with the first one.
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import type { AppToTest } from './boot-protocol.js';

/** Set by boot-driver.ts (the settings tests' Chromium by default). */
export const CHROMIUM = process.env['S3W_BOOT_CHROMIUM'] ?? '/usr/bin/chromium';

interface FrameRef {
  readonly url: string;
}
interface InvokeEvent {
  readonly sender: WebContents;
  readonly senderFrame: FrameRef;
}
type InvokeHandler = (event: InvokeEvent, ...args: unknown[]) => unknown;
type InvokeAnswer = { readonly value: unknown } | { readonly error: string };

const handlers = new Map<string, InvokeHandler>();

export const ipcMain = {
  handle(channel: string, handler: InvokeHandler): void {
    if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    handlers.set(channel, handler);
  },
  removeHandler(channel: string): void {
    handlers.delete(channel);
  },
};

let report: (message: AppToTest) => void = () => undefined;
let onWebContentsCreated: (contents: WebContents) => void = () => undefined;

/** Called once by the stand-in: where window events go, and app's 'web-contents-created'. */
export function configureWindows(options: { report: typeof report; onWebContentsCreated: typeof onWebContentsCreated }): void {
  report = options.report;
  onWebContentsCreated = options.onWebContentsCreated;
}

let browser: Promise<Browser> | null = null;

function launchBrowser(): Promise<Browser> {
  browser ??= chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  return browser;
}

/** The preload as Electron runs it, given a stand-in require('electron') whose IPC crosses to this process. */
function preloadScript(preloadPath: string): string {
  return `(() => {
    const listeners = new Map();
    const ipcRenderer = {
      invoke: (channel, ...args) => window.__standInInvoke(channel, args).then((answer) => {
        if ('error' in answer) throw new Error("Error invoking remote method '" + channel + "': " + answer.error);
        return answer.value;
      }),
      on(channel, listener) { listeners.set(channel, [...(listeners.get(channel) ?? []), listener]); return ipcRenderer; },
      removeListener(channel, listener) { listeners.set(channel, (listeners.get(channel) ?? []).filter((l) => l !== listener)); return ipcRenderer; },
    };
    const contextBridge = { exposeInMainWorld: (name, api) => Object.defineProperty(window, name, { value: Object.freeze(api) }) };
    Object.defineProperty(window, '__standInEmit', {
      value: (channel, args) => (listeners.get(channel) ?? []).forEach((l) => l({ sender: ipcRenderer }, ...args)),
    });
    const require = (name) => {
      if (name !== 'electron') throw new Error('a sandboxed preload cannot require ' + name);
      return { contextBridge, ipcRenderer };
    };
    const module = { exports: {} };
    // Its own scope, as Node's CommonJS wrapper gives it.
    (function (exports, require, module) {
      ${readFileSync(preloadPath, 'utf8')}
    })(module.exports, require, module);
  })();`;
}

export class WebContents extends EventEmitter {
  /** The page's main frame; the same object every time, as settings-window.ts compares it. */
  readonly mainFrame: FrameRef;
  readonly #preloadPath: string | undefined;
  readonly #viewport: { readonly width: number; readonly height: number };
  #page: Page | null = null;
  #loading = false;
  #destroyed = false;
  #openHandler: unknown = null;

  constructor(preloadPath: string | undefined, viewport: { width: number; height: number }) {
    super();
    this.#preloadPath = preloadPath;
    this.#viewport = viewport;
    const page = (): Page | null => this.#page;
    this.mainFrame = {
      get url() {
        return page()?.mainFrame().url() ?? '';
      },
    };
  }

  setWindowOpenHandler(handler: unknown): void {
    this.#openHandler = handler;
  }

  isLoading(): boolean {
    return this.#loading;
  }

  isDestroyed(): boolean {
    return this.#destroyed;
  }

  send(channel: string, ...args: unknown[]): void {
    const page = this.#page;
    if (page === null || page.isClosed()) return;
    type Emit = { __standInEmit(channel: string, args: unknown[]): void };
    void page.evaluate(([c, a]) => (globalThis as unknown as Emit).__standInEmit(c, a), [channel, args] as const).catch(() => undefined);
  }

  /** The page's text at `selector` (the test reads the window through this). */
  async text(selector: string): Promise<string> {
    if (this.#page === null || this.#page.isClosed()) throw new Error('the settings window has no page');
    return (await this.#page.locator(selector).first().textContent({ timeout: 5_000 })) ?? '';
  }

  /** Clicks the first element at `selector` (the test presses the window's buttons through this). */
  async click(selector: string): Promise<void> {
    if (this.#page === null || this.#page.isClosed()) throw new Error('the settings window has no page');
    await this.#page.locator(selector).first().click({ timeout: 5_000 });
  }

  async load(url: string): Promise<boolean> {
    this.#loading = true;
    try {
      const page = this.#page ?? (await this.#openPage());
      await page.goto(url, { waitUntil: 'load' });
      this.#loading = false;
      this.emit('did-finish-load');
      report({ type: 'window', event: 'loaded', url });
      return true;
    } catch (err) {
      this.#loading = false;
      const detail = err instanceof Error ? err.message : String(err);
      this.emit('did-fail-load', {}, -2, detail, url);
      report({ type: 'window', event: 'load-failed', url, detail });
      return false;
    }
  }

  async close(): Promise<void> {
    this.#destroyed = true;
    await this.#page?.close().catch(() => undefined);
  }

  async #openPage(): Promise<Page> {
    const page = await (await launchBrowser()).newPage({ viewport: this.#viewport });
    this.#page = page;
    page.on('pageerror', (err) => process.stderr.write(`[stand-in] settings page error: ${err.message}\n`));
    page.on('console', (m) => {
      if (m.type() === 'error') process.stderr.write(`[stand-in] settings page console: ${m.text()}\n`);
    });
    await page.exposeBinding('__standInInvoke', ({ frame }: { frame: Frame }, channel: string, args: unknown[]) => this.#invoke(page, frame, channel, args));
    if (this.#preloadPath !== undefined) await page.addInitScript({ content: preloadScript(this.#preloadPath) });
    return page;
  }

  async #invoke(page: Page, frame: Frame, channel: string, args: unknown[]): Promise<InvokeAnswer> {
    const handler = handlers.get(channel);
    if (handler === undefined) return { error: `Error: No handler registered for '${channel}'` };
    const senderFrame = frame === page.mainFrame() ? this.mainFrame : { url: frame.url() };
    try {
      return { value: await handler({ sender: this, senderFrame }, ...args) };
    } catch (err) {
      return { error: String(err) };
    }
  }
}

interface WindowOptions {
  readonly width?: number;
  readonly height?: number;
  readonly webPreferences?: { readonly preload?: string };
}

export class BrowserWindow extends EventEmitter {
  static readonly #open = new Set<BrowserWindow>();
  readonly webContents: WebContents;
  #destroyed = false;
  #visible = false;

  static getAllWindows(): BrowserWindow[] {
    return [...BrowserWindow.#open];
  }

  constructor(options: WindowOptions = {}) {
    super();
    this.webContents = new WebContents(options.webPreferences?.preload, { width: options.width ?? 800, height: options.height ?? 600 });
    BrowserWindow.#open.add(this);
    onWebContentsCreated(this.webContents);
    report({ type: 'window', event: 'created', url: '' });
  }

  async loadFile(filePath: string): Promise<void> {
    await this.loadURL(pathToFileURL(filePath).href);
  }

  async loadURL(url: string): Promise<void> {
    if ((await this.webContents.load(url)) && !this.#destroyed) this.emit('ready-to-show');
  }

  removeMenu(): void {}
  focus(): void {}
  restore(): void {}
  show(): void {
    this.#visible = true;
  }
  isVisible(): boolean {
    return this.#visible;
  }
  isMinimized(): boolean {
    return false;
  }
  isDestroyed(): boolean {
    return this.#destroyed;
  }

  close(): void {
    if (this.#destroyed) return;
    let prevented = false;
    this.emit('close', { preventDefault: () => void (prevented = true) });
    if (!prevented) this.destroy();
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    BrowserWindow.#open.delete(this);
    const url = this.webContents.mainFrame.url;
    void this.webContents.close();
    this.emit('closed');
    report({ type: 'window', event: 'closed', url });
  }
}
