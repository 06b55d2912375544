// Where the tray app keeps its files, and the first-run copy of config-template.ini.
// Electron-free: main.ts passes in app.getPath('userData') and the resources folder.
//
// On Windows, per user:  %APPDATA%\Series3 Watcher\config.ini
//                        %APPDATA%\Series3 Watcher\state\   (record, status.json, log: the core's defaults)
//                        %APPDATA%\Series3 Watcher\tray.log (the tray's own lines: worker crashes and restarts)
import { constants } from 'node:fs';
import { appendFile, copyFile, mkdir, readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';

export interface AppPaths {
  readonly configPath: string;
  readonly templatePath: string;
  readonly trayLogPath: string;
}

export const TEMPLATE_NAME = 'config-template.ini';

/**
 * The config from the command line (command-line.ts parsed it) wins, for a second config
 * or tests on Windows; otherwise config.ini in the per-user data folder. A packaged app
 * finds the template in its resources folder (electron-builder extraResources), a
 * development run in the repository.
 */
export function resolveAppPaths(input: {
  readonly userDataDir: string;
  readonly resourcesDir: string;
  readonly appRoot: string;
  readonly isPackaged: boolean;
  /** Absolute, from parseCommandLine; null for the default. */
  readonly configPath: string | null;
}): AppPaths {
  const configPath = input.configPath ?? path.join(input.userDataDir, 'config.ini');
  const templatePath = path.join(input.isPackaged ? input.resourcesDir : input.appRoot, TEMPLATE_NAME);
  return { configPath, templatePath, trayLogPath: path.join(input.userDataDir, 'tray.log') };
}

/** Copies the template to configPath when no config exists yet; says whether it did. */
export async function ensureConfigFile(configPath: string, templatePath: string): Promise<'created' | 'exists'> {
  await mkdir(path.dirname(configPath), { recursive: true });
  try {
    // COPYFILE_EXCL: never overwrite a config a person (or a second instance) just wrote.
    await copyFile(templatePath, configPath, constants.COPYFILE_EXCL);
    return 'created';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return 'exists';
    throw new Error(`Cannot create ${configPath} from ${templatePath}: ${(err as Error).message}. Reinstall Series3 Watcher or copy config-template.ini there by hand.`, { cause: err });
  }
}

export async function readTemplate(templatePath: string): Promise<string | undefined> {
  try {
    return await readFile(templatePath, 'utf8');
  } catch {
    return undefined;
  }
}

/** The tray log stays small: past maxBytes it is moved to tray.log.old (one old file). */
export async function appendTrayLog(logPath: string, line: string, maxBytes = 512 * 1024, now: Date = new Date()): Promise<void> {
  try {
    const size = await stat(logPath).then((s) => s.size, () => 0);
    if (size > maxBytes) await rename(logPath, `${logPath}.old`);
    await appendFile(logPath, `${now.toISOString()} ${line}\n`, 'utf8');
  } catch {
    // Logging must never take the tray down.
  }
}
