// The multipart body of an event whose binary is streamed from its file (SPEC §3's shape: one
// `files` part per file, binary then report). Written out here rather than with undici's FormData
// because a FormData part must be a Blob, and a Blob hides the bytes it sends, while the record
// must hold the sha256 of exactly those bytes. Owns the file handle from open to close.

import { createHash, randomBytes } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { SentFile, StreamedFile } from './types.js';
import { errorCode, errorMessage } from '../text/errors.js';

export interface FileBody {
  readonly contentType: string;
  /** Known up front, so the request is not chunked and a proxy sees its length. */
  readonly contentLength: number;
  /** Read from the file as the request asks for it; hashes every byte it yields. */
  readonly stream: Readable;
  /** Why the file ended the stream, if it did: a problem of the file, not of the server. */
  problem(): string | null;
  /** After the answer: the hash of what was streamed and how the file moved meanwhile. */
  finish(): Promise<SentFile>;
  /** Closes the file; safe to call more than once, and after an error or abort. */
  close(): Promise<void>;
}

export type OpenedBody = { readonly kind: 'open'; readonly body: FileBody } | { readonly kind: 'unreadable'; readonly reason: string };

export interface ReportPart {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/**
 * Small enough that memory stays flat whatever the file's size; large enough that a 300 MB file
 * is about a thousand reads. Each chunk is a new buffer: the socket may still hold the last one.
 */
const chunkBytes = 256 * 1024;

/** `onChunk` is called as each chunk of the file goes out (the uploader's time limit restarts). */
export async function openFileBody(
  binaryName: string,
  file: StreamedFile,
  report: ReportPart | null,
  onChunk: () => void = () => undefined,
): Promise<OpenedBody> {
  let handle: FileHandle;
  try {
    // 'r' is read-only; on Windows Node opens with FILE_SHARE_READ|WRITE|DELETE, so Blastware
    // can still write, rename or delete the file while it is being sent.
    handle = await open(file.path, 'r');
  } catch (error) {
    return { kind: 'unreadable', reason: fileProblem(file.path, error) };
  }
  try {
    const before = await handle.stat();
    const moved = movement(file, before.size, before.mtimeMs);
    if (moved !== null) {
      await handle.close();
      return { kind: 'unreadable', reason: `${file.path} changed since it was hashed (${moved}); it will be tried again` };
    }
  } catch (error) {
    await handle.close().catch(() => undefined);
    return { kind: 'unreadable', reason: fileProblem(file.path, error) };
  }
  return { kind: 'open', body: streamingBody(handle, binaryName, file, report, onChunk) };
}

function streamingBody(handle: FileHandle, binaryName: string, file: StreamedFile, report: ReportPart | null, onChunk: () => void): FileBody {
  const boundary = `----series3-watcher-${randomBytes(16).toString('hex')}`;
  const head = Buffer.from(partHead(boundary, binaryName, 'application/octet-stream'));
  const tail = Buffer.concat([
    Buffer.from('\r\n'),
    ...(report === null ? [] : [Buffer.from(partHead(boundary, report.name, 'text/plain')), report.bytes, Buffer.from('\r\n')]),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
  const hash = createHash('sha256');
  let streamed = 0;
  let problem: string | null = null;
  let closed: Promise<void> | null = null;

  async function* bytes(): AsyncGenerator<Buffer> {
    yield head;
    while (streamed < file.size) {
      const chunk = Buffer.allocUnsafe(Math.min(chunkBytes, file.size - streamed));
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(chunk, 0, chunk.length, streamed));
      } catch (error) {
        if (closed !== null) return; // the request is over; nobody reads on
        problem = fileProblem(file.path, error);
        throw error;
      }
      if (bytesRead === 0) {
        problem = `${file.path} got shorter while it was sent (${streamed} of ${file.size} bytes); it will be tried again`;
        throw new Error(problem);
      }
      const piece = chunk.subarray(0, bytesRead);
      hash.update(piece);
      streamed += bytesRead;
      onChunk();
      yield piece;
    }
    yield tail;
  }

  const close = (): Promise<void> => {
    closed ??= handle.close().catch(() => undefined);
    return closed;
  };

  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    contentLength: head.length + file.size + tail.length,
    stream: Readable.from(bytes(), { objectMode: false }),
    problem: () => problem,
    async finish() {
      // Bytes beyond the hashed size were never read; a size or mtime that moved says the file
      // on disk is no longer what went out, so the caller must not file it under this hash.
      const after = await handle.stat().catch(() => null);
      await close();
      const moved = after === null ? 'it could not be looked at after the send' : movement(file, after.size, after.mtimeMs);
      const short = streamed === file.size ? null : `sent ${streamed} of ${file.size} bytes`;
      return { sha256: hash.digest('hex'), size: streamed, changed: [moved, short].filter((m) => m !== null).join(', ') || null };
    },
    close,
  };
}

/** The part's header lines; the file name escaped the way browsers (and undici) do. */
function partHead(boundary: string, filename: string, contentType: string): string {
  const escaped = filename.replace(/\n/g, '%0A').replace(/\r/g, '%0D').replace(/"/g, '%22');
  return `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${escaped}"\r\nContent-Type: ${contentType}\r\n\r\n`;
}

function movement(expected: StreamedFile, size: number, mtimeMs: number): string | null {
  const moved: string[] = [];
  if (size !== expected.size) moved.push(`size ${expected.size} -> ${size}`);
  if (mtimeMs !== expected.mtimeMs) moved.push(`mtime ${expected.mtimeMs} -> ${mtimeMs}`);
  return moved.length === 0 ? null : moved.join(', ');
}

/** The upload module does not import scan/: a short wording of its own, naming the file. */
function fileProblem(path: string, error: unknown): string {
  const code = errorCode(error) ?? '';
  switch (code) {
    case 'ENOENT':
      return `${path} vanished before it could be sent (renamed or deleted); it will be looked for again`;
    case 'EBUSY':
    case 'EPERM':
      return `${path} is in use by another program (${code}); it will be tried again`;
    case 'EACCES':
      return `${path} cannot be read (permission denied): give this user read access to the watch folder`;
    default:
      return `${path} could not be read while it was sent: ${errorMessage(error)}; it will be tried again`;
  }
}
