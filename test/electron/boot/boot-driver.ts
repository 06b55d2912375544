// The test's side of the boot test: compiles the Electron stand-in (this folder) to
// test-output/, starts the tray app's built main process in a child Node with it
// (`node --import register-electron.js dist/electron/main/main.js`), and keeps what the app
// shows (tray, worker processes, windows, notifications, shell calls) as it reports it. Waits
// are bounded, and a failed wait says what the app showed, its logs and its output.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import type { AppToTest, TestToApp, TraySnapshot } from './boot-protocol.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The browser behind the settings window (the settings tests' Chromium); the stand-in is told it. */
export const CHROMIUM = process.env['S3W_BOOT_CHROMIUM'] ?? '/usr/bin/chromium';

/** The built files the boot test starts (npm run build && npm run build:electron makes them). */
export const BUILT_MAIN = path.join(repoRoot, 'dist', 'electron', 'main', 'main.js');
export const BUILT_FILES: readonly string[] = [
  BUILT_MAIN,
  path.join(repoRoot, 'dist', 'electron', 'worker', 'worker.js'),
  path.join(repoRoot, 'dist', 'electron', 'preload', 'preload.cjs'),
  path.join(repoRoot, 'dist', 'electron', 'renderer', 'settings.html'),
  path.join(repoRoot, 'dist', 'electron', 'renderer', 'settings.js'),
];

const STAND_IN_SOURCES = [
  'boot-protocol.ts',
  'browser-window.ts',
  'electron-stand-in.ts',
  'parent-port.ts',
  'register-electron.ts',
  'resolve-electron.ts',
  'utility-process.ts',
];
const POLL_MS = 50;
/** A request without its id (the driver numbers them). */
type WithoutId<M> = M extends TestToApp ? Omit<M, 'id'> : never;
type Request = WithoutId<TestToApp>;
const REQUEST_TIMEOUT_MS = 15_000;
const OUTPUT_TAIL_CHARS = 4_000;

export type TrayState = 'off' | 'ok' | 'busy' | 'paused' | 'failing';

/** The state the tray shows, read from its icon file (assets/tray-<state>-16.png or .ico). */
export function stateOf(tray: TraySnapshot | null): TrayState | null {
  const match = tray === null ? null : /tray-(off|ok|busy|paused|failing)(?:-16\.png|\.ico)$/.exec(tray.iconPath);
  return (match?.[1] as TrayState | undefined) ?? null;
}

/** The menu's status lines (the disabled items before the first separator). */
export function statusLines(tray: TraySnapshot | null): string[] {
  const menu = tray?.menu ?? [];
  const end = menu.findIndex((item) => item.type === 'separator');
  return menu.slice(0, end === -1 ? menu.length : end).map((item) => item.label);
}

type Answer<T> = T | null | undefined | false;
export type Probe<T> = () => Answer<T> | Promise<Answer<T>>;

/**
 * Resolves with the probe's first truthy answer, polling every POLL_MS; rejects after timeoutMs
 * (or as soon as `gaveUp` names a reason) with what was awaited and `context()`.
 */
export async function pollUntil<T>(
  what: string,
  probe: Probe<T>,
  timeoutMs: number,
  gaveUp: () => string | null = () => null,
  context: () => string = () => '',
): Promise<T> {
  const startMs = Date.now();
  for (;;) {
    const answer = await probe();
    if (answer !== null && answer !== undefined && answer !== false) return answer;
    const reason = gaveUp() ?? (Date.now() - startMs > timeoutMs ? `waited ${timeoutMs} ms for ${what}` : null);
    if (reason !== null) throw new Error(`${reason}\n${context()}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export interface BootedApp {
  /** The tray as last rendered (null before the first render). */
  tray(): TraySnapshot | null;
  /** Every render so far, in order. */
  trays(): readonly TraySnapshot[];
  /** Every message the app sent, in order. */
  messages(): readonly AppToTest[];
  /** Pids of the worker processes started so far, in order. */
  workerPids(): number[];
  /** Resolves with the probe's first truthy answer; rejects after timeoutMs or when the app exits first. */
  waitFor<T>(what: string, probe: Probe<T>, timeoutMs: number): Promise<T>;
  /** Clicks the tray menu item with this label, as a person would. */
  click(label: string): Promise<void>;
  /** Text of the first element matching selector in the settings window. */
  windowText(selector: string): Promise<string>;
  /** Clicks the first element matching selector in the settings window (a button on a page). */
  windowClick(selector: string): Promise<void>;
  /** The main process's exit. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  /** What the app shows now, its logs and output: for failure messages. */
  describe(): string;
  /** Ends the app and its workers if they still run (after a failed test). */
  kill(): void;
}

/** Compiles the stand-in to a fresh folder under test-output/ (inside the repo, so playwright-core resolves). */
export async function compileStandIn(): Promise<{ readonly registerUrl: string; readonly dir: string; remove(): Promise<void> }> {
  const parent = path.join(repoRoot, 'test-output');
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(path.join(parent, 'electron-boot-'));
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const name of STAND_IN_SOURCES) {
    const source = await readFile(path.join(here, name), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      fileName: name,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022, verbatimModuleSyntax: true, sourceMap: false },
    });
    await writeFile(path.join(dir, name.replace(/\.ts$/, '.js')), outputText);
  }
  return {
    registerUrl: pathToFileURL(path.join(dir, 'register-electron.js')).href,
    dir,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

function tail(text: string, chars: number): string {
  return text.length <= chars ? text : `…${text.slice(-chars)}`;
}

function readTail(file: string): string {
  try {
    return tail(readFileSync(file, 'utf8'), 1_500);
  } catch {
    return '(none)';
  }
}

/** Whether a process with this pid exists (signal 0 only checks). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface BootOptions {
  readonly registerUrl: string;
  /** %APPDATA%: the app keeps its files in `<appData>/Series3 Watcher/`. */
  readonly appDataDir: string;
  /** Files whose ends the failure messages show (the tray log, the agent log). */
  readonly logFiles: readonly string[];
}

export function bootTrayApp(options: BootOptions): BootedApp {
  const missing = BUILT_FILES.filter((file) => !existsSync(file));
  if (missing.length > 0) throw new Error(`${missing.join(', ')} missing: run npm run build && npm run build:electron first`);

  const child: ChildProcess = fork(BUILT_MAIN, [], {
    cwd: repoRoot,
    execArgv: ['--import', options.registerUrl],
    env: { ...process.env, APPDATA: options.appDataDir, S3W_BOOT_CHROMIUM: CHROMIUM },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = tail(output + chunk.toString('utf8'), OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const messages: AppToTest[] = [];
  const trays: TraySnapshot[] = [];
  const pending = new Map<number, { resolve(value: string): void; reject(err: Error): void }>();
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  let nextId = 1;

  child.on('message', (raw) => {
    const message = raw as AppToTest;
    messages.push(message);
    if (message.type === 'tray') trays.push(message.tray);
    if (message.type === 'reply') {
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      if (message.ok) waiting?.resolve(message.value);
      else waiting?.reject(new Error(message.error));
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      for (const [, p] of pending) p.reject(new Error(`the app exited (code ${code}, signal ${signal}) before it answered`));
      pending.clear();
      resolve(exit);
    });
  });

  const workerPids = (): number[] => messages.flatMap((m) => (m.type === 'worker-spawned' ? [m.pid] : []));

  function describe(): string {
    const tray = trays.at(-1) ?? null;
    const others = messages.filter((m) => m.type !== 'tray' && m.type !== 'reply').slice(-8);
    return [
      `tray: ${stateOf(tray) ?? '(none)'} · tooltip "${tray?.tooltip ?? ''}"`,
      `menu: ${(tray?.menu ?? []).map((i) => (i.type === 'separator' ? '---' : `${i.label}${i.enabled ? '' : ' (disabled)'}`)).join(' | ')}`,
      `last app messages: ${JSON.stringify(others)}`,
      `app ${exit === null ? 'running' : `exited with code ${exit.code}, signal ${exit.signal}`}; workers ${JSON.stringify(workerPids())}`,
      ...options.logFiles.map((file) => `--- ${file}:\n${readTail(file)}`),
      `--- main process output:\n${output || '(none)'}`,
    ].join('\n');
  }

  function request(message: Request): Promise<string> {
    if (exit !== null || !child.connected) return Promise.reject(new Error(`the app is not running\n${describe()}`));
    const id = nextId++;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`the app did not answer ${JSON.stringify(message)} within ${REQUEST_TIMEOUT_MS} ms\n${describe()}`));
      }, REQUEST_TIMEOUT_MS);
      pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(new Error(`${err.message}\n${describe()}`));
        },
      });
      child.send({ ...message, id } as TestToApp);
    });
  }

  return {
    tray: () => trays.at(-1) ?? null,
    trays: () => trays,
    messages: () => messages,
    workerPids,
    waitFor: (what, probe, timeoutMs) =>
      pollUntil(what, probe, timeoutMs, () => (exit === null ? null : `the app exited while waiting for ${what}`), describe),
    click: async (label) => {
      await request({ type: 'click', label });
    },
    windowText: (selector) => request({ type: 'window-text', selector }),
    windowClick: async (selector) => {
      await request({ type: 'window-click', selector });
    },
    exited,
    describe,
    kill() {
      if (exit === null) child.kill('SIGKILL');
      for (const pid of workerPids()) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    },
  };
}
