// Owns reading config.ini from disk: the file's bytes -> text (UTF-8, with or
// without Notepad's BOM; UTF-16 little- or big-endian, with a BOM or without one,
// told by the NUL bytes of ASCII text; old ANSI files read byte for byte), then
// parseConfigText. A missing, unreadable or undecodable file is a ConfigFileError
// that names the file and says what to do.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config, ConfigProblem } from './types.js';
import { parseConfigText } from './parse-config.js';

/** How the file's bytes were decoded, so a save writes them back the same way. */
export type ConfigEncoding = 'utf8' | 'utf16le' | 'utf16be' | 'latin1';

export interface LoadedConfig {
  readonly config: Config;
  readonly problems: ConfigProblem[];
  readonly warnings: string[];
  /** The file's text (a BOM, if any, kept as '\uFEFF'). */
  readonly text: string;
}

export type ConfigFileErrorReason = 'missing' | 'unreadable' | 'undecodable' | 'unwritable';

export class ConfigFileError extends Error {
  override readonly name = 'ConfigFileError';
  readonly reason: ConfigFileErrorReason;
  readonly configPath: string;

  constructor(reason: ConfigFileErrorReason, configPath: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
    this.configPath = configPath;
  }
}

export function isConfigFileError(error: unknown): error is ConfigFileError {
  return error instanceof ConfigFileError;
}

export async function readConfigFile(configPath: string): Promise<LoadedConfig> {
  const absolutePath = path.resolve(configPath);
  const bytes = await readConfigBytes(absolutePath);
  const { text } = decodeConfigBytes(bytes, absolutePath);
  return { ...parseConfigText(text, absolutePath), text };
}

/** The file's bytes; a ConfigFileError when it is missing or cannot be read. */
export async function readConfigBytes(absolutePath: string): Promise<Buffer> {
  try {
    return await readFile(absolutePath);
  } catch (error) {
    throw configFileError(absolutePath, error);
  }
}

export function configFileError(absolutePath: string, error: unknown): ConfigFileError {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') {
    return new ConfigFileError('missing', absolutePath,
      `Config file not found: ${absolutePath}. Copy config-template.ini to that path and edit it ` +
      `(or save the settings once from the tray app).`, { cause: error });
  }
  const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : code === 'EISDIR' ? 'it is a folder, not a file'
      : (error as Error | null)?.message ?? String(error);
  return new ConfigFileError('unreadable', absolutePath,
    `Cannot read config file ${absolutePath}: ${why}. Check the file's permissions, or copy config-template.ini ` +
    `to that path and edit it.`, { cause: error });
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf16Strict = {
  utf16le: new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true }),
  utf16be: new TextDecoder('utf-16be', { fatal: true, ignoreBOM: true }),
} as const;

/**
 * The file's text and how it was encoded. UTF-16 is recognised by its byte order mark, or without
 * one by the NUL bytes that ASCII text has in every other byte (a config is keys, numbers and
 * paths: mostly ASCII). Bytes that are none of these but hold NULs are not text: a
 * ConfigFileError naming the file (absolutePath) says to save it as UTF-8.
 */
export function decodeConfigBytes(bytes: Uint8Array, absolutePath: string): { text: string; encoding: ConfigEncoding } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf16 = utf16Kind(buffer);
  if (utf16 !== null) {
    let text: string;
    try {
      // The BOM, if any, stays in the text as U+FEFF, so a save writes it back.
      text = utf16Strict[utf16].decode(buffer);
    } catch {
      throw undecodable(absolutePath, `it looks like UTF-16 ${utf16 === 'utf16le' ? 'little' : 'big'}-endian but is not valid UTF-16`);
    }
    // UTF-32 starts like UTF-16 little-endian and decodes to text full of NULs.
    if (text.includes('\u0000')) throw undecodable(absolutePath, 'it holds NUL characters, so it is not UTF-16 text (UTF-32?)');
    return { text, encoding: utf16 };
  }
  if (buffer.includes(0)) {
    throw undecodable(absolutePath, 'it holds NUL bytes, so it is not UTF-8 or ANSI text (and not UTF-16 either)');
  }
  try {
    return { text: utf8Strict.decode(buffer), encoding: 'utf8' };
  } catch {
    // Not UTF-8 (an old ANSI file): latin1 maps every byte to one character and back,
    // so a save keeps the lines it does not edit byte for byte.
    return { text: buffer.toString('latin1'), encoding: 'latin1' };
  }
}

/** Share of NULs in one byte lane that marks UTF-16 ASCII text, and what the other lane may have. */
const UTF16_NUL_LANE_MIN = 0.5;
const UTF16_OTHER_LANE_MAX = 0.05;
/** Enough of the file to tell its encoding. */
const SNIFF_BYTES = 4096;

function utf16Kind(buffer: Buffer): 'utf16le' | 'utf16be' | null {
  if (buffer.length >= 2 && buffer[0] === 0xff && buffer[1] === 0xfe) return 'utf16le';
  if (buffer.length >= 2 && buffer[0] === 0xfe && buffer[1] === 0xff) return 'utf16be';
  const pairs = Math.floor(Math.min(buffer.length, SNIFF_BYTES) / 2);
  if (pairs === 0) return null;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < pairs * 2; i += 2) {
    if (buffer[i] === 0) evenNul++;
    if (buffer[i + 1] === 0) oddNul++;
  }
  // 'K\0E\0Y\0' is little-endian ASCII: NULs in the odd bytes; '\0K\0E\0Y' is big-endian.
  if (oddNul >= pairs * UTF16_NUL_LANE_MIN && evenNul <= pairs * UTF16_OTHER_LANE_MAX) return 'utf16le';
  if (evenNul >= pairs * UTF16_NUL_LANE_MIN && oddNul <= pairs * UTF16_OTHER_LANE_MAX) return 'utf16be';
  return null;
}

function undecodable(absolutePath: string, why: string): ConfigFileError {
  return new ConfigFileError('undecodable', absolutePath,
    `Cannot read config file ${absolutePath}: ${why}. Save ${path.basename(absolutePath)} as UTF-8 ` +
    `(in Notepad: File > Save As, Encoding: UTF-8) and try again.`);
}

export function encodeConfigText(text: string, encoding: ConfigEncoding): Buffer {
  if (encoding === 'utf16be') return Buffer.from(text, 'utf16le').swap16();
  return Buffer.from(text, encoding);
}
