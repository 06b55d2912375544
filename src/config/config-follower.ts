// Owns following hand edits of config.ini while an agent runs (the CLI's `run` and the tray app
// both use it): a good file whose settings differ from the running ones is applied without a
// restart; a file that reads to the same settings (a comment added, a touch, our own Save) is
// not applied again; a file with a bad value is not applied (the agent keeps the last good
// settings), its problems are told once per version of the file, and told as fixed when a good
// file follows. Polls with fs.watchFile, which works on network shares and survives an editor
// replacing the file.
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import type { Config } from './types.js';
import { CONFIG_KEYS, type ConfigKeyName } from './schema.js';

export interface FollowerOptions {
  /** The effective settings now in the file, with any problems (a thrown error is a problem too). */
  readonly read: () => Promise<{ readonly config: Config; readonly problems: readonly string[] }>;
  /** The settings the agent runs on now (null before the first start). */
  readonly current: () => Config | null;
  /** Applies settings that differ from current(); the next check waits for it to finish. */
  readonly apply: (config: Config) => void | Promise<void>;
  /** The file has these problems (called once per distinct set). */
  readonly onBad: (problems: readonly string[]) => void;
  /** The file reads without problems again after onBad (whether or not its settings changed). */
  readonly onGood?: () => void;
  readonly intervalMs?: number;
  /** A change is read only once the file has been still this long (an editor's truncate + write). */
  readonly settleMs?: number;
}

export interface ConfigFollower {
  /** Stops following at once; a check under way applies nothing more. Never waits for it. */
  close(): void;
}

export function followConfigFile(configPath: string, options: FollowerOptions): ConfigFollower {
  let checking: Promise<void> = Promise.resolve();
  let lastBad = '';
  let closed = false;
  const checkOnce = async (): Promise<void> => {
    let read: Awaited<ReturnType<FollowerOptions['read']>> | null = null;
    let problems: readonly string[];
    try {
      read = await options.read();
      problems = read.problems;
    } catch (err) {
      // Missing, unreadable or undecodable: the message names the file and what to do.
      problems = [err instanceof Error ? err.message : String(err)];
    }
    if (closed) return;
    if (read === null || problems.length > 0) {
      const key = problems.join('\n');
      if (key !== lastBad) options.onBad(problems);
      lastBad = key;
      return;
    }
    if (lastBad !== '') options.onGood?.();
    lastBad = '';
    const current = options.current();
    if (current !== null && sameConfig(current, read.config)) return;
    await options.apply(read.config);
  };
  const check = (): void => {
    checking = checking.then(checkOnce).catch((err: unknown) => {
      // apply() failed: tell it like a bad file, so it is seen (and told again on the next edit).
      lastBad = '';
      if (!closed) options.onBad([err instanceof Error ? err.message : String(err)]);
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
      closed = true;
      if (settle !== undefined) clearTimeout(settle);
      unwatchFile(configPath, listener);
    },
  };
}

/** Two configs are the same when every setting is; key order does not matter. */
export function sameConfig(a: Config, b: Config): boolean {
  const keys = Object.keys(a) as (keyof Config)[];
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** The keys whose settings differ, in the template's order (for "new settings applied: ..."). */
export function changedKeys(previous: Config, next: Config): ConfigKeyName[] {
  return CONFIG_KEYS.filter((spec) => spec.field !== null && previous[spec.field] !== next[spec.field]).map((spec) => spec.key);
}
