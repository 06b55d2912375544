// Owns the tray app's command line: `--config <file>` and `--config=<file>` (the CLI's two
// forms) name another config.ini; nothing else is the app's (Electron and Chromium switches
// pass through). Electron-free, so main.ts only acts on the answer and a table test covers it.
//
// The same arguments go to "start at login", so a second config is not lost at the next
// sign-in. The single-instance lock is per Windows user, whatever the config: a second
// start with another --config is told so instead of being silently ignored.
import { stat } from 'node:fs/promises';
import path from 'node:path';

export type CommandLine =
  | {
      readonly kind: 'ok';
      /** Absolute path of the config.ini given with --config, or null for the per-user default. */
      readonly configPath: string | null;
      /** What "start at login" passes back, so the same config starts at the next sign-in. */
      readonly loginArgs: readonly string[];
    }
  | { readonly kind: 'error'; readonly message: string };

const EXAMPLE = '--config="C:\\Series3\\config.ini"';

function error(message: string): CommandLine {
  return { kind: 'error', message };
}

/**
 * `args` are the arguments after the executable (and, in development, after the app
 * folder); `cwd` resolves a relative path once, so the login item gets an absolute one.
 */
export function parseCommandLine(args: readonly string[], cwd: string): CommandLine {
  let given: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    let value: string | undefined;
    if (arg === '--config') {
      value = args[i + 1];
      i++;
      if (value === undefined || value.startsWith('--')) return error(`--config needs the path of a config.ini after it, e.g. ${EXAMPLE}`);
    } else if (arg.startsWith('--config=')) {
      value = arg.slice('--config='.length);
    } else {
      continue; // Electron's and Chromium's own switches
    }
    if (given !== null) return error(`--config is given twice (${given} and ${value}): give one config.ini`);
    if (value.trim() === '') return error(`--config is empty: give the path of a config.ini, e.g. ${EXAMPLE}`);
    given = value;
  }
  if (given === null) return { kind: 'ok', configPath: null, loginArgs: [] };
  const configPath = path.resolve(cwd, given);
  return { kind: 'ok', configPath, loginArgs: [`--config=${configPath}`] };
}

/** A --config that names a folder is refused at start (it would be read as a missing file). */
export async function checkConfigPath(configPath: string): Promise<string | null> {
  try {
    if ((await stat(configPath)).isDirectory()) {
      return `--config names a folder, ${configPath}: give the path of a config.ini file in it, e.g. ${EXAMPLE}`;
    }
  } catch {
    // Missing is fine: the first run copies config-template.ini there. Other problems surface when it is read.
  }
  return null;
}

/**
 * What a second start for the same Windows user is told: the running instance keeps its
 * config (one instance per user), so a different --config is named, not silently dropped.
 */
export function secondInstanceNotice(runningConfigPath: string, secondArgs: readonly string[], secondCwd: string): string | null {
  const second = parseCommandLine(secondArgs, secondCwd);
  if (second.kind === 'error') return second.message;
  if (second.configPath === null || samePath(second.configPath, runningConfigPath)) return null;
  return (
    `Series3 Watcher is already running for this Windows account with ${runningConfigPath}, so ${second.configPath} was not started: ` +
    'one instance runs per user. Quit it from the tray first, or run the headless agent (series3-watcher run --config …) for a second config.'
  );
}

function samePath(a: string, b: string): boolean {
  return process.platform === 'win32' ? a.toLowerCase() === b.toLowerCase() : a === b;
}
