// Owns changing config.ini: updateConfigText edits only the given keys and keeps
// every other byte (comments, blank lines, other sections, key order, line endings,
// BOM); saveConfigChanges validates the result, then replaces the file atomically
// (temp file in the same folder + fsync + rename) so a crash or power cut leaves
// either the old file or the new one, never half of each.

import { readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Config, ConfigProblem } from './types.js';
import { WATCHER_SECTION, findKeySpec } from './schema.js';
import { validateSetting } from './validate.js';
import { lexLine, parseConfigText, splitConfigText, type ConfigLine } from './parse-config.js';
import { writeFileAtomic } from './atomic-file.js';
import { ConfigFileError, configFileError, decodeConfigBytes, encodeConfigText, type ConfigEncoding } from './load-config.js';

export type SaveResult =
  | { readonly ok: true; readonly config: Config }
  | { readonly ok: false; readonly problems: ConfigProblem[] };

interface EditableLine {
  text: string;
  eol: string;
}

/**
 * Sets the given keys (matched case-insensitively in [watcher] or the header-less
 * top; when a key appears twice, the one that is read, the last, is edited). Keys not
 * in the file are appended after the last setting of the [watcher] section, or in a
 * new [watcher] section. A value is quoted only when it would not read back exactly
 * otherwise. Throws a RangeError for a value with a line break or a key that cannot
 * be written (callers validate first; saveConfigChanges does).
 */
export function updateConfigText(text: string, changes: Readonly<Record<string, string>>): string {
  const { bom, lines } = splitConfigText(text);
  const eolStyle = lines.find((line) => line.eol !== '')?.eol ?? os.EOL;
  const edited: EditableLine[] = lines.map((line) => ({ text: line.text, eol: line.eol }));
  const appended: string[] = [];

  // One change per key: {sfm_url, SFM_URL} is the same key, the last one given wins.
  const byKey = new Map<string, string>();
  for (const [givenKey, value] of Object.entries(changes)) {
    const key = writableKey(givenKey);
    byKey.delete(key);
    byKey.set(key, value);
  }

  for (const [key, value] of byKey) {
    if (/[\r\n]/.test(value)) throw new RangeError(`Cannot write ${key}: its value contains a line break`);
    const line = lastEntryFor(lines, key);
    const target = line === undefined ? undefined : edited[line.lineNumber - 1];
    if (line !== undefined && target !== undefined) {
      target.text = replaceValue(line, key, value);
    } else {
      appended.push(renderEntry(`${key} = `, value, '', key));
    }
  }

  if (appended.length > 0) insertLines(lines, edited, appended, eolStyle);
  return bom + edited.map((line) => line.text + line.eol).join('');
}

function writableKey(givenKey: string): string {
  const spec = findKeySpec(givenKey);
  if (spec !== undefined) return spec.key;
  const key = givenKey.trim();
  if (!/^[A-Za-z0-9_.-]+$/.test(key)) throw new RangeError(`Cannot write the key "${key}": use letters, digits and _ only`);
  return key.toUpperCase();
}

function lastEntryFor(lines: readonly ConfigLine[], key: string): ConfigLine | undefined {
  return lines.findLast((line) => line.kind === 'entry' && line.inWatcher && line.key.toUpperCase() === key);
}

function replaceValue(line: ConfigLine, key: string, value: string): string {
  let prefix = line.text.slice(0, line.valueStart);
  // `KEY =` with no value yet: keep the file's "KEY = value" spacing.
  if (line.valueStart === line.valueEnd && /\s=$/.test(prefix) && value !== '') prefix += ' ';
  return renderEntry(prefix, value, line.text.slice(line.valueEnd), key, line.section);
}

/**
 * prefix + value + suffix, the value written bare, "double-quoted" or 'single-quoted',
 * whichever first reads back as exactly `value` (checked with the reader itself).
 */
function renderEntry(prefix: string, value: string, suffix: string, key: string, section: string | null = null): string {
  // A comment glued to a quoted value (`"x";c`) needs a space once the value is bare.
  const suffixes = suffix === '' || /^\s/.test(suffix) ? [suffix] : [suffix, ` ${suffix}`];
  // A value with double quotes in it reads better in single quotes.
  const quoted = value.includes('"') ? [`'${value}'`, `"${value}"`] : [`"${value}"`, `'${value}'`];
  for (const written of [value, ...quoted]) {
    for (const tail of suffixes) {
      // An emptied value leaves no doubled or trailing blank (`KEY =`, `KEY = ; note`).
      const candidate = written === '' ? prefix.trimEnd() + tail : prefix + written + tail;
      const reread = lexLine(candidate, '', 1, section);
      if (reread.kind === 'entry' && reread.key.toUpperCase() === key && reread.value === value) return candidate;
    }
  }
  throw new RangeError(`Cannot write ${key}: its value cannot be written so that it reads back exactly`);
}

function insertLines(lines: readonly ConfigLine[], edited: EditableLine[], appended: readonly string[], eolStyle: string): void {
  const after = insertionPoint(lines);
  const newLines: EditableLine[] = appended.map((text) => ({ text, eol: eolStyle }));
  if (after === undefined) {
    // No [watcher] section and no settings at the top: start the section at the end.
    const last = edited.at(-1);
    if (last !== undefined && last.eol === '') last.eol = eolStyle;
    const separator: EditableLine[] = last !== undefined && last.text.trim() !== '' ? [{ text: '', eol: eolStyle }] : [];
    edited.push(...separator, { text: `[${WATCHER_SECTION}]`, eol: eolStyle }, ...newLines);
    return;
  }
  const anchor = edited[after];
  if (anchor !== undefined && anchor.eol === '') anchor.eol = eolStyle;
  edited.splice(after + 1, 0, ...newLines);
}

/** Index of the line new settings go after, or undefined when a [watcher] section must be created. */
function insertionPoint(lines: readonly ConfigLine[]): number | undefined {
  const headerIndex = lines.findLastIndex((line) => line.kind === 'section' && line.section === WATCHER_SECTION);
  if (headerIndex >= 0) {
    const nextHeader = lines.findIndex((line, i) => i > headerIndex && line.kind === 'section');
    const end = nextHeader < 0 ? lines.length : nextHeader;
    let lastEntry = -1;
    let lastNonBlank = headerIndex;
    for (let i = headerIndex + 1; i < end; i++) {
      const line = lines[i];
      if (line?.kind === 'entry') lastEntry = i;
      if (line !== undefined && line.kind !== 'blank') lastNonBlank = i;
    }
    return lastEntry >= 0 ? lastEntry : lastNonBlank;
  }
  const firstHeader = lines.findIndex((line) => line.kind === 'section');
  const topEnd = firstHeader < 0 ? lines.length : firstHeader;
  let lastTopEntry = -1;
  for (let i = 0; i < topEnd; i++) if (lines[i]?.kind === 'entry') lastTopEntry = i;
  return lastTopEntry >= 0 ? lastTopEntry : undefined;
}

/**
 * Validates the changes and the whole resulting file, then replaces the file
 * atomically; on any problem nothing is written. A missing file starts from
 * `templateText` (config-template.ini's text) when given, else from nothing.
 */
export async function saveConfigChanges(
  configPath: string,
  changes: Readonly<Record<string, string>>,
  templateText?: string,
  /** The file's mode after the save (the tray passes 0o600 when it writes a plain token); default: kept. */
  options: { readonly mode?: number } = {},
): Promise<SaveResult> {
  const absolutePath = path.resolve(configPath);
  const current = await readCurrent(absolutePath, templateText);

  const problems: ConfigProblem[] = [];
  for (const [key, value] of Object.entries(changes)) {
    const result = validateSetting(key, value, absolutePath);
    if (!result.ok) problems.push(result.problem);
  }
  if (problems.length > 0) return { ok: false, problems };

  const text = updateConfigText(current.text, changes);
  const parsed = parseConfigText(text, absolutePath);
  if (parsed.problems.length > 0) return { ok: false, problems: parsed.problems };

  // A value outside latin1 cannot go into an old ANSI file as is; UTF-8 keeps it.
  const encoding: ConfigEncoding = current.encoding === 'latin1' && /[^\u0000-\u00ff]/.test(text) ? 'utf8' : current.encoding;
  await writeFileAtomically(absolutePath, encodeConfigText(text, encoding), options.mode ?? current.mode);
  return { ok: true, config: parsed.config };
}

async function readCurrent(
  absolutePath: string,
  templateText: string | undefined,
): Promise<{ text: string; encoding: ConfigEncoding; mode: number }> {
  try {
    const bytes = await readFile(absolutePath);
    const { mode } = await stat(absolutePath);
    return { ...decodeConfigBytes(bytes, absolutePath), mode: mode & 0o777 };
  } catch (error) {
    // Undecodable: its own message already says to save the file as UTF-8.
    if (error instanceof ConfigFileError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw configFileError(absolutePath, error);
    // A new file may hold the token: readable by its owner only.
    return { text: templateText ?? '', encoding: 'utf8', mode: 0o600 };
  }
}

async function writeFileAtomically(filePath: string, bytes: Buffer, mode: number): Promise<void> {
  try {
    await writeFileAtomic(filePath, bytes, { mode });
  } catch (error) {
    const why = (error as Error).message;
    throw new ConfigFileError('unwritable', filePath,
      `Cannot save settings to ${filePath}: ${why}. Check that the folder exists and is writable and that the file is not read-only.`,
      { cause: error });
  }
}
