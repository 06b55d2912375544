// Reading one file from the watch folder, whole and briefly, and classifying what went wrong (SPEC §1).
// Blastware owns that folder: we open read-only, hold the handle only for the read, and report a
// file that is locked, vanished or still being written as a tagged outcome, never as a throw.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { FileErrorKind, HashOutcome, ReadOutcome } from './types.js';
import { errorCode } from '../text/errors.js';

/**
 * Binaries larger than this are never held in memory whole: the pass hashes them by streaming and
 * the uploader streams them into the request (a 300 MB event must not cost 300 MB, let alone two
 * copies). Real Series 3 events are kilobytes to a few MB, so they stay on the read-once path.
 */
export const defaultStreamAboveBytes = 32 * 1024 * 1024;

/** How much of a large file is in memory at once while it is hashed. */
const hashChunkBytes = 1024 * 1024;

/**
 * Classify a file-system error once, so callers switch on `kind` and nobody parses messages.
 *
 * - ENOENT -> `missing` (deleted or renamed by Blastware between listing and reading).
 * - EBUSY -> `locked` everywhere (on Windows libuv maps ERROR_SHARING_VIOLATION and
 *   ERROR_LOCK_VIOLATION to EBUSY).
 * - On win32, EPERM -> `locked` as well: libuv maps ERROR_ACCESS_DENIED to EPERM, and in a folder a
 *   program is writing, that is usually a sharing or delete-pending conflict, not an ACL; it is
 *   retried on a later pass either way. EACCES on win32 stays `permission`.
 * - Elsewhere EACCES and EPERM -> `permission`.
 * - EISDIR and everything else (EIO, EMFILE, non-errors) -> `other`.
 *
 * `platform` is a parameter so both heuristics are testable on any machine.
 */
export function classifyFileError(err: unknown, platform: NodeJS.Platform = process.platform): FileErrorKind {
  const code = errorCode(err);
  switch (code) {
    case 'ENOENT':
      return 'missing';
    case 'EBUSY':
      return 'locked';
    case 'EPERM':
      return platform === 'win32' ? 'locked' : 'permission';
    case 'EACCES':
      return 'permission';
    default:
      return 'other';
  }
}

export { errorCode };

export interface ExpectedFileState {
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * Read a whole file. The size and mtime are taken from the open handle before and after the read;
 * if they moved (or differ from `expected`, typically the listing the pairing decision was based
 * on), the outcome is `changed`: Blastware is still writing, try again on a later pass. The bytes
 * returned are exactly the bytes read, so the caller can hash and send the same buffer.
 */
export async function readWhole(path: string, expected?: ExpectedFileState): Promise<ReadOutcome> {
  let handle: FileHandle | undefined;
  try {
    // 'r' is read-only; on Windows Node opens with FILE_SHARE_READ|WRITE|DELETE, so Blastware can
    // still write, rename or delete the file while we hold it.
    handle = await open(path, 'r');
    // The listing's facts (a regular file of this size and mtime) stand in for a first fstat:
    // one look after the read tells whether anything moved since the pairing decision.
    let before: ExpectedFileState;
    if (expected === undefined) {
      const stats = await handle.stat();
      if (!stats.isFile()) return failed('other', `${path} is not a regular file`);
      before = stats;
    } else {
      before = expected;
    }
    const bytes = await readAll(handle, before.size);
    const after = await handle.stat();
    const moved = changeBetween(before, after, bytes.length);
    if (moved !== null) {
      const when = expected === undefined ? 'while it was read' : 'since it was listed';
      return failed('changed', `${path} changed ${when} (${moved}); it will be tried again`);
    }
    return { kind: 'read', bytes, mtimeMs: after.mtimeMs, size: after.size };
  } catch (err) {
    const kind = classifyFileError(err);
    return failed(kind, describeFailure(path, kind, err));
  } finally {
    // Close even when the read failed; a close error must not mask the outcome.
    await handle?.close().catch(() => undefined);
  }
}

/**
 * The sha256 of a whole file, read in chunks so memory does not grow with the file. Opened
 * read-only (full sharing on Windows) and closed before returning; the same size/mtime checks as
 * readWhole, so a file still being written comes back `changed`, never with a hash of half of it.
 * The hash only answers "already delivered?": what is recorded after a send is the hash of the
 * bytes the uploader actually streamed.
 */
export async function hashWhole(path: string, expected?: ExpectedFileState): Promise<HashOutcome> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    const stats = await handle.stat();
    if (!stats.isFile()) return failed('other', `${path} is not a regular file`);
    const before: ExpectedFileState = expected ?? stats;
    const hash = createHash('sha256');
    const chunk = Buffer.allocUnsafe(hashChunkBytes);
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, total);
      if (bytesRead === 0) break;
      hash.update(chunk.subarray(0, bytesRead));
      total += bytesRead;
    }
    const after = await handle.stat();
    const moved = changeBetween(before, after, total);
    if (moved !== null) {
      const when = expected === undefined ? 'while it was read' : 'since it was listed';
      return failed('changed', `${path} changed ${when} (${moved}); it will be tried again`);
    }
    return { kind: 'hashed', sha256: hash.digest('hex'), mtimeMs: after.mtimeMs, size: after.size };
  } catch (err) {
    const kind = classifyFileError(err);
    return failed(kind, describeFailure(path, kind, err));
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * Reads the file into one buffer sized from the expected size, plus one byte to notice growth.
 * A read that returns less than it was asked for has met the end of the file, so a file that is
 * as long as expected costs one read call, not a second one to find EOF. Should a file system
 * ever return a short read before the end, the byte count differs from the size and the caller
 * treats the file as changed: it is read again on a later pass, never sent cut short.
 */
async function readAll(handle: FileHandle, sizeHint: number): Promise<Buffer> {
  let buffer = Buffer.allocUnsafe(sizeHint + 1);
  let total = 0;
  for (;;) {
    const wanted = buffer.length - total;
    const { bytesRead } = await handle.read(buffer, total, wanted, total);
    total += bytesRead;
    if (bytesRead < wanted) return buffer.subarray(0, total);
    // Longer than expected (still growing): keep reading to the end.
    const bigger = Buffer.allocUnsafe(buffer.length * 2);
    buffer.copy(bigger, 0, 0, total);
    buffer = bigger;
  }
}

/**
 * What moved between two looks at a file (size, mtime, and optionally the byte count actually
 * read, which catches growth between the fstat and EOF), or null when nothing did.
 */
export function changeBetween(earlier: ExpectedFileState, later: ExpectedFileState, bytesRead?: number): string | null {
  const moved: string[] = [];
  if (later.size !== earlier.size) moved.push(`size ${earlier.size} -> ${later.size}`);
  if (later.mtimeMs !== earlier.mtimeMs) moved.push(`mtime ${earlier.mtimeMs} -> ${later.mtimeMs}`);
  if (bytesRead !== undefined && bytesRead !== earlier.size) moved.push(`read ${bytesRead} of ${earlier.size} bytes`);
  return moved.length === 0 ? null : moved.join(', ');
}

function failed(error: FileErrorKind, reason: string): Extract<ReadOutcome, { kind: 'failed' }> {
  return { kind: 'failed', error, reason };
}

/**
 * Opens and closes a file without reading it (a dry run's "can this be sent?"): null when it
 * opens, else the failure classified and worded like a failed read.
 */
export async function checkOpens(path: string): Promise<Extract<ReadOutcome, { kind: 'failed' }> | null> {
  try {
    await (await open(path, 'r')).close();
    return null;
  } catch (err) {
    const kind = classifyFileError(err);
    return failed(kind, describeFailure(path, kind, err));
  }
}

/** A file error worded for a person, naming the file (also for the uploader's own reads). */
export function describeFailure(path: string, kind: FileErrorKind, err: unknown): string {
  const detail = err instanceof Error ? err.message : String(err);
  switch (kind) {
    case 'missing':
      return `${path} vanished before it could be read (renamed or deleted); it will be looked for again`;
    case 'locked':
      return `${path} is in use by another program (${errorCode(err)}); it will be tried again`;
    case 'permission':
      return `${path} cannot be read (permission denied): give this user read access to the watch folder`;
    default:
      return `${path} could not be read: ${detail}`;
  }
}
