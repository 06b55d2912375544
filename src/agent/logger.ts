// The technician's log: one line per delivered or failed event and per pass, in LOG_FILE,
// rotated by size (LOG_FILE.1 .. .3). Writes are synchronous so a line is in the file before
// the agent moves on, and a crash never loses the line that explains it. The file stays open
// between lines (Node opens it shareable, so Notepad and a rename still work on Windows).
//
// Rotation on Windows: a viewer, backup or antivirus that opens a rotated log without
// FILE_SHARE_DELETE makes every rename of that file (from it, or onto it) fail with EBUSY/EPERM
// for as long as it holds it. So a rotation is all or nothing: the oldest file is first moved
// aside (not deleted), each file is shifted up by one, and only when the current log has moved
// to .1 is the oldest deleted; if any rename fails, the ones already made are undone and nothing
// is deleted. The logger then says so once (a line in the log and one on stderr), keeps writing
// the current log past LOG_MAX_KB, and tries again after another quarter of LOG_MAX_KB or a
// minute, whichever first; when a retry succeeds it says that too. A log that cannot be opened
// or written at all is said once on stderr and tried again a minute later, never given up.
//
// Why not a library: we read what the well-kept rotating writers do when a rename fails.
// rotating-file-stream 3.2 (classical mode) renames oldest first, each onto the next name (the
// oldest is replaced before it knows the newest can move), and rethrows any rename error but
// ENOENT, which destroys the stream, so logging stops for good; file-stream-rotator 1.0 never renames (it opens a new dated/numbered file) and unlinks
// old files from an audit JSON, swallowing unlink failures. Both write through asynchronous
// streams, so a crash can lose the last lines, which the synchronous write here exists to avoid.
import { closeSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

import { oneLine } from '../text/one-line.js';
import { errorCode, errorMessage, redactSecrets } from '../text/errors.js';

/** The longest message a log line carries; longer ones are clipped (a log is read, not searched for megabytes). */
const MAX_LINE_CHARS = 4000;

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Releases the log file (a logger may still write after; it reopens). */
  close?(): void;
}

export interface FileLoggerOptions {
  readonly file: string;
  readonly maxBytes: number;
  /** Strings that must never reach the log (the API token); replaced by `***`. */
  readonly secrets?: readonly string[];
  /** Also echo lines here (the CLI passes stderr when asked to be verbose). */
  readonly echo?: (line: string) => void;
  readonly now?: () => number;
  /** Where the logger's own problems are said besides the log (default: process.stderr). */
  readonly stderr?: (text: string) => void;
  /** After a blocked rotation, try again once this much more is written (default maxBytes / 4)... */
  readonly rotationRetryBytes?: number;
  /**
   * ...or this long has passed, whichever first (default 60 s); also how soon a log that could
   * not be written at all is tried again.
   */
  readonly rotationRetryMs?: number;
}

const KEPT_FILES = 3;
/** How soon a blocked rotation or an unwritable log is tried again, at the latest. */
const RETRY_MS = 60_000;

/** A rotation that could not be made, and when to try again. */
interface BlockedRotation {
  /** When the first try failed. */
  readonly sinceMs: number;
  /** Failed tries so far. */
  readonly tries: number;
  /** Try again once the current log has reached this size... */
  readonly retryAtBytes: number;
  /** ...or this time has come. */
  readonly retryAtMs: number;
}

/** Why the log cannot be written now, since when, and what that cost. */
interface Unwritable {
  readonly sinceMs: number;
  readonly reason: string;
  /** Lines that reached no file. */
  readonly lostLines: number;
  /** Try the file again at the first line from then. */
  readonly retryAtMs: number;
}

/** The log file as one logger holds it. */
interface LogFileState {
  /** Open descriptor; null until the next line (closed around a rotation and by close()). */
  fd: number | null;
  /** Bytes in the current file: its size when opened plus what we appended. */
  sizeBytes: number;
  /** The file could not be opened or written: lines only reach `echo` until a retry works. */
  unwritable: Unwritable | null;
  /** Set while rotation is blocked; null when the last rotation worked (or none was needed). */
  blocked: BlockedRotation | null;
}

type RotationOutcome =
  | { readonly kind: 'rotated' }
  | {
      readonly kind: 'blocked';
      /** The rename that failed, and why. */
      readonly from: string;
      readonly to: string;
      readonly reason: string;
      /** An undo that failed too: the old files are under shifted names, none deleted. */
      readonly undoFailure: string | null;
    };

export function createFileLogger(options: FileLoggerOptions): Logger {
  const now = options.now ?? Date.now;
  const secrets = (options.secrets ?? []).filter((s) => s.length > 0);
  const stderr = options.stderr ?? ((text: string) => void process.stderr.write(text));
  const state: LogFileState = { fd: null, sizeBytes: 0, unwritable: null, blocked: null };
  const retryMs = options.rotationRetryMs ?? RETRY_MS;

  // Every entry is one line: a message quoting a server or a file name can never forge a line.
  // Its time stays ISO 8601 UTC with its offset ("…Z"), as do the times inside log messages:
  // lines sort and compare across DST changes and with the server's own logs. Everything else
  // a person reads is local time (src/text/local-time.ts); the README says which is which.
  const format = (level: string, message: string): string =>
    `${new Date(now()).toISOString()} ${level} ${oneLine(redact(message, secrets), MAX_LINE_CHARS)}\n`;

  const append = (line: string): void => {
    const bytes = Buffer.from(line);
    openLog(state, options.file);
    writeSync(state.fd!, bytes);
    state.sizeBytes += bytes.length;
  };

  /** Our own notice: in the log, and on the console (the echo if there is one, else stderr). */
  const notice = (message: string, toStderr: boolean): void => {
    const line = format('WARN ', message);
    append(line);
    if (options.echo) options.echo(line.trimEnd());
    else if (toStderr) stderr(`series3-watcher: ${redact(message, secrets)}\n`);
  };

  const write = (level: string, message: string): void => {
    const line = format(level, message);
    options.echo?.(line.trimEnd());
    const nowMs = now();
    const off = state.unwritable;
    if (off !== null && nowMs < off.retryAtMs) {
      state.unwritable = { ...off, lostLines: off.lostLines + 1 };
      return;
    }
    try {
      openLog(state, options.file);
      if (off !== null) {
        state.unwritable = null;
        notice(`${off.lostLines} lines could not be written to this log from ${new Date(off.sinceMs).toISOString()} (${off.reason})`, false);
      }
      if (rotationDue(state, Buffer.byteLength(line), options.maxBytes, nowMs)) {
        const said = rotateOrSay(state, options.file, options.rotationRetryBytes ?? Math.ceil(options.maxBytes / 4), retryMs, nowMs);
        if (said !== null) notice(said.message, said.toStderr);
      }
      append(line);
    } catch (err) {
      // A log that cannot be written must not stop deliveries: say so once, where someone may
      // see it, and try the file again later (an antivirus or backup may hold it for a while).
      forgetFd(state);
      const reason = (err as Error).message;
      state.unwritable = { sinceMs: off?.sinceMs ?? nowMs, reason, lostLines: (off?.lostLines ?? 0) + 1, retryAtMs: nowMs + retryMs };
      if (off === null) {
        stderr(`series3-watcher: cannot write the log file ${options.file} (${reason}); its lines are lost until it can be written again (tried every ${retryMs / 1000} s)\n`);
      }
    }
  };
  return {
    info: (m) => write('INFO ', m),
    warn: (m) => write('WARN ', m),
    error: (m) => write('ERROR', m),
    close: () => closeLog(state),
  };
}

function openLog(state: LogFileState, file: string): void {
  if (state.fd !== null) return;
  mkdirSync(dirname(file), { recursive: true });
  state.fd = openSync(file, 'a');
  state.sizeBytes = fstatSync(state.fd).size;
}

function closeLog(state: LogFileState): void {
  if (state.fd !== null) closeSync(state.fd);
  state.fd = null;
}

/** After a failed write: drop the descriptor whatever state it is in, so the next try reopens. */
function forgetFd(state: LogFileState): void {
  try {
    closeLog(state);
  } catch {
    state.fd = null;
  }
}

/** The next line would take the file past the cap, and (if rotation is blocked) a retry is due. */
function rotationDue(state: LogFileState, lineBytes: number, maxBytes: number, nowMs: number): boolean {
  if (state.sizeBytes === 0 || state.sizeBytes + lineBytes <= maxBytes) return false;
  const blocked = state.blocked;
  return blocked === null || state.sizeBytes >= blocked.retryAtBytes || nowMs >= blocked.retryAtMs;
}

/**
 * Rotates, updating `state.blocked`; returns what to say, or null when there is nothing to say
 * (a normal rotation, or a retry that failed again: the first failure was said already).
 */
function rotateOrSay(
  state: LogFileState,
  file: string,
  retryBytes: number,
  retryMs: number,
  nowMs: number,
): { readonly message: string; readonly toStderr: boolean } | null {
  closeLog(state);
  const outcome = rotateFiles(file, KEPT_FILES);
  openLog(state, file);
  const previous = state.blocked;
  if (outcome.kind === 'rotated') {
    state.blocked = null;
    if (previous === null) return null;
    const message =
      `log rotation works again (blocked since ${new Date(previous.sinceMs).toISOString()}, ${previous.tries} tries); ` +
      `${file}.1 is larger than LOG_MAX_KB because it was written on meanwhile`;
    return { message, toStderr: false };
  }
  state.blocked = {
    sinceMs: previous?.sinceMs ?? nowMs,
    tries: (previous?.tries ?? 0) + 1,
    retryAtBytes: state.sizeBytes + Math.max(1, retryBytes),
    retryAtMs: nowMs + retryMs,
  };
  if (previous !== null) return null;
  const message =
    `cannot rotate the log: ${outcome.from} cannot be renamed to ${outcome.to} (${outcome.reason}); ` +
    `another program (a log viewer, backup or antivirus) may hold it open. No old log was deleted` +
    `${outcome.undoFailure ? `, but ${outcome.undoFailure}` : ''}. ` +
    `Writing on in ${file} past LOG_MAX_KB and trying again later; close that program to let it rotate`;
  return { message, toStderr: true };
}

/**
 * Shifts `file` -> .1 -> .2 ... -> .kept and drops the oldest, all or nothing: the oldest is
 * moved aside first and deleted only after every shift worked; a failed rename undoes the ones
 * made before it. A missing file in the chain is simply skipped.
 */
function rotateFiles(file: string, kept: number): RotationOutcome {
  const aside = `${file}.dropping`;
  const name = (i: number): string => (i === 0 ? file : `${file}.${i}`);
  const steps: Array<readonly [string, string]> = [[name(kept), aside]];
  for (let i = kept - 1; i >= 0; i--) steps.push([name(i), name(i + 1)]);

  const done: Array<readonly [string, string]> = [];
  for (const [from, to] of steps) {
    try {
      renameSync(from, to);
      done.push([from, to]);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      return { kind: 'blocked', from, to, reason: errorText(err), undoFailure: undo(done) };
    }
  }
  try {
    rmSync(aside, { force: true });
  } catch {
    // Left for the next rotation, which moves the next oldest onto it.
  }
  return { kind: 'rotated' };
}

/** Puts renamed files back, newest first; stops at the first failure so nothing is overwritten. */
function undo(done: ReadonlyArray<readonly [string, string]>): string | null {
  for (let i = done.length - 1; i >= 0; i--) {
    const [from, to] = done[i]!;
    try {
      renameSync(to, from);
    } catch (err) {
      return `${to} could not be put back as ${from} (${errorText(err)}): the old logs are under shifted names`;
    }
  }
  return null;
}

/** A file error as the log says it: its code (EBUSY, EPERM), else its message. */
function errorText(err: unknown): string {
  return errorCode(err) ?? errorMessage(err);
}

/** A logger that keeps lines in memory (headless tools and tests that have no log file). */
export function createMemoryLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`INFO ${m}`),
    warn: (m) => lines.push(`WARN ${m}`),
    error: (m) => lines.push(`ERROR ${m}`),
  };
}

/** The token never reaches the log: the one redaction (src/text/errors.ts), kept here under its old name. */
export const redact = redactSecrets;
