// The contract between the settings page and the main process (types only).
// The preload exposes exactly `SettingsApi` as `window.series3`; each function maps to
// one IPC channel in `SettingsChannels`, so the page never sees a channel string and
// the main process registers exactly these handlers, each checking its sender and its
// arguments (electron/main/ipc-handlers.ts).
import type { GlanceState } from '../../src/agent/status-view.js';
import type { SeedCounts } from '../../src/agent/types.js';
import type { PageName, PagesView } from './page-views.js';

export type { SeedCounts, PageName, PagesView };

/**
 * The page's status line, computed in the main process (electron/main/status-line.ts) from the
 * agent status with the same glance rule as the tray, so the page decides nothing about it.
 */
export interface StatusLine {
  readonly state: GlanceState;
  readonly text: string;
}

/** One config.ini key as the form shows it. */
export interface SettingField {
  readonly key: string;
  /** The core's kind for the key (e.g. 'boolean', 'integer', 'url', 'path', 'string', 'secret'). */
  readonly kind: string;
  readonly group: string;
  /** The field's name, from the core's key table (src/config/schema.ts). */
  readonly label: string;
  readonly doc: string;
  readonly defaultText: string;
  /** The value in config.ini now, as text ('' when unset). Never set for the token. */
  readonly value: string;
}

export interface TokenState {
  /** A token is stored (encrypted or not). The token itself never reaches the page. */
  readonly stored: boolean;
  /** The stored token is encrypted with the OS (safeStorage / DPAPI on Windows). */
  readonly encrypted: boolean;
  /** Whether a new token can be stored encrypted on this machine. */
  readonly encryptionAvailable: boolean;
}

export interface SettingsForm {
  readonly configPath: string;
  /** "Series3 Watcher 0.1.0", for the footer. */
  readonly about: string;
  readonly fields: readonly SettingField[];
  readonly token: TokenState;
  readonly startAtLogin: boolean;
  /** Problems the core found reading config.ini (bad values kept at their last good setting). */
  readonly problems: readonly string[];
  readonly warnings: readonly string[];
}

/** What to do with the token on Save. The stored token is never sent to the page. */
export type TokenChange =
  | { readonly action: 'keep' }
  | { readonly action: 'replace'; readonly token: string }
  | { readonly action: 'clear' };

/** Form values by key: only the keys the person edited are sent on Save. */
export type FormValues = Readonly<Record<string, string>>;

export interface SaveRequest {
  readonly changes: FormValues;
  readonly token: TokenChange;
  readonly startAtLogin: boolean;
}

export interface FieldProblem {
  readonly key: string;
  readonly message: string;
}

export type SaveResult =
  | { readonly kind: 'saved'; readonly changedKeys: readonly string[]; readonly form: SettingsForm; readonly note: string | null }
  | { readonly kind: 'invalid'; readonly problems: readonly FieldProblem[] }
  | { readonly kind: 'failed'; readonly reason: string };

/** What the server answered to Test connection. */
export type ConnectionAnswer =
  | { readonly kind: 'ok'; readonly detail: string }
  | { readonly kind: 'failed'; readonly reason: string }
  | { readonly kind: 'invalid'; readonly problems: readonly FieldProblem[] };

export type SeedAnswer =
  | { readonly kind: 'counts'; readonly counts: SeedCounts }
  | { readonly kind: 'failed'; readonly reason: string };

/** The one object the preload exposes to the settings page. */
export interface SettingsApi {
  loadSettings(): Promise<SettingsForm>;
  /** The core's message for this value, or null when it is fine. */
  validateSetting(key: string, raw: string): Promise<string | null>;
  saveSettings(request: SaveRequest): Promise<SaveResult>;
  /** Runs against the values in the form (edited keys over the saved ones) and the token change. */
  testConnection(changes: FormValues, token: TokenChange): Promise<ConnectionAnswer>;
  previewSeed(): Promise<SeedAnswer>;
  seedBacklog(): Promise<SeedAnswer>;
  /** A folder picker; resolves to the chosen folder or null when cancelled. */
  chooseFolder(current: string): Promise<string | null>;
  /** Closes the window without saving. */
  closeWindow(): Promise<void>;
  /** Called with the status line for every agent status (also while the worker starts); returns an unsubscribe. */
  onStatus(listener: (line: StatusLine) => void): () => void;
  /** Called with the other pages' content for every agent status; returns an unsubscribe. */
  onPages(listener: (view: PagesView) => void): () => void;
  /** Called when the main process opens the window at a page (a tray menu line); returns an unsubscribe. */
  onShowPage(listener: (page: PageName) => void): () => void;
}

/** Channel name -> [arguments, result] for every invoke-style call. */
export interface SettingsChannels {
  'settings:load': [args: [], result: SettingsForm];
  'settings:validate': [args: [key: string, raw: string], result: string | null];
  'settings:save': [args: [request: SaveRequest], result: SaveResult];
  'settings:test-connection': [args: [changes: FormValues, token: TokenChange], result: ConnectionAnswer];
  'settings:preview-seed': [args: [], result: SeedAnswer];
  'settings:seed': [args: [], result: SeedAnswer];
  'settings:choose-folder': [args: [current: string], result: string | null];
  'settings:close': [args: [], result: void];
}
export type SettingsChannel = keyof SettingsChannels;
export type ChannelArgs<C extends SettingsChannel> = SettingsChannels[C][0];
export type ChannelResult<C extends SettingsChannel> = SettingsChannels[C][1];

/** Main -> page push channel for status updates. */
export type StatusChannel = 'settings:status';
/** Main -> page push channel for the other pages' content. */
export type PagesChannel = 'settings:pages';
/** Main -> page push channel: show this page. */
export type ShowPageChannel = 'settings:show-page';
