// The tray app's main process: one instance per user, a tray icon, the settings window,
// and the worker that runs the agent. Decisions live in the Electron-free modules
// (tray-view, failure-notice, settings-service, ipc-handlers, worker-supervisor); this
// file wires them to Electron.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Notification, app, dialog, session, shell } from 'electron';
import type { Config } from '../../src/config/types.js';
import type { AgentStatus } from '../../src/agent/status-types.js';
import { checkServer } from '../../src/agent/check-server.js';
import { appendTrayLog, ensureConfigFile, readTemplate, resolveAppPaths } from './app-paths.js';
import { decideNotice, QUIET_WATCH } from './failure-notice.js';
import { followConfigFile } from '../../src/config/config-follower.js';
import { checkConfigPath, parseCommandLine, secondInstanceNotice } from './command-line.js';
import { createIpcHandlers } from './ipc-handlers.js';
import { decideOpen, type OpenTarget } from './open-paths.js';
import { createSettingsService } from './settings-service.js';
import { createSettingsWindow } from './settings-window.js';
import { createSafeStorageVault } from './token-vault.js';
import { createTrayRenderer } from './tray.js';
import { trayView, type TrayAction } from './tray-view.js';
import { CONTENT_SECURITY_POLICY } from './window-security.js';
import { spawnWorker } from './worker-host.js';
import { createSupervisor, DEFAULT_STOP_TIMEOUT_MS } from './worker-supervisor.js';

export const APP_ID = 'com.seismo.series3watcher';
export const PRODUCT_NAME = 'Series3 Watcher';
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
  const log = (line: string): void => void appendTrayLog(paths.trayLogPath, line);
  const firstRun = (await ensureConfigFile(paths.configPath, paths.templatePath)) === 'created';
  const templateText = await readTemplate(paths.templatePath);

  let current: Config | null = null;
  let watch = QUIET_WATCH;
  let quitting = false;

  const settingsWindow = createSettingsWindow({
    pagePath: path.join(appRoot, 'dist', 'electron', 'renderer', 'settings.html'),
    preloadPath: path.join(appRoot, 'dist', 'electron', 'preload', 'preload.cjs'),
    iconPath: path.join(assetsDir, process.platform === 'win32' ? 'icon.ico' : 'icon.png'),
    devTools: !app.isPackaged,
  });

  const tray = createTrayRenderer(assetsDir, (action) => void onTrayAction(action), () => settingsWindow.show());

  // A hand-edited config.ini kept out (the agent runs on the last good settings): shown among
  // the problems in the tray and the window until the file reads well again.
  let configProblems: readonly string[] = [];
  const withConfigProblems = (status: AgentStatus | null): AgentStatus | null =>
    status === null || configProblems.length === 0
      ? status
      : { ...status, problems: [...status.problems, ...configProblems.map((p) => `config.ini: ${p} (keeping the last good settings)`)] };

  function showStatus(workerStatus: AgentStatus | null): void {
    const nowMs = Date.now();
    const status = withConfigProblems(workerStatus);
    tray.render(trayView(status, nowMs));
    settingsWindow.sendStatus(status);
    const decided = decideNotice(watch, status, nowMs);
    watch = decided.watch;
    if (decided.notice !== null && Notification.isSupported()) {
      const notification = new Notification({ title: decided.notice.title, body: decided.notice.body, icon: path.join(assetsDir, 'icon.png') });
      notification.on('click', () => settingsWindow.show());
      notification.show();
    }
  }

  const service = createSettingsService({
    configPath: paths.configPath,
    ...(templateText !== undefined ? { templateText } : {}),
    vault: createSafeStorageVault(),
    // A plain token (no DPAPI) may only be written inside the user's own folders.
    profileDirs: [app.getPath('home'), app.getPath('appData')],
    loginItem: {
      get: () => app.getLoginItemSettings({ path: process.env['PORTABLE_EXECUTABLE_FILE'] ?? process.execPath, args: [...given.loginArgs] }).openAtLogin,
      // A portable build runs from a temporary copy; start the real .exe at login.
      // The same --config at the next sign-in, as an absolute path.
      set: (openAtLogin) =>
        app.setLoginItemSettings({ openAtLogin, path: process.env['PORTABLE_EXECUTABLE_FILE'] ?? process.execPath, args: [...given.loginArgs] }),
    },
    checkServer,
    seedPreview: () => supervisor.request('seed-preview'),
    seed: () => supervisor.request('seed'),
    onSaved: (config) => {
      current = config;
      supervisor.applyConfig(config);
    },
  });

  const supervisor = createSupervisor({
    spawn: () => spawnWorker(path.join(here, 'worker.js')),
    startArgs: async () => {
      const settings = await service.effective();
      for (const problem of settings.problems) log(`config: ${problem}`);
      current = settings.config;
      return { config: settings.config, configPath: paths.configPath };
    },
    onStatus: showStatus,
    log,
  });

  settingsWindow.register(
    createIpcHandlers(service, {
      chooseFolder: (folder) => settingsWindow.chooseFolder(folder),
      close: () => settingsWindow.close(),
    }),
  );

  /** open-paths.ts decides; this only carries it out (a file is never run from the tray). */
  async function openSafely(target: string, what: OpenTarget): Promise<void> {
    const decision = await decideOpen(target, what);
    if (decision.kind === 'refuse') {
      log(`Not opened: ${decision.reason}`);
    } else if (decision.kind === 'reveal') {
      shell.showItemInFolder(decision.path);
    } else {
      const error = await shell.openPath(decision.path);
      if (error !== '') log(`Could not open ${decision.path}: ${error}`);
    }
  }

  async function quit(): Promise<void> {
    if (quitting) return;
    quitting = true;
    clearInterval(refresh);
    follower.close();
    const how = await supervisor.stop(DEFAULT_STOP_TIMEOUT_MS);
    // Awaited: app.exit ends the process at once, and a line still being written is lost.
    await appendTrayLog(paths.trayLogPath, `quit: worker ${how}`);
    tray.destroy();
    app.exit(0);
  }

  async function onTrayAction(action: TrayAction): Promise<void> {
    switch (action) {
      case 'forward-now':
      case 'pause':
      case 'resume':
      case 'retry-held-back':
        supervisor.send(action);
        return;
      case 'settings':
        settingsWindow.show();
        return;
      case 'open-log':
        if (current) await openSafely(current.logFile, 'log');
        return;
      case 'open-folder':
        if (current) await openSafely(current.series3Path, 'watch-folder');
        return;
      case 'quit':
        await quit();
        return;
    }
  }

  app.on('second-instance', (_event, argv, workingDirectory) => {
    const notice = secondInstanceNotice(paths.configPath, ownArgs(argv), workingDirectory);
    if (notice !== null) {
      log(`second start refused: ${notice}`);
      void dialog.showMessageBox({ type: 'info', title: PRODUCT_NAME, message: notice });
    }
    settingsWindow.show();
  });
  // Closing the settings window leaves the app in the tray.
  app.on('window-all-closed', () => undefined);
  // Quit from elsewhere (Windows sign-out, an installer update): still stop the agent cleanly.
  app.on('before-quit', (event) => {
    if (!quitting) {
      event.preventDefault();
      void quit();
    }
  });

  // Hand edits of config.ini take effect without a restart; a bad value keeps the last good settings.
  const follower = followConfigFile(paths.configPath, {
    read: () => service.effective(),
    current: () => current,
    apply: (config) => {
      current = config;
      supervisor.applyConfig(config);
      log('config.ini was edited: new settings applied');
    },
    onBad: (problems) => {
      configProblems = problems;
      showStatus(supervisor.lastStatus());
      for (const problem of problems) log(`config.ini: ${problem} (keeping the last good settings)`);
      if (Notification.isSupported()) {
        new Notification({
          title: 'Series3 Watcher: config.ini has a bad value',
          body: `${problems[0] ?? ''}\nThe agent keeps running on the last good settings.`,
          icon: path.join(assetsDir, 'icon.png'),
        }).show();
      }
    },
    onGood: () => {
      configProblems = [];
      showStatus(supervisor.lastStatus());
      log('config.ini reads without problems again');
    },
  });

  showStatus(null);
  const refresh = setInterval(() => tray.render(trayView(withConfigProblems(supervisor.lastStatus()), Date.now())), TRAY_REFRESH_MS);
  supervisor.start();
  log(`started; config ${paths.configPath}`);
  if (firstRun) settingsWindow.show();
}
