// A stand-in for the 'electron' module, so the tray app's built main process
// (dist/electron/main/main.js) boots under plain Node for test/electron/boot.test.ts
// (register-electron.ts maps the specifier here). It offers what electron/main uses and
// tells the test what the app shows (tray, windows, notifications, shell calls, error
// boxes) over the child's IPC channel (boot-protocol.ts); the test clicks menu items and
// reads the settings window through the same channel.
//
// Not reproduced of Electron:
// - Tray and Menu: nothing is drawn; the last icon, tooltip and menu template are recorded
//   and sent once per tick; 'click' / 'double-click' on the tray icon never fire; a menu
//   item is clicked by the test (a disabled or missing item refuses, as a real menu would).
// - app: requestSingleInstanceLock always wins and 'second-instance' never fires; login
//   items live in memory; getPath('appData') is $APPDATA on every platform; 'ready' fires on
//   the next tick; quit() emits before-quit and will-quit without closing windows first; the
//   app also ends when the test goes away.
// - BrowserWindow / ipcMain: browser-window.ts; utilityProcess: utility-process.ts.
// - Notification, dialog, shell: nothing is shown or opened, each call is reported; dialogs
//   answer as if cancelled (showMessageBox: the first button).
// - safeStorage: the synchronous API of Electron 39, AES-256-GCM with a key that lives as long
//   as the process (DPAPI's key outlives it); it always says encryption is available.
// - session: permission handlers and webRequest filters are recorded, never consulted.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AppToTest, MenuItemModel, TestToApp, TraySnapshot } from './boot-protocol.js';
import { BrowserWindow, configureWindows, ipcMain } from './browser-window.js';
import { createUtilityProcessModule } from './utility-process.js';

function report(message: AppToTest): void {
  if (process.connected) process.send?.(message);
}

function preventable(): { readonly event: { preventDefault(): void }; prevented(): boolean } {
  let prevented = false;
  return { event: { preventDefault: () => void (prevented = true) }, prevented: () => prevented };
}

class App extends EventEmitter {
  readonly isPackaged = false;
  #name = 'Electron';
  #ready = false;
  readonly #paths = new Map<string, string>();
  readonly #whenReady: Promise<void>;
  #openAtLogin = false;

  constructor() {
    super();
    this.#whenReady = new Promise((resolve) =>
      setImmediate(() => {
        this.#ready = true;
        this.emit('ready');
        resolve();
      }),
    );
  }

  whenReady(): Promise<void> {
    return this.#whenReady;
  }
  isReady(): boolean {
    return this.#ready;
  }
  setName(name: string): void {
    this.#name = name;
  }
  getName(): string {
    return this.#name;
  }
  setPath(name: string, value: string): void {
    this.#paths.set(name, value);
  }
  getPath(name: string): string {
    const set = this.#paths.get(name);
    if (set !== undefined) return set;
    switch (name) {
      case 'appData': {
        const appData = process.env['APPDATA'];
        if (appData === undefined || appData === '') throw new Error('the Electron stand-in needs APPDATA: the folder app.getPath("appData") returns');
        return appData;
      }
      case 'userData':
        return path.join(this.getPath('appData'), this.#name);
      case 'home':
        return os.homedir();
      case 'temp':
        return os.tmpdir();
      case 'exe':
        return process.execPath;
      default:
        throw new Error(`the Electron stand-in has no app.getPath('${name}')`);
    }
  }
  requestSingleInstanceLock(): boolean {
    return true;
  }
  setAppUserModelId(_id: string): void {}
  getLoginItemSettings(_options?: unknown): { openAtLogin: boolean } {
    return { openAtLogin: this.#openAtLogin };
  }
  setLoginItemSettings(settings: { openAtLogin?: boolean }): void {
    this.#openAtLogin = settings.openAtLogin === true;
  }
  quit(): void {
    const beforeQuit = preventable();
    this.emit('before-quit', beforeQuit.event);
    if (beforeQuit.prevented()) return;
    const willQuit = preventable();
    this.emit('will-quit', willQuit.event);
    if (!willQuit.prevented()) this.exit(0);
  }
  exit(code = 0): void {
    // At once, as Electron's does (playwright-core ends the test browser on 'exit').
    process.exit(code);
  }
}

export const app = new App();

// Electron keeps its main process up until it quits, whatever the event loop holds.
const keepAlive = setInterval(() => undefined, 2 ** 30);
process.on('exit', () => clearInterval(keepAlive));
// The test went away (or crashed): do not outlive it.
process.on('disconnect', () => app.exit(1));

export class NativeImage {
  constructor(
    readonly path: string,
    private readonly png: Buffer,
  ) {}
  isEmpty(): boolean {
    return this.png.length === 0;
  }
  toPNG(): Buffer {
    return this.png;
  }
  addRepresentation(_representation: { scaleFactor: number; buffer: Buffer }): void {}
}

export const nativeImage = {
  /** Like Electron: a file that cannot be read gives an empty image, not an error. */
  createFromPath(file: string): NativeImage {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch {
      bytes = Buffer.alloc(0);
    }
    return new NativeImage(file, bytes);
  },
  createEmpty: (): NativeImage => new NativeImage('', Buffer.alloc(0)),
};

interface MenuTemplateItem {
  readonly label?: string;
  readonly type?: string;
  readonly enabled?: boolean;
  readonly click?: (item: unknown, window: unknown, event: unknown) => void;
}

export class Menu {
  constructor(readonly items: readonly MenuTemplateItem[]) {}
  static buildFromTemplate(template: readonly MenuTemplateItem[]): Menu {
    return new Menu(template.map((item) => ({ ...item })));
  }
}

let currentTray: Tray | null = null;

export class Tray extends EventEmitter {
  #image: NativeImage;
  #tooltip = '';
  #menu: Menu | null = null;
  #destroyed = false;
  #reportDue = false;

  constructor(image: NativeImage | string) {
    super();
    this.#image = typeof image === 'string' ? nativeImage.createFromPath(image) : image;
    currentTray = this;
    this.#changed();
  }
  setImage(image: NativeImage | string): void {
    this.#image = typeof image === 'string' ? nativeImage.createFromPath(image) : image;
    this.#changed();
  }
  setToolTip(tooltip: string): void {
    this.#tooltip = tooltip;
    this.#changed();
  }
  setContextMenu(menu: Menu | null): void {
    this.#menu = menu;
    this.#changed();
  }
  popUpContextMenu(): void {}
  isDestroyed(): boolean {
    return this.#destroyed;
  }
  destroy(): void {
    this.#destroyed = true;
    this.#changed();
  }

  /** What a person would click: the item with this label, when it is there and enabled. */
  click(label: string): void {
    if (this.#destroyed) throw new Error(`the tray is gone; cannot click "${label}"`);
    const item = this.#menu?.items.find((i) => i.label === label);
    if (item === undefined) throw new Error(`the tray menu has no item "${label}"`);
    if (item.enabled === false) throw new Error(`the tray menu item "${label}" is disabled`);
    item.click?.(item, undefined, { triggeredByAccelerator: false });
  }

  snapshot(): TraySnapshot {
    const menu: MenuItemModel[] = (this.#menu?.items ?? []).map((i) =>
      i.type === 'separator' ? { type: 'separator', label: '', enabled: false } : { type: 'normal', label: i.label ?? '', enabled: i.enabled !== false },
    );
    return { iconPath: this.#image.path, iconEmpty: this.#image.isEmpty(), tooltip: this.#tooltip, menu, destroyed: this.#destroyed };
  }

  // tray.ts sets image, tooltip and menu one after the other: the test sees them together.
  #changed(): void {
    if (this.#reportDue) return;
    this.#reportDue = true;
    setImmediate(() => {
      this.#reportDue = false;
      report({ type: 'tray', tray: this.snapshot() });
    });
  }
}

export class Notification extends EventEmitter {
  static isSupported(): boolean {
    return true;
  }
  constructor(private readonly options: { title?: string; body?: string } = {}) {
    super();
  }
  show(): void {
    report({ type: 'notification', title: this.options.title ?? '', body: this.options.body ?? '' });
  }
  close(): void {}
}

const vaultKey = randomBytes(32);

export const safeStorage = {
  isEncryptionAvailable: (): boolean => true,
  getSelectedStorageBackend: (): string => (process.platform === 'linux' ? 'gnome_libsecret' : 'unknown'),
  encryptString(plain: string): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', vaultKey, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  },
  decryptString(encrypted: Buffer): string {
    const decipher = createDecipheriv('aes-256-gcm', vaultKey, encrypted.subarray(0, 12));
    decipher.setAuthTag(encrypted.subarray(12, 28));
    return Buffer.concat([decipher.update(encrypted.subarray(28)), decipher.final()]).toString('utf8');
  },
};

export const shell = {
  async openPath(target: string): Promise<string> {
    report({ type: 'shell', op: 'openPath', path: target });
    return '';
  },
  showItemInFolder(target: string): void {
    report({ type: 'shell', op: 'showItemInFolder', path: target });
  },
};

export const dialog = {
  showErrorBox(title: string, content: string): void {
    process.stderr.write(`[stand-in] error box: ${title}: ${content}\n`);
    report({ type: 'error-box', title, content });
  },
  showMessageBox: async (..._args: unknown[]): Promise<{ response: number; checkboxChecked: boolean }> => ({ response: 0, checkboxChecked: false }),
  showOpenDialog: async (..._args: unknown[]): Promise<{ canceled: boolean; filePaths: string[] }> => ({ canceled: true, filePaths: [] }),
};

const recorded: unknown[] = [];
export const session = {
  defaultSession: {
    setPermissionRequestHandler: (handler: unknown): void => void recorded.push(handler),
    setPermissionCheckHandler: (handler: unknown): void => void recorded.push(handler),
    webRequest: {
      onBeforeRequest: (...args: unknown[]): void => void recorded.push(args),
      onHeadersReceived: (...args: unknown[]): void => void recorded.push(args),
    },
  },
};

export const utilityProcess = createUtilityProcessModule(report);
export { BrowserWindow, ipcMain };

configureWindows({ report, onWebContentsCreated: (contents) => app.emit('web-contents-created', preventable().event, contents) });

async function answer(message: TestToApp): Promise<string> {
  switch (message.type) {
    case 'click':
      if (currentTray === null) throw new Error(`there is no tray yet; cannot click "${message.label}"`);
      currentTray.click(message.label);
      return '';
    case 'window-text': {
      const window = BrowserWindow.getAllWindows().at(-1);
      if (window === undefined) throw new Error('no window is open');
      return window.webContents.text(message.selector);
    }
    case 'window-click': {
      const window = BrowserWindow.getAllWindows().at(-1);
      if (window === undefined) throw new Error('no window is open');
      await window.webContents.click(message.selector);
      return '';
    }
  }
}

process.on('message', (raw: unknown) => {
  const message = raw as TestToApp;
  answer(message).then(
    (value) => report({ type: 'reply', id: message.id, ok: true, value }),
    (err: unknown) => report({ type: 'reply', id: message.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
});
