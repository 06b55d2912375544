// The settings window: opens it (at a page), sends it the status line (status-line.ts) and
// the other pages' content (pages-view.ts), and registers
// the IPC handlers (ipc-handlers.ts) behind it. Security lives here: the window uses
// SECURE_WEB_PREFERENCES, loads only our file, cannot navigate or open windows, and every
// handler first checks that the call comes from our page's main frame.
// The window's X with unsaved edits: the page's beforeunload cancels the close and asks in the
// page (renderer/unsaved-changes.ts); 'will-prevent-unload' is left unhandled on purpose, so
// Electron keeps the window open without a box of its own, and no IPC channel is added. Quit
// from the tray ends the app with app.exit, which runs no beforeunload: Quit is final.
import { BrowserWindow, dialog, ipcMain, type IpcMainInvokeEvent } from 'electron';
import { existsSync } from 'node:fs';
import type { AgentStatus } from '../../src/agent/status-types.js';
import type { PageName, PagesChannel, PagesView, ShowPageChannel, StatusChannel, StatusLine } from '../shared/settings-api.js';
import { channelsOf, type HandlerTable } from './ipc-handlers.js';
import { pagesView } from './pages-view.js';
import { statusLine } from './status-line.js';
import { SECURE_WEB_PREFERENCES, fileUrlOf, isTrustedSenderUrl, mayNavigate } from './window-security.js';

export interface SettingsWindowOptions {
  readonly pagePath: string;
  readonly preloadPath: string;
  readonly iconPath: string;
  readonly devTools: boolean;
}

export interface SettingsWindow {
  /** Opens the window (or brings it forward) at `page`; without one, at the page it shows. */
  show(page?: PageName): void;
  close(): void;
  sendStatus(status: AgentStatus | null): void;
  /** Registers the IPC handlers (once); each checks the sender before anything else. */
  register(table: HandlerTable): void;
  chooseFolder(current: string): Promise<string | null>;
}

const STATUS_CHANNEL: StatusChannel = 'settings:status';
const PAGES_CHANNEL: PagesChannel = 'settings:pages';
const SHOW_PAGE_CHANNEL: ShowPageChannel = 'settings:show-page';

export function createSettingsWindow(options: SettingsWindowOptions): SettingsWindow {
  const pageUrl = fileUrlOf(options.pagePath);
  let win: BrowserWindow | null = null;
  let lastLine: StatusLine = statusLine(null);
  let lastPages: PagesView = pagesView(null, Date.now());
  /** The page to show once the window has loaded (a menu line asked for it before). */
  let openAt: PageName | null = null;

  function isTrustedSender(event: IpcMainInvokeEvent): boolean {
    const frame = event.senderFrame;
    return (
      win !== null &&
      !win.isDestroyed() &&
      event.sender === win.webContents &&
      frame !== null &&
      frame === event.sender.mainFrame &&
      isTrustedSenderUrl(frame.url, pageUrl)
    );
  }

  function open(): BrowserWindow {
    const created = new BrowserWindow({
      width: 720,
      height: 820,
      minWidth: 560,
      minHeight: 480,
      title: 'Series3 Watcher settings',
      icon: options.iconPath,
      show: false,
      autoHideMenuBar: true,
      webPreferences: { ...SECURE_WEB_PREFERENCES, preload: options.preloadPath, devTools: options.devTools },
    });
    created.removeMenu();
    const contents = created.webContents;
    contents.on('will-navigate', (event, url) => {
      if (!mayNavigate(url)) event.preventDefault();
    });
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('did-finish-load', () => {
      contents.send(STATUS_CHANNEL, lastLine);
      contents.send(PAGES_CHANNEL, lastPages);
      if (openAt !== null) contents.send(SHOW_PAGE_CHANNEL, openAt);
      openAt = null;
    });
    created.once('ready-to-show', () => created.show());
    created.on('closed', () => {
      if (win === created) win = null;
    });
    void created.loadFile(options.pagePath);
    return created;
  }

  return {
    show(page) {
      if (win === null || win.isDestroyed()) {
        openAt = page ?? null;
        win = open();
      } else {
        if (page !== undefined) {
          if (win.webContents.isLoading()) openAt = page;
          else win.webContents.send(SHOW_PAGE_CHANNEL, page);
        }
        if (win.isMinimized()) win.restore();
        win.show();
        win.focus();
      }
    },
    close() {
      win?.close();
    },
    sendStatus(status) {
      lastLine = statusLine(status);
      lastPages = pagesView(status, Date.now());
      if (win !== null && !win.isDestroyed() && !win.webContents.isLoading()) {
        win.webContents.send(STATUS_CHANNEL, lastLine);
        win.webContents.send(PAGES_CHANNEL, lastPages);
      }
    },
    register(table) {
      for (const channel of channelsOf(table)) {
        const handler = table[channel] as (args: readonly unknown[]) => Promise<unknown>;
        ipcMain.handle(channel, async (event, ...args: unknown[]) => {
          if (!isTrustedSender(event)) throw new Error(`Refused ${channel}: the call did not come from the settings page.`);
          return handler(args);
        });
      }
    },
    async chooseFolder(current) {
      const dialogOptions = {
        title: 'Choose the folder Blastware writes events into',
        properties: ['openDirectory' as const, 'dontAddToRecent' as const],
        ...(current !== '' && existsSync(current) ? { defaultPath: current } : {}),
      };
      const result = win !== null && !win.isDestroyed() ? await dialog.showOpenDialog(win, dialogOptions) : await dialog.showOpenDialog(dialogOptions);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
  };
}
