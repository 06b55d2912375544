// The Windows lane's hands: runs the built CLI (and small helper scripts) under the real Windows
// build of Node.js in Wine, from the Linux test process. scripts/windows-lane.sh prepares the
// prefix and node.exe; this module only uses them. Wine's gaps are worked around here and in
// scripts/windows-lane/, never in src/ (see /work/shared/WINDOWS.md):
// - undici's keep-alive before connect fails under Wine 8: a --require preload defers it;
// - Windows Node crashes when stdout is a Unix pipe: output goes to files;
// - WINEDEBUG=-all keeps Wine's own chatter out of those files.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const laneDir = resolve(process.env.S3W_WINE_LANE_DIR ?? '.wine-lane');
export const winePrefix = join(laneDir, 'prefix');
/** Where scripts/windows-lane.sh puts node.exe inside the prefix's drive_c. */
export const windowsNode = 'C:\\series3-lane\\node.exe';
export const cliPath = resolve('dist/src/cli/main.js');
const keepAlivePreload = resolve('scripts/windows-lane/defer-keepalive.cjs');
const holderScript = resolve('scripts/windows-lane/hold-file.cjs');

/** Wine maps the Unix root to Z:. */
export function toWindowsPath(unixPath: string): string {
  return `Z:${resolve(unixPath).replaceAll('/', '\\')}`;
}

export function wineEnv(): NodeJS.ProcessEnv {
  // Inside quotes NODE_OPTIONS treats a backslash as an escape, so each one is doubled.
  const preload = toWindowsPath(keepAlivePreload).replaceAll('\\', '\\\\');
  return { ...process.env, WINEPREFIX: winePrefix, WINEDEBUG: '-all', NODE_OPTIONS: `--require "${preload}"` };
}

export interface Ran {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The last stdout line parsed as JSON ({} when it is not JSON). */
  readonly json: Record<string, unknown>;
}

export interface WindowsProcess {
  readonly child: ChildProcess;
  /** Resolves when the process has exited, with what it wrote. */
  readonly done: Promise<Ran>;
}

/** Starts `node.exe <args>` under Wine. The Unix pid is the Windows process itself (wine execs it). */
export async function startWindowsNode(args: readonly string[]): Promise<WindowsProcess> {
  const outDir = await mkdtemp(join(tmpdir(), 's3w-wine-out-'));
  const outPath = join(outDir, 'stdout.txt');
  const errPath = join(outDir, 'stderr.txt');
  const out = openSync(outPath, 'w');
  const err = openSync(errPath, 'w');
  const child = spawn('wine', [windowsNode, ...args], { env: wineEnv(), stdio: ['ignore', out, err] });
  closeSync(out);
  closeSync(err);
  const done = new Promise<Ran>((resolveRan, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      void (async () => {
        const stdout = await readFile(outPath, 'utf8');
        const stderr = await readFile(errPath, 'utf8');
        await rm(outDir, { recursive: true, force: true });
        resolveRan({ code, signal, stdout, stderr, json: lastJson(stdout) });
      })().catch(reject);
    });
  });
  return { child, done };
}

/** Runs the built CLI under Windows Node to its end (killed after timeoutMs). */
export async function winCli(args: readonly string[], timeoutMs = 60_000): Promise<Ran> {
  const started = await startWindowsNode([toWindowsPath(cliPath), ...args]);
  const timer = setTimeout(() => started.child.kill('SIGKILL'), timeoutMs);
  try {
    return await started.done;
  } finally {
    clearTimeout(timer);
  }
}

export interface HeldFile {
  /** The holder's Windows pid (what process.pid says inside Wine). */
  readonly windowsPid: number;
  /** Closes the handle and waits for the holder to end. */
  release(): Promise<void>;
}

/** Opens `unixPath` with share mode 0 from another Windows process, until release(). */
export async function holdFile(unixPath: string, maxMs = 120_000): Promise<HeldFile> {
  const signals = await mkdtemp(join(tmpdir(), 's3w-hold-'));
  const ready = join(signals, 'ready');
  const releaseFile = join(signals, 'release');
  const holder = await startWindowsNode([toWindowsPath(holderScript), toWindowsPath(unixPath), toWindowsPath(ready), toWindowsPath(releaseFile), String(maxMs)]);
  const deadline = Date.now() + 30_000;
  while (!existsSync(ready) || (await readFile(ready, 'utf8')).trim() === '') {
    const early = await Promise.race([holder.done, sleep(50).then(() => null)]);
    if (early) throw new Error(`the share-mode-0 holder of ${unixPath} ended early (exit ${early.code}): ${early.stderr}`);
    if (Date.now() > deadline) throw new Error(`the share-mode-0 holder of ${unixPath} did not start within 30 s`);
  }
  const windowsPid = Number.parseInt(await readFile(ready, 'utf8'), 10);
  return {
    windowsPid,
    async release() {
      await writeFile(releaseFile, 'release\n');
      await holder.done;
      await rm(signals, { recursive: true, force: true });
    },
  };
}

/** Ends every Windows process of the lane's prefix, and its wineserver. */
export function stopWineServer(): void {
  try {
    execFileSync('wineserver', ['-k'], { env: wineEnv(), stdio: 'ignore' });
  } catch {
    // Exit 1: no wineserver runs in this prefix, so there is nothing to end.
  }
  execFileSync('wineserver', ['-w'], { env: wineEnv(), stdio: 'ignore' });
}

/** As after a reboot: every Windows process ends, and the new wineserver numbers pids from 32 again. */
export function restartWineServer(): void {
  stopWineServer();
  startPersistentWineServer();
}

/**
 * A wineserver that outlives single processes, so each wine start is quick. It lingers 60 s
 * after the last one, so an interrupted run does not leave it behind for good.
 */
export function startPersistentWineServer(): void {
  try {
    execFileSync('wineserver', ['-p60'], { env: wineEnv(), stdio: 'ignore' });
  } catch {
    // Exit 2: one is up already (a lane run left it, or someone ran wine by hand). Only speed
    // depends on this: without it, wine starts a wineserver itself.
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

function lastJson(stdout: string): Record<string, unknown> {
  const last = stdout.trim().split(/\r?\n/).pop() ?? '';
  try {
    const parsed: unknown = JSON.parse(last);
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
