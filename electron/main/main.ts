// The tray app's main process: one instance per user, a tray icon, the settings window,
// and the worker (electron/worker/, a utility process) that runs the agent. Decisions live
// in the Electron-free modules (tray-view, status-line, failure-notice, settings-service,
// ipc-handlers, worker-supervisor); this file wires them to Electron.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Notification, app, dialog, session, shell } from 'electron';
import type { Config } from '../../src/config/types.js';
import type { AgentStatus } from '../../src/agent/status-types.js';
import { checkServer } from '../../src/agent/check-server.js';
import { PRODUCT_NAME } from '../../src/text/version.js';
import { appendTrayLog, ensureConfigFile, readTemplate, resolveAppPaths, type AppPaths } from './app-paths.js';
import { decideNotice, QUIET_WATCH, type FailureWatch } from './failure-notice.js';
import { decideOffReminder, NO_REMINDER_YET, type OffReminderWatch } from './off-reminder.js';
import { decideUnitNotice, FIRST_UNIT_WATCH, type UnitWatch } from './unit-notice.js';
import { followConfigFile, type ConfigFollower } from '../../src/config/config-follower.js';
import { checkConfigPath, parseCommandLine, secondInstanceNotice } from './command-line.js';
import { createIpcHandlers } from './ipc-handlers.js';
import { settingsAtStart } from './first-start.js';
import { decideOpen, type OpenTarget } from './open-paths.js';
import { createSettingsService, type SettingsService } from './settings-service.js';
import { createSettingsWindow, type SettingsWindow } from './settings-window.js';
import type { PageName } from '../shared/page-views.js';
import { createSafeStorageVault } from './token-vault.js';
import { createTrayRenderer, type TrayRenderer } from './tray.js';
import { trayView, type TrayAction } from './tray-view.js';
import { CONTENT_SECURITY_POLICY } from './window-security.js';
import { spawnWorker } from './worker-host.js';
import { createSupervisor, DEFAULT_STOP_TIMEOUT_MS, type Supervisor } from './worker-supervisor.js';

export const APP_ID = 'com.seismo.series3watcher';
export { PRODUCT_NAME };
/** The relative times in the tooltip ("last OK 2 min ago") are refreshed this often. */
const TRAY_REFRESH_MS = 30_000;

const here = path.dirname(fileURLToPath(import.meta.url)); // dist/electron/main
const appRoot = path.resolve(here, '..', '..', '..');
const assetsDir = path.join(appRoot, 'assets');

// %APPDATA%\Series3 Watcher, whatever package.json's name: set before anything uses
// userData (the single-instance lock lives there too).
app.setName(PRODUCT_NAME);
app.setPath('userData', path.join(app.getPath('appData'), PRODUCT_NAME));

/** The app's own arguments: after the exe, or in development after `electron <app folder>`. */
const ownArgs = (argv: readonly string[]): readonly string[] => argv.slice(app.isPackaged ? 1 : 2);
const commandLine = parseCommandLine(ownArgs(process.argv), process.cwd());

if (commandLine.kind === 'error') {
  // Refused before taking the lock: a bad --config must not look like "already running".
  void app.whenReady().then(() => {
    dialog.showErrorBox('Series3 Watcher cannot start', commandLine.message);
    app.exit(2);
  });
} else if (!app.requestSingleInstanceLock()) {
  // Another instance runs for this user (one per user, whatever the config): it opens its
  // settings window, or says why another --config was not started (second-instance below).
  app.quit();
} else {
  app.setAppUserModelId(APP_ID); // Windows shows notifications only for an app with an id
  void app.whenReady().then(start).catch((err: unknown) => {
    // Nothing else can show it yet (no tray, no window): say it in a box, then exit.
    dialog.showErrorBox('Series3 Watcher cannot start', err instanceof Error ? err.message : String(err));
    app.exit(1);
  });
}

/** Nothing in this app loads remote content, asks for permissions or opens other windows. */
function hardenEverything(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onBeforeRequest({ urls: ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*'] }, (_details, callback) => callback({ cancel: true }));
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

/** What the running tray app holds on to: built once by start(), then changed only by the functions below. */
interface TrayApp {
  readonly paths: AppPaths;
  /** The --config path and the arguments a start at login repeats. */
  readonly given: { readonly configPath: string | null; readonly loginArgs: readonly string[] };
  /** Appends a line to tray.log (the agent's own log is the worker's). */
  readonly log: (line: string) => void;
  readonly settingsWindow: SettingsWindow;
  readonly tray: TrayRenderer;
  readonly service: SettingsService;
  readonly supervisor: Supervisor;
  /** The settings the worker runs on now (for Open log / Open watch folder); null before the first start. */
  current: Config | null;
  /** A hand-edited config.ini kept out (the agent runs on the last good settings): shown among the problems until the file reads well. */
  configProblems: readonly string[];
  /** How long forwarding has been failing, and whether a notification said so already. */
  watch: FailureWatch;
  /** When the "forwarding is off" reminder was last shown (at start, then once a day). */
  offReminder: OffReminderWatch;
  /** The units seen missing, so a unit turning missing is announced once. */
  unitWatch: UnitWatch;
  /** Quit has begun: a second Quit or before-quit does nothing. */
  quitting: boolean;
  /** Refreshes the tray's relative times ("last OK 2 min ago"). */
  refresh: ReturnType<typeof setInterval> | null;
  follower: ConfigFollower | null;
}

async function start(): Promise<void> {
  hardenEverything();
  const given = commandLine.kind === 'ok' ? commandLine : { configPath: null, loginArgs: [] };
  const badPath = given.configPath === null ? null : await checkConfigPath(given.configPath);
  if (badPath !== null) throw new Error(badPath);
  const paths = resolveAppPaths({
    userDataDir: app.getPath('userData'),
    resourcesDir: process.resourcesPath,
    appRoot,
    isPackaged: app.isPackaged,
    configPath: given.configPath,
  });
  const configCreated = (await ensureConfigFile(paths.configPath, paths.templatePath)) === 'created';
  const templateText = await readTemplate(paths.templatePath);
  const settingsWindow = createSettingsWindow({
    pagePath: path.join(appRoot, 'dist', 'electron', 'renderer', 'settings.html'),
    preloadPath: path.join(appRoot, 'dist', 'electron', 'preload', 'preload.cjs'),
    iconPath: path.join(assetsDir, process.platform === 'win32' ? 'icon.ico' : 'icon.png'),
    devTools: !app.isPackaged,
  });
  // The service and the supervisor each call the other, and both change the state: they get it
  // through `self`, which they call only after start() has returned the object below.
  const self = (): TrayApp => state;
  const state: TrayApp = {
    paths,
    given,
    log: (line: string): void => void appendTrayLog(paths.trayLogPath, line),
    settingsWindow,
    tray: createTrayRenderer(assetsDir, (action) => void onTrayAction(state, action), () => settingsWindow.show()),
    service: createService(self, paths.configPath, given, templateText),
    supervisor: createWorkerSupervisor(self),
    current: null,
    configProblems: [],
    watch: QUIET_WATCH,
    offReminder: NO_REMINDER_YET,
    unitWatch: FIRST_UNIT_WATCH,
    quitting: false,
    refresh: null,
    follower: null,
  };
  settingsWindow.register(
    createIpcHandlers(state.service, {
      chooseFolder: (folder) => settingsWindow.chooseFolder(folder),
      close: () => settingsWindow.close(),
    }),
  );
  handleAppEvents(state);
  state.follower = followConfig(state);
  showStatus(state, null);
  state.refresh = setInterval(() => refreshGlance(state), TRAY_REFRESH_MS);
  state.supervisor.start();
  state.log(`started; config ${paths.configPath}`);
  await openSettingsAtStart(state, configCreated);
}

/** First start, or forwarding never configured (first-start.ts has the rule): Settings opens by itself. */
async function openSettingsAtStart(state: TrayApp, configCreated: boolean): Promise<void> {
  const settings = await state.service.effective().catch(() => null);
  // A config.ini that cannot be read at all: the window says why.
  const reason = settings === null ? 'config-unreadable' : settingsAtStart({ configCreated, config: settings.config });
  if (reason === null) return;
  state.log(`opening Settings at start (${reason})`);
  state.settingsWindow.show();
}

function withConfigProblems(state: TrayApp, status: AgentStatus | null): AgentStatus | null {
  return status === null || state.configProblems.length === 0
    ? status
    : { ...status, problems: [...status.problems, ...state.configProblems.map((p) => `config.ini: ${p} (keeping the last good settings)`)] };
}

function showStatus(state: TrayApp, workerStatus: AgentStatus | null): void {
  const nowMs = Date.now();
  const status = withConfigProblems(state, workerStatus);
  state.tray.render(trayView(status, nowMs));
  state.settingsWindow.sendStatus(status);
  const decided = decideNotice(state.watch, status, nowMs);
  state.watch = decided.watch;
  if (decided.notice !== null) notify(state, decided.notice);
  remindIfOff(state, status, nowMs);
  const units = decideUnitNotice(state.unitWatch, status, state.current?.unitMissingNotify ?? true, nowMs);
  state.unitWatch = units.watch;
  if (units.notice !== null) notify(state, units.notice, 'units');
}

/** The tray's relative times ("last OK 2 min ago") move on, and the daily reminder comes without a new status. */
function refreshGlance(state: TrayApp): void {
  const nowMs = Date.now();
  const status = withConfigProblems(state, state.supervisor.lastStatus());
  state.tray.render(trayView(status, nowMs));
  remindIfOff(state, status, nowMs);
}

function remindIfOff(state: TrayApp, status: AgentStatus | null, nowMs: number): void {
  const decided = decideOffReminder(state.offReminder, status, nowMs);
  state.offReminder = decided.watch;
  if (decided.notice !== null) notify(state, decided.notice);
}

/** A desktop notification; a click on the notification opens the settings window (at `page` when given). */
function notify(state: TrayApp, notice: { readonly title: string; readonly body: string }, page?: PageName): void {
  if (!Notification.isSupported()) return;
  const notification = new Notification({ title: notice.title, body: notice.body, icon: path.join(assetsDir, 'icon.png') });
  notification.on('click', () => state.settingsWindow.show(page));
  notification.show();
}

function createService(self: () => TrayApp, configPath: string, given: TrayApp['given'], templateText: string | undefined): SettingsService {
  const loginPath = (): string => process.env['PORTABLE_EXECUTABLE_FILE'] ?? process.execPath;
  return createSettingsService({
    configPath,
    ...(templateText !== undefined ? { templateText } : {}),
    vault: createSafeStorageVault(),
    // A plain token (no DPAPI) may only be written inside the user's own folders.
    profileDirs: [app.getPath('home'), app.getPath('appData')],
    loginItem: {
      get: () => app.getLoginItemSettings({ path: loginPath(), args: [...given.loginArgs] }).openAtLogin,
      // A portable build runs from a temporary copy; start the real .exe at login.
      // The same --config at the next sign-in, as an absolute path.
      set: (openAtLogin) => app.setLoginItemSettings({ openAtLogin, path: loginPath(), args: [...given.loginArgs] }),
    },
    checkServer,
    seedPreview: () => self().supervisor.request('seed-preview'),
    seed: () => self().supervisor.request('seed'),
    heldBack: (action, filenames) => self().supervisor.request(action === 'retry' ? 'held-back-retry' : 'held-back-dismiss', filenames),
    onSaved: (config) => {
      self().current = config;
      self().supervisor.applyConfig(config);
    },
  });
}

function createWorkerSupervisor(self: () => TrayApp): Supervisor {
  return createSupervisor({
    // The utility process's entry point: dist/electron/worker/worker.js.
    spawn: () => spawnWorker(path.join(here, '..', 'worker', 'worker.js')),
    startArgs: async () => {
      const state = self();
      const settings = await state.service.effective();
      for (const problem of settings.problems) state.log(`config: ${problem}`);
      state.current = settings.config;
      return { config: settings.config };
    },
    onStatus: (status) => showStatus(self(), status),
    log: (line) => self().log(line),
  });
}

/** open-paths.ts decides; this only carries it out (a file is never run from the tray). */
async function openSafely(state: TrayApp, target: string, what: OpenTarget): Promise<void> {
  const decision = await decideOpen(target, what);
  if (decision.kind === 'refuse') {
    state.log(`Not opened: ${decision.reason}`);
  } else if (decision.kind === 'reveal') {
    shell.showItemInFolder(decision.path);
  } else {
    const error = await shell.openPath(decision.path);
    if (error !== '') state.log(`Could not open ${decision.path}: ${error}`);
  }
}

async function quit(state: TrayApp): Promise<void> {
  if (state.quitting) return;
  state.quitting = true;
  if (state.refresh !== null) clearInterval(state.refresh);
  state.follower?.close();
  const how = await state.supervisor.stop(DEFAULT_STOP_TIMEOUT_MS);
  // Awaited: app.exit ends the process at once, and a line still being written is lost.
  await appendTrayLog(state.paths.trayLogPath, `quit: worker ${how}`);
  state.tray.destroy();
  app.exit(0);
}

async function onTrayAction(state: TrayApp, action: TrayAction): Promise<void> {
  switch (action) {
    case 'forward-now':
    case 'pause':
    case 'resume':
    case 'retry-held-back':
      state.supervisor.send(action);
      return;
    case 'settings':
      state.settingsWindow.show('settings');
      return;
    case 'show-held-back':
      state.settingsWindow.show('held-back');
      return;
    case 'show-units':
      state.settingsWindow.show('units');
      return;
    case 'show-activity':
      state.settingsWindow.show('activity');
      return;
    case 'open-log':
      if (state.current) await openSafely(state, state.current.logFile, 'log');
      return;
    case 'open-folder':
      if (state.current) await openSafely(state, state.current.series3Path, 'watch-folder');
      return;
    case 'quit':
      await quit(state);
      return;
  }
}

function handleAppEvents(state: TrayApp): void {
  app.on('second-instance', (_event, argv, workingDirectory) => {
    const notice = secondInstanceNotice(state.paths.configPath, ownArgs(argv), workingDirectory);
    if (notice !== null) {
      state.log(`second start refused: ${notice}`);
      void dialog.showMessageBox({ type: 'info', title: PRODUCT_NAME, message: notice });
    }
    state.settingsWindow.show();
  });
  // Closing the settings window leaves the app in the tray.
  app.on('window-all-closed', () => undefined);
  // Quit from elsewhere (Windows sign-out, an installer update): still stop the agent cleanly.
  app.on('before-quit', (event) => {
    if (!state.quitting) {
      event.preventDefault();
      void quit(state);
    }
  });
}

/** Hand edits of config.ini take effect without a restart; a bad value keeps the last good settings. */
function followConfig(state: TrayApp): ConfigFollower {
  return followConfigFile(state.paths.configPath, {
    read: () => state.service.effective(),
    current: () => state.current,
    apply: (config) => {
      state.current = config;
      state.supervisor.applyConfig(config);
      state.log('config.ini was edited: new settings applied');
    },
    onBad: (problems) => {
      state.configProblems = problems;
      showStatus(state, state.supervisor.lastStatus());
      for (const problem of problems) state.log(`config.ini: ${problem} (keeping the last good settings)`);
      if (Notification.isSupported()) {
        new Notification({
          title: 'Series3 Watcher: config.ini has a bad value',
          body: `${problems[0] ?? ''}\nThe agent keeps running on the last good settings.`,
          icon: path.join(assetsDir, 'icon.png'),
        }).show();
      }
    },
    onGood: () => {
      state.configProblems = [];
      showStatus(state, state.supervisor.lastStatus());
      state.log('config.ini reads without problems again');
    },
  });
}
