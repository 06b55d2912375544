// The technician's log: one line per delivered or failed event and per pass, in LOG_FILE,
// rotated by size (LOG_FILE.1 .. .3). Writes are synchronous so a line is in the file before
// the agent moves on, and a crash never loses the line that explains it. The file stays open
// between lines (Node opens it shareable, so Notepad and a rename still work on Windows).
import { closeSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

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
}

const KEPT_FILES = 3;

export function createFileLogger(options: FileLoggerOptions): Logger {
  const now = options.now ?? Date.now;
  const secrets = (options.secrets ?? []).filter((s) => s.length > 0);
  let fd: number | null = null;
  let size = 0;
  let broken = false;

  const openLog = (): number => {
    if (fd === null) {
      mkdirSync(dirname(options.file), { recursive: true });
      fd = openSync(options.file, 'a');
      size = fstatSync(fd).size;
    }
    return fd;
  };

  const write = (level: string, message: string): void => {
    const line = `${new Date(now()).toISOString()} ${level} ${redact(message, secrets)}\n`;
    options.echo?.(line.trimEnd());
    if (broken) return;
    try {
      const bytes = Buffer.from(line);
      openLog();
      if (size > 0 && size + bytes.length > options.maxBytes) {
        closeSync(fd!);
        fd = null;
        rotate(options.file);
        openLog();
      }
      writeSync(fd!, bytes);
      size += bytes.length;
    } catch (err) {
      // A log that cannot be written must not stop deliveries; say so once, where someone may see it.
      broken = true;
      process.stderr.write(`series3-watcher: cannot write the log file ${options.file} (${(err as Error).message}); logging to it is off until restart\n`);
    }
  };
  return {
    info: (m) => write('INFO ', m),
    warn: (m) => write('WARN ', m),
    error: (m) => write('ERROR', m),
    close: () => {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
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

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('***');
  return out;
}

function rotate(file: string): void {
  rmSync(`${file}.${KEPT_FILES}`, { force: true });
  for (let i = KEPT_FILES - 1; i >= 1; i--) {
    try {
      renameSync(`${file}.${i}`, `${file}.${i + 1}`);
    } catch {
      // a missing older file is the normal case
    }
  }
  try {
    renameSync(file, `${file}.1`);
  } catch {
    // nothing to rotate
  }
}
