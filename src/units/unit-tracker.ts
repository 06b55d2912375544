// Finds the units in the watch folder's monitor logs and remembers what it read: each .MLG is
// read (its first 2 KB, once opened, read, closed) once per (name, size, mtime); a pass over an
// unchanged folder reads nothing. Read-only: nothing in the folder is opened for writing.
//
// The listing comes from the caller (the agent's pass lists the folder once for events and
// monitor logs alike), so this module costs nothing on a folder without monitor logs.
import { open } from 'node:fs/promises';
import { errorCode, errorMessage } from '../text/errors.js';
import type { DirEntry } from '../scan/types.js';
import type { LastCallIn, UnitScan, UnreadableLog } from './types.js';
import { MONITOR_LOG_HEAD_BYTES, unitNameIn } from './unit-name.js';

/** Reads at most `bytes` from the start of a file. */
export type ReadHead = (path: string, bytes: number) => Promise<Uint8Array>;

export const NO_UNITS: UnitScan = { callIns: [], unreadable: [], scannedAtMs: null };

/** What was read from one monitor log, kept while its name, size and mtime stay the same. */
interface CachedLog {
  readonly size: number;
  readonly mtimeMs: number;
  /** The unit it names; null when its first 2 KB name none. */
  readonly unit: string | null;
}

export interface UnitTracker {
  /** Looks at the monitor logs of one listing: reads the new and changed ones, forgets the gone. */
  update(logs: readonly DirEntry[], nowMs: number): Promise<UnitScan>;
}

export function createUnitTracker(options: { readonly readHead?: ReadHead } = {}): UnitTracker {
  const readHead = options.readHead ?? readFileHead;
  /** By file name (the listing's own spelling). */
  let cache = new Map<string, CachedLog>();
  return {
    async update(logs, nowMs) {
      const next = new Map<string, CachedLog>();
      const unreadable: UnreadableLog[] = [];
      for (const entry of logs) {
        const known = cache.get(entry.name);
        if (known !== undefined && known.size === entry.size && known.mtimeMs === entry.mtimeMs) {
          next.set(entry.name, known);
          continue;
        }
        try {
          // One byte past 2 KB, so a name cut at the boundary is seen to go on.
          const head = await readHead(entry.path, MONITOR_LOG_HEAD_BYTES + 1);
          next.set(entry.name, { size: entry.size, mtimeMs: entry.mtimeMs, unit: unitNameIn(head) });
        } catch (err) {
          // Gone since the listing: Blastware renames and deletes freely. Anything else is named
          // and tried again next time (not cached).
          if (errorCode(err) !== 'ENOENT') unreadable.push({ file: entry.name, reason: unreadableReason(entry.name, err) });
        }
      }
      cache = next;
      return { callIns: newestPerUnit(logs, cache), unreadable, scannedAtMs: nowMs };
    },
  };
}

/** For each unit, its newest monitor log (ties: the greater file name, so the answer is stable). */
function newestPerUnit(logs: readonly DirEntry[], cache: ReadonlyMap<string, CachedLog>): LastCallIn[] {
  const newest = new Map<string, LastCallIn>();
  for (const entry of logs) {
    const unit = cache.get(entry.name)?.unit;
    if (unit === undefined || unit === null) continue;
    const seen = newest.get(unit);
    if (seen === undefined || entry.mtimeMs > seen.lastCallInMs || (entry.mtimeMs === seen.lastCallInMs && entry.name > seen.file)) {
      newest.set(unit, { unit, lastCallInMs: entry.mtimeMs, file: entry.name });
    }
  }
  return [...newest.values()].sort((a, b) => (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0));
}

function unreadableReason(name: string, err: unknown): string {
  const code = errorCode(err);
  if (code === 'EACCES' || code === 'EPERM') return `monitor log ${name} cannot be read (permission denied); its unit is left out until it can`;
  if (code === 'EBUSY') return `monitor log ${name} is locked by another program; it is read again on the next pass`;
  return `monitor log ${name} cannot be read (${errorMessage(err)}); it is read again on the next pass`;
}

/** Opens the file read-only, reads up to `bytes` from its start, closes it. */
export async function readFileHead(path: string, bytes: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    let filled = 0;
    while (filled < bytes) {
      const { bytesRead } = await handle.read(buffer, filled, bytes - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}
