// `check`'s look at the watch folder: it exists, it is a folder this user can list, and how many
// event binaries are in it (and how many of those are too old to be sent). Reads names and sizes
// only, never a file's content, and changes nothing.
import type { Config } from '../config/types.js';
import { isEventBinaryName } from '../pair/index.js';
import { listFolder } from '../scan/index.js';
import { formatCount } from './status-view.js';

export type FolderCheck =
  /** `detail`: "readable, 1,204 events in it", to follow the folder's name. */
  | { readonly kind: 'ok'; readonly events: number; readonly tooOld: number; readonly detail: string }
  /** `reason` names SERIES3_PATH and the folder, and what to do. */
  | { readonly kind: 'failed'; readonly reason: string };

export async function checkWatchFolder(
  config: Pick<Config, 'series3Path' | 'maxEventAgeDays'>,
  nowMs: number = Date.now(),
): Promise<FolderCheck> {
  if (config.series3Path.trim() === '') {
    return { kind: 'failed', reason: 'SERIES3_PATH is empty: set it to the folder Blastware writes ACH events into' };
  }
  let binaries;
  try {
    binaries = await listFolder(config.series3Path, { include: isEventBinaryName });
  } catch (err) {
    // FolderError: missing, a file, no permission, unreachable; its message says which and what to do.
    return { kind: 'failed', reason: (err as Error).message };
  }
  const oldestMs = nowMs - config.maxEventAgeDays * 86_400_000;
  const tooOld = binaries.filter((binary) => binary.mtimeMs < oldestMs).length;
  return { kind: 'ok', events: binaries.length, tooOld, detail: folderWords(config, binaries.length, tooOld) };
}

/** "1,204 events in it" (after the folder's name, which the caller writes). */
function folderWords(config: Pick<Config, 'maxEventAgeDays'>, events: number, tooOld: number): string {
  if (events === 0) return 'readable, no events in it yet';
  const count = events === 1 ? '1 event' : `${formatCount(events)} events`;
  const old = tooOld === 0 ? '' : ` (${formatCount(tooOld)} older than MAX_EVENT_AGE_DAYS = ${config.maxEventAgeDays}, never sent)`;
  return `readable, ${count} in it${old}`;
}
