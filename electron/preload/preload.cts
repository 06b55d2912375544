// The settings page's only door to the main process: one small object, `window.series3`,
// with one function per action (electron/shared/settings-api.ts). CommonJS (.cts -> .cjs)
// because a sandboxed preload can neither be an ES module nor require local files:
// it requires only 'electron', and the channel names below are checked against the
// shared contract by the type checker. The main process checks the sender and every
// argument again; nothing here is trusted.
import type { IpcRendererEvent } from 'electron';
import type {
  ChannelArgs,
  ChannelResult,
  PageName,
  PagesChannel,
  PagesView,
  SettingsApi,
  SettingsChannel,
  ShowPageChannel,
  StatusChannel,
  StatusLine,
} from '../shared/settings-api.js' with { 'resolution-mode': 'import' };

const { contextBridge, ipcRenderer } = require('electron') as typeof import('electron');

function invoke<C extends SettingsChannel>(channel: C, ...args: ChannelArgs<C>): Promise<ChannelResult<C>> {
  return ipcRenderer.invoke(channel, ...args) as Promise<ChannelResult<C>>;
}

const STATUS_CHANNEL: StatusChannel = 'settings:status';
const PAGES_CHANNEL: PagesChannel = 'settings:pages';
const SHOW_PAGE_CHANNEL: ShowPageChannel = 'settings:show-page';

/** Relays one push channel's payload, never the IPC event (it carries the sender). */
function subscribe<T>(channel: string, listener: (payload: T) => void): () => void {
  const relay = (_event: IpcRendererEvent, payload: T): void => listener(payload);
  ipcRenderer.on(channel, relay);
  return () => {
    ipcRenderer.removeListener(channel, relay);
  };
}

const api: SettingsApi = {
  loadSettings: () => invoke('settings:load'),
  validateSetting: (key, raw) => invoke('settings:validate', key, raw),
  saveSettings: (request) => invoke('settings:save', request),
  testConnection: (changes, token) => invoke('settings:test-connection', changes, token),
  previewSeed: () => invoke('settings:preview-seed'),
  seedBacklog: () => invoke('settings:seed'),
  chooseFolder: (current) => invoke('settings:choose-folder', current),
  closeWindow: () => invoke('settings:close'),
  onStatus: (listener) => subscribe<StatusLine>(STATUS_CHANNEL, listener),
  onPages: (listener) => subscribe<PagesView>(PAGES_CHANNEL, listener),
  onShowPage: (listener) => subscribe<PageName>(SHOW_PAGE_CHANNEL, listener),
};

contextBridge.exposeInMainWorld('series3', api);
