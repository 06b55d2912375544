// The technician's log: one line per delivered or failed event and per pass, in LOG_FILE,
// rotated by size (LOG_FILE.1 .. .3). Writes are synchronous so a line is on disk before
// the agent moves on, and a crash never loses the line that explains it.
import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
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
  let size = currentSize(options.file);
  let broken = false;

  const write = (level: string, message: string): void => {
    const line = `${new Date(now()).toISOString()} ${level} ${redact(message, secrets)}\n`;
    options.echo?.(line.trimEnd());
    if (broken) return;
    try {
      if (size + line.length > options.maxBytes && size > 0) {
        rotate(options.file);
        size = 0;
      }
      mkdirSync(dirname(options.file), { recursive: true });
      appendFileSync(options.file, line);
      size += Buffer.byteLength(line);
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

function currentSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
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
