// Owns reading config.ini from disk: the file's bytes -> text (UTF-8, with or
// without Notepad's BOM; UTF-16 from Notepad's "Unicode"; old ANSI files read
// byte for byte), then parseConfigText. A missing or unreadable file is a
// ConfigFileError that says what to do.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config, ConfigProblem } from './types.js';
import { parseConfigText } from './parse-config.js';

/** How the file's bytes were decoded, so a save writes them back the same way. */
export type ConfigEncoding = 'utf8' | 'utf16le' | 'latin1';

export interface LoadedConfig {
  readonly config: Config;
  readonly problems: ConfigProblem[];
  readonly warnings: string[];
  /** The file's text (a BOM, if any, kept as '\uFEFF'). */
  readonly text: string;
}

export type ConfigFileErrorReason = 'missing' | 'unreadable' | 'unwritable';

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
  const { text } = decodeConfigBytes(bytes);
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

export function decodeConfigBytes(bytes: Uint8Array): { text: string; encoding: ConfigEncoding } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length >= 2 && buffer[0] === 0xff && buffer[1] === 0xfe) {
    return { text: buffer.toString('utf16le'), encoding: 'utf16le' };
  }
  try {
    return { text: utf8Strict.decode(buffer), encoding: 'utf8' };
  } catch {
    // Not UTF-8 (an old ANSI file): latin1 maps every byte to one character and back,
    // so a save keeps the lines it does not edit byte for byte.
    return { text: buffer.toString('latin1'), encoding: 'latin1' };
  }
}

export function encodeConfigText(text: string, encoding: ConfigEncoding): Buffer {
  return Buffer.from(text, encoding);
}
