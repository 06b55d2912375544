// A site for the Windows lane: real temp folders (under /tmp, which Windows Node sees as
// Z:\tmp\…) holding the watch folder, STATE_DIR and config.ini, named as a technician might
// name them, and a config.ini that names them with Windows paths in the encoding asked for.
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { toWindowsPath } from './wine.js';

export type ConfigEncoding = 'utf8' | 'utf8-bom' | 'utf16le' | 'utf16be';

export interface WinSiteNames {
  /** The watch folder, relative to the site's root (may hold spaces and accents). */
  readonly watch?: string;
  readonly state?: string;
  /** config.ini's path relative to the root. */
  readonly config?: string;
}

export interface WinSite {
  readonly root: string;
  readonly watchDir: string;
  readonly stateDir: string;
  readonly configPath: string;
  readonly logPath: string;
  /** `--config <Windows path>` for the CLI. */
  readonly configArgs: readonly string[];
  writeConfig(keys?: Readonly<Record<string, string>>, encoding?: ConfigEncoding): Promise<void>;
  /** Every log file's text (LOG_FILE and its rotations), '' for those that do not exist. */
  logText(): Promise<string>;
  cleanup(): Promise<void>;
}

export async function makeWinSite(serverUrl: string, names: WinSiteNames = {}): Promise<WinSite> {
  const root = await mkdtemp(join(tmpdir(), 's3w-win-'));
  const watchDir = join(root, names.watch ?? 'autocall home');
  const stateDir = join(root, names.state ?? 'state');
  const configPath = join(root, names.config ?? 'config.ini');
  const logPath = join(stateDir, 'series3-watcher.log');
  await mkdir(watchDir, { recursive: true });
  await mkdir(dirname(configPath), { recursive: true });

  const baseKeys: Record<string, string> = {
    SERIES3_PATH: toWindowsPath(watchDir),
    STATE_DIR: toWindowsPath(stateDir),
    SFM_FORWARD_ENABLED: 'true',
    SFM_URL: serverUrl,
    SFM_QUIESCENCE_SECONDS: '0.2',
    SFM_MISSING_REPORT_GRACE_SECONDS: '1',
    SFM_HTTP_TIMEOUT_SECONDS: '10',
    SFM_RETRY_BASE_SECONDS: '0.2',
  };

  const site: WinSite = {
    root,
    watchDir,
    stateDir,
    configPath,
    logPath,
    configArgs: ['--config', toWindowsPath(configPath)],
    async writeConfig(keys = {}, encoding = 'utf8') {
      const lines = Object.entries({ ...baseKeys, ...keys }).map(([key, value]) => `${key} = ${value}`);
      // As Notepad writes it: CRLF line ends.
      await writeFile(configPath, encode(['; written by the Windows lane', '[watcher]', ...lines, ''].join('\r\n'), encoding));
    },
    async logText() {
      const names = await readdir(stateDir).catch(() => [] as string[]);
      const logs = names.filter((n) => n.startsWith('series3-watcher.log')).sort();
      const texts = await Promise.all(logs.map((n) => readFile(join(stateDir, n), 'utf8')));
      return texts.join('\n');
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
  await site.writeConfig();
  return site;
}

export function encode(text: string, encoding: ConfigEncoding): Buffer {
  switch (encoding) {
    case 'utf8':
      return Buffer.from(text, 'utf8');
    case 'utf8-bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    case 'utf16le':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    case 'utf16be':
      return Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
  }
}
