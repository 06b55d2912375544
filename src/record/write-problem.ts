// What a technician reads when the record cannot be written, and the error that carries it.
// One wording per cause, decided here once: the ledger's `writeProblem`, the rejections of
// `record()` / `flush()` / `compact()` and the status all show the same text.

/** A failed write of the record. Tagged `kind: 'record-write'`: callers switch on kind, never on text. */
export class RecordWriteError extends Error {
  readonly kind = 'record-write' as const;
  /** STATE_DIR */
  readonly dir: string;

  constructor(message: string, dir: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'RecordWriteError';
    this.dir = dir;
  }
}

const stopped = 'sending is stopped until the record can be written';

/** The problem in plain words, naming STATE_DIR and what to do. */
export function describeWriteFailure(dir: string, error: unknown): string {
  switch ((error as NodeJS.ErrnoException | null)?.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return `the disk holding STATE_DIR ${dir} is full; free some space: ${stopped}`;
    case 'EACCES':
    case 'EPERM':
      return `series3-watcher is not allowed to write in STATE_DIR ${dir} (permission denied); give this user write access to it: ${stopped}`;
    case 'EROFS':
      return `the disk holding STATE_DIR ${dir} is read-only; make it writable or choose another STATE_DIR: ${stopped}`;
    case 'ENOENT':
      return `the folder STATE_DIR ${dir} is gone (deleted, or its drive is not there); create it again or choose another STATE_DIR: ${stopped}`;
    default:
      return `cannot write the record in STATE_DIR ${dir} (${error instanceof Error ? error.message : String(error)}); ${stopped}`;
  }
}
