// Follows hand edits of config.ini while the tray app runs: a good file is applied to the agent
// without a restart; a file with a bad value is not applied (the agent keeps the last good
// settings) and the problem is told once per version of the file. Electron-free, so it is tested
// in Node; main.ts wires it to the supervisor and to notifications.
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import type { Config } from '../../src/config/types.js';

export interface FollowerOptions {
  /** The effective settings now in the file (token decrypted), with any problems. */
  readonly read: () => Promise<{ readonly config: Config; readonly problems: readonly string[] }>;
  /** The settings the agent runs on now (null before the first start). */
  readonly current: () => Config | null;
  readonly apply: (config: Config) => void;
  readonly onBad: (problems: readonly string[]) => void;
  readonly intervalMs?: number;
  /** A change is read only once the file has been still this long (an editor's truncate + write). */
  readonly settleMs?: number;
}

export interface ConfigFollower {
  close(): void;
}

export function followConfigFile(configPath: string, options: FollowerOptions): ConfigFollower {
  let checking: Promise<void> = Promise.resolve();
  let lastBad = '';
  const check = (): void => {
    checking = checking.then(async () => {
      try {
        const { config, problems } = await options.read();
        if (problems.length > 0) {
          const key = problems.join('\n');
          if (key !== lastBad) options.onBad(problems);
          lastBad = key;
          return;
        }
        lastBad = '';
        // Our own Save already applied these settings; a touch without a change is no news either.
        const current = options.current();
        if (current !== null && JSON.stringify(current) === JSON.stringify(config)) return;
        options.apply(config);
      } catch (err) {
        options.onBad([err instanceof Error ? err.message : String(err)]);
      }
    });
  };
  let settle: NodeJS.Timeout | undefined;
  const listener = (now: Stats, before: Stats): void => {
    if (now.mtimeMs === before.mtimeMs && now.size === before.size) return;
    // An editor may truncate and then write: reading in between would see an empty file,
    // which parses as all defaults. Wait until the file has been still for a moment.
    if (settle !== undefined) clearTimeout(settle);
    settle = setTimeout(check, options.settleMs ?? 500);
  };
  watchFile(configPath, { interval: options.intervalMs ?? 1000, persistent: false }, listener);
  return {
    close: () => {
      if (settle !== undefined) clearTimeout(settle);
      unwatchFile(configPath, listener);
    },
  };
}
