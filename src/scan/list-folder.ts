// Listing the watch folder: the facts (name, path, size, mtime) of every regular file directly in
// it. This is the truth each pass works from; watcher events only say when to look. Opens no file
// content and never modifies anything.
//
// Two ways to stat: synchronously, one at a time, in slices that give the event loop a turn
// between them (the cheapest per entry on a local disk: an async stat costs a promise and a
// thread-pool round trip, measured at about twice the work, see bench/idle-pass.ts), or with up to
// 64 async stats in flight, which hides the latency of a network share (a UNC path).
import { readdir, stat } from 'node:fs/promises';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { Dirent } from 'node:fs';
import type { DirEntry, FileErrorKind } from './types.js';
import { classifyFileError, errorCode } from './read-file.js';

/** Enough stats in flight to hide latency (network shares), few enough not to exhaust handles. */
export const DEFAULT_STAT_CONCURRENCY = 64;

/** The watch folder itself cannot be listed. `kind` says why; the message says what to do. */
export class FolderError extends Error {
  override readonly name = 'FolderError';
  constructor(
    readonly folder: string,
    readonly kind: FileErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Synchronous stats made before the event loop gets a turn (timers, IPC, uploads in flight). */
export const SYNC_STAT_SLICE = 1000;

export interface ListFolderOptions {
  /**
   * 'sync': one stat at a time, synchronously, in slices of SYNC_STAT_SLICE; 'parallel': up to
   * `concurrency` async stats at once. Default: 'parallel' for a UNC path (\\server\share, where
   * each stat is a network round trip), else 'sync'. A mapped network drive looks local: it gets
   * 'sync', which is correct, only slower there.
   */
  readonly statMode?: 'sync' | 'parallel';
  /** Stats run at once in 'parallel' mode (default 64). */
  readonly concurrency?: number;
  /**
   * Told about a file that was listed but could not be stat'ed for another reason than vanishing
   * (e.g. locked or permission). It is left out of this listing and looked at again next pass.
   */
  readonly onSkipped?: (name: string, kind: FileErrorKind) => void;
  /** Only names this accepts are stat'ed and listed (seeding needs the binaries, not the reports). */
  readonly include?: (name: string) => boolean;
}

/**
 * Regular files directly in `dir` (sub-folders are neither listed nor entered). Symbolic links are
 * followed when they point at a regular file (the entry then carries the target's size and mtime,
 * the bytes a read would send); links to folders and dangling links are skipped. A file that
 * vanishes between readdir and stat is silently skipped: Blastware renames and deletes freely.
 *
 * Throws FolderError when the folder itself is missing, not a folder or unreadable.
 */
export async function listFolder(dir: string, options: ListFolderOptions = {}): Promise<DirEntry[]> {
  const folder = resolve(dir);
  const mode = options.statMode ?? (isUncPath(folder) ? 'parallel' : 'sync');
  let dirents: Dirent[];
  try {
    dirents = mode === 'sync' ? readdirSync(folder, { withFileTypes: true }) : await readdir(folder, { withFileTypes: true });
  } catch (err) {
    throw folderErrorFrom(folder, err);
  }
  const include = options.include;
  const names: string[] = [];
  for (const d of dirents) if ((d.isFile() || d.isSymbolicLink()) && (include === undefined || include(d.name))) names.push(d.name);
  return mode === 'sync' ? statSlices(folder, names, options) : statParallel(folder, names, options);
}

/** Stats one at a time, synchronously, yielding to the event loop after every slice. */
async function statSlices(folder: string, names: readonly string[], options: ListFolderOptions): Promise<DirEntry[]> {
  const entries: DirEntry[] = [];
  // A listed name has no separator, so a plain concatenation is the joined path (join() normalises
  // every one again, a measurable share of an idle pass); a root (C:\\ or /) already ends in one.
  const prefix = folder.endsWith(sep) ? folder : folder + sep;
  for (let index = 0; index < names.length; index++) {
    if (index > 0 && index % SYNC_STAT_SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const name = names[index]!;
    const path = prefix + name;
    try {
      const stats = statSync(path);
      if (stats.isFile()) entries.push({ name, path, size: stats.size, mtimeMs: stats.mtimeMs });
    } catch (err) {
      skipped(name, err, options);
    }
  }
  return entries;
}

async function statParallel(folder: string, names: readonly string[], options: ListFolderOptions): Promise<DirEntry[]> {
  const entries: (DirEntry | undefined)[] = new Array(names.length);
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_STAT_CONCURRENCY);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < names.length) {
      const index = next++;
      const name = names[index]!;
      const path = join(folder, name);
      try {
        const stats = await stat(path);
        if (stats.isFile()) entries[index] = { name, path, size: stats.size, mtimeMs: stats.mtimeMs };
      } catch (err) {
        skipped(name, err, options);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, names.length) }, worker));
  return entries.filter((e): e is DirEntry => e !== undefined);
}

/** A listed file that could not be stat'ed: vanished ones silently, the rest told (tried next pass). */
function skipped(name: string, err: unknown, options: ListFolderOptions): void {
  const kind = classifyFileError(err);
  // ENOTDIR: the folder was replaced under us; the next listing will say so.
  if (kind !== 'missing' && errorCode(err) !== 'ENOTDIR') options.onSkipped?.(name, kind);
}

/** \\server\share\… (or //server/share/… on Windows): every stat crosses the network. */
function isUncPath(path: string): boolean {
  return /^[\\/]{2}[^\\/?.]/.test(path);
}

/** The FolderError for a failed listing of `folder`; exported so every code's message is testable. */
export function folderErrorFrom(folder: string, err: unknown): FolderError {
  const code = errorCode(err);
  const where = `SERIES3_PATH folder ${folder}`;
  if (code === 'ENOENT') {
    return new FolderError(folder, 'missing', `${where} does not exist: check the path in config.ini`, { cause: err });
  }
  if (code === 'ENOTDIR') {
    return new FolderError(
      folder,
      'other',
      `${where} is a file, not a folder: set SERIES3_PATH in config.ini to the folder Blastware writes events into`,
      { cause: err },
    );
  }
  // Listing a folder is not subject to sharing violations, so EPERM here really is access.
  if (code === 'EACCES' || code === 'EPERM') {
    return new FolderError(
      folder,
      'permission',
      `${where} cannot be read (permission denied): give this user read access to it or change SERIES3_PATH in config.ini`,
      { cause: err },
    );
  }
  const kind = classifyFileError(err);
  const detail = err instanceof Error ? err.message : String(err);
  return new FolderError(
    folder,
    kind,
    `${where} cannot be listed (${detail}): check that the folder, its drive or network share is reachable`,
    { cause: err },
  );
}
