// What a directory listing yields: plain facts about one regular file.

export interface DirEntry {
  /** File name only, as it is on disk (case preserved). */
  readonly name: string;
  /** Absolute path. */
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/** File errors are classified once, here; callers switch on `kind`. */
/** `changed`: the file's size or mtime moved while it was being read (Blastware still writing). */
export type FileErrorKind = 'missing' | 'locked' | 'permission' | 'changed' | 'other';

export type ReadOutcome =
  | { readonly kind: 'read'; readonly bytes: Buffer; readonly mtimeMs: number; readonly size: number }
  | { readonly kind: 'failed'; readonly error: FileErrorKind; readonly reason: string };

/** A large file hashed by streaming (never held whole in memory). */
export type HashOutcome =
  | { readonly kind: 'hashed'; readonly sha256: string; readonly mtimeMs: number; readonly size: number }
  | Extract<ReadOutcome, { kind: 'failed' }>;
