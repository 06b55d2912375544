// `series3-watcher check`: is this PC set up to forward? The config (read by run-cli before this),
// the watch folder (there, a folder this user can list, how many events are in it) and the server
// (the safe probe: does the import endpoint answer and take the token; nothing is uploaded). Both
// are asked at once; either failing is exit 1 with its reason. The words are the core's own, the
// same the settings window's Test connection shows; the token never appears in them.
import { describeConfig } from '../config/index.js';
import type { Config } from '../config/types.js';
import { checkWatchFolder, type FolderCheck } from '../agent/check-folder.js';
import { checkServer } from '../agent/index.js';
import type { ServerCheck } from '../agent/types.js';

/** `check --json`: one verdict per part, and the words of both. */
export interface CheckReport {
  readonly config: 'ok';
  readonly folder: FolderCheck['kind'];
  /** Event binaries in the watch folder, or null when it cannot be listed. */
  readonly events: number | null;
  readonly server: ServerCheck['kind'];
  readonly token: ServerCheck['token'];
  /** The folder's line and the server's line, as a person reads them. */
  readonly detail: string;
}

export interface CheckOutput {
  /** stdout: the config, then one line for the folder and one for the server. */
  readonly lines: readonly string[];
  /** stderr: why it failed, one line per failed part (none when all is well). */
  readonly failures: readonly string[];
  readonly report: CheckReport;
}

export async function checkCommand(config: Config, configPath: string): Promise<CheckOutput> {
  const [folder, server] = await Promise.all([checkWatchFolder(config), checkServer(config)]);
  const folderLine =
    folder.kind === 'ok' ? `watch folder ${config.series3Path}: OK, ${folder.detail}` : `watch folder: FAILED, ${folder.reason}`;
  const serverAt = `server ${config.sfmUrl || '(SFM_URL not set)'}`;
  const serverLine = server.kind === 'ok' ? `${serverAt}: ${server.detail}` : `${serverAt}: FAILED, ${server.reason}`;
  const failures = [...(folder.kind === 'failed' ? [folder.reason] : []), ...(server.kind === 'failed' ? [server.reason] : [])];
  const settings = Object.entries(describeConfig(config)).map(([key, value]) => `  ${key} = ${value}`);
  return {
    lines: [`config ${configPath}: OK`, ...settings, folderLine, serverLine],
    failures,
    report: {
      config: 'ok',
      folder: folder.kind,
      events: folder.kind === 'ok' ? folder.events : null,
      server: server.kind,
      token: server.token,
      detail: `${folderLine}; ${serverLine}`,
    },
  };
}
