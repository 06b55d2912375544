// Owns reading config.ini text: the line syntax (shared with the careful writer),
// and parseConfigText, which turns text into a Config plus problems and warnings.
//
// Line syntax, chosen for hand-edited Windows files:
// - `KEY = value`; keys are case-insensitive; whitespace (spaces, tabs) around is ignored.
// - `;` or `#` starts a comment at the start of a line, or after a value when it
//   follows whitespace (`60 ; seconds`). A `#` or `;` inside a value (`C:\Jobs\Site#4`,
//   `http://host/#x`) is part of the value.
// - Backslashes are never escapes: `C:\Blastware 10\Event\autocall home` and
//   `\\server\share\events` read back exactly as typed.
// - A value in "double" or 'single' quotes is taken literally between the quotes;
//   a comment may follow the closing quote.
// - Lines before any [section] header belong to [watcher]; other sections are not read.
// - A UTF-8 BOM (Notepad) is ignored; CRLF, LF and CR line breaks all work.
//
// The `ini` package does the section/key decoding, but its own value rules turn
// `\\server` into `\server`, keep the quotes of "C:\..." and cut `Site#4`, so each
// value is handed to it already read, JSON-quoted, which `ini` decodes exactly.

import ini from 'ini';
import type { Config, ConfigProblem } from './types.js';
import { CONFIG_KEYS, WATCHER_SECTION, defaultConfig, defaultLogFile, findKeySpec, type KeySpec } from './schema.js';
import { missingNotAfterLateProblem, missingUrlProblem, retryMaxBelowBaseProblem, validateSetting } from './validate.js';

export interface ParsedConfig {
  readonly config: Config;
  readonly problems: ConfigProblem[];
  readonly warnings: string[];
}

export type ConfigLineKind = 'blank' | 'comment' | 'section' | 'entry' | 'other';

export interface ConfigLine {
  /** The line without its line break (and without the file's BOM on line 1). */
  readonly text: string;
  /** '\r\n', '\n', '\r', or '' for a last line without a line break. */
  readonly eol: string;
  readonly lineNumber: number;
  readonly kind: ConfigLineKind;
  /** The section the line is in, lower-cased; null before any header. For a header line, its own name. */
  readonly section: string | null;
  /** True when the line is read as part of [watcher] (its section, or the header-less top). */
  readonly inWatcher: boolean;
  /** entry: the key as written, trimmed. */
  readonly key: string;
  /** entry: the value as read (quotes and comment removed). */
  readonly value: string;
  /** entry: where the value's text (quotes included) starts and ends in `text`. */
  readonly valueStart: number;
  readonly valueEnd: number;
  /** entry: the value starts with a quote that is never closed; it is read as typed. */
  readonly unclosedQuote: boolean;
}

export interface ConfigDocument {
  /** '\uFEFF' when the text started with a byte order mark, else ''. */
  readonly bom: string;
  readonly lines: readonly ConfigLine[];
}

export const UTF8_BOM = '\uFEFF';

const SECTION_HEADER = /^\s*\[([^\]]*)\]\s*(?:[;#].*)?$/s;

/** Splits text into lines, keeping each line's own line break so a writer can keep it byte for byte. */
export function splitConfigText(text: string): ConfigDocument {
  const bom = text.startsWith(UTF8_BOM) ? UTF8_BOM : '';
  const body = text.slice(bom.length);
  const lines: ConfigLine[] = [];
  let section: string | null = null;
  let start = 0;
  const lineBreak = /\r\n|\n|\r/g;
  for (;;) {
    const match = lineBreak.exec(body);
    const end = match === null ? body.length : match.index;
    const lineText = body.slice(start, end);
    const eol = match === null ? '' : match[0];
    if (match !== null || lineText !== '') {
      const line = lexLine(lineText, eol, lines.length + 1, section);
      section = line.section;
      lines.push(line);
    }
    if (match === null) break;
    start = end + eol.length;
  }
  return { bom, lines };
}

/** Reads one line; `section` is the section the previous line was in. */
export function lexLine(text: string, eol: string, lineNumber: number, section: string | null): ConfigLine {
  const base = {
    text, eol, lineNumber, section, inWatcher: isWatcherSection(section),
    key: '', value: '', valueStart: -1, valueEnd: -1, unclosedQuote: false,
  };
  const trimmed = text.trim();
  if (trimmed === '') return { ...base, kind: 'blank' };
  if (trimmed.startsWith(';') || trimmed.startsWith('#')) return { ...base, kind: 'comment' };
  if (trimmed.startsWith('[')) {
    const header = SECTION_HEADER.exec(text);
    if (header === null) return { ...base, kind: 'other' };
    const name = (header[1] ?? '').trim().toLowerCase();
    return { ...base, kind: 'section', section: name, inWatcher: isWatcherSection(name) };
  }
  const equals = text.indexOf('=');
  const key = equals < 0 ? '' : text.slice(0, equals).trim();
  if (key === '') return { ...base, kind: 'other' };
  const valueStart = skipWhitespace(text, equals + 1);
  const value = readValue(text, valueStart);
  return { ...base, kind: 'entry', key, valueStart, ...value };
}

function readValue(text: string, valueStart: number): { value: string; valueEnd: number; unclosedQuote: boolean } {
  const quote = text[valueStart];
  if (quote === '"' || quote === "'") {
    // The closing quote is the first one followed only by whitespace and perhaps a comment,
    // so a value may itself contain the quote character.
    for (let close = text.indexOf(quote, valueStart + 1); close >= 0; close = text.indexOf(quote, close + 1)) {
      if (/^\s*(?:[;#].*)?$/s.test(text.slice(close + 1))) {
        return { value: text.slice(valueStart + 1, close), valueEnd: close + 1, unclosedQuote: false };
      }
    }
  }
  let end = text.length;
  for (let i = valueStart; i < text.length; i++) {
    const c = text[i];
    if ((c === ';' || c === '#') && (i === valueStart || /\s/.test(text[i - 1] ?? ''))) {
      end = i;
      break;
    }
  }
  while (end > valueStart && /\s/.test(text[end - 1] ?? '')) end--;
  return { value: text.slice(valueStart, end), valueEnd: end, unclosedQuote: quote === '"' || quote === "'" };
}

function skipWhitespace(text: string, from: number): number {
  let i = from;
  while (i < text.length && /\s/.test(text[i] ?? '')) i++;
  return i;
}

function isWatcherSection(section: string | null): boolean {
  return section === null || section === WATCHER_SECTION;
}

/**
 * Text -> settings. A bad value falls back to its default in `config` and is listed
 * in `problems`; unknown keys, duplicates and lines that are not read are `warnings`.
 * Neither ever contains the token.
 */
export function parseConfigText(text: string, configPath: string): ParsedConfig {
  const { lines } = splitConfigText(text);
  const warnings: string[] = [];
  const where = (line: ConfigLine): string => `${configPath} line ${line.lineNumber}`;

  const watcherEntries: ConfigLine[] = [];
  const firstLineOfKey = new Map<string, number>();
  for (const line of lines) {
    if (line.kind === 'other') {
      warnings.push(`${where(line)} is not a "KEY = value" line or a [section] header; it is ignored`);
    } else if (line.kind === 'section' && !line.inWatcher) {
      warnings.push(`${where(line)}: section [${line.section}] is not read; settings belong in [${WATCHER_SECTION}]`);
    } else if (line.kind === 'entry') {
      const spec = findKeySpec(line.key);
      if (!line.inWatcher) {
        if (spec !== undefined) {
          warnings.push(`${where(line)}: ${spec.key} is in section [${line.section}] and is ignored; move it to [${WATCHER_SECTION}]`);
        }
      } else if (spec === undefined) {
        warnings.push(`${where(line)}: ${line.key} is not a setting this version knows; it is ignored (it may be left over from an older version)`);
      } else {
        const first = firstLineOfKey.get(spec.key);
        if (first === undefined) {
          firstLineOfKey.set(spec.key, line.lineNumber);
        } else {
          warnings.push(`${where(line)}: ${spec.key} is set again (first at line ${first}); the last one, line ${line.lineNumber}, is used`);
        }
        if (line.unclosedQuote) {
          warnings.push(`${where(line)}: the value of ${spec.key} starts with a quote that is never closed; it is read as typed`);
        }
        watcherEntries.push(line);
      }
    }
  }

  const rawValues = decodeWatcherValues(watcherEntries);
  const { config, problems } = settle(rawValues, configPath);
  return { config, problems, warnings };
}

/** Known keys (upper-cased) -> their raw text, last one winning, decoded by `ini`. */
function decodeWatcherValues(entries: readonly ConfigLine[]): ReadonlyMap<string, string> {
  const canonical = [`[${WATCHER_SECTION}]`];
  for (const entry of entries) {
    const spec = findKeySpec(entry.key);
    if (spec !== undefined) canonical.push(`${spec.key}=${JSON.stringify(entry.value)}`);
  }
  const decoded: unknown = ini.decode(canonical.join('\n'))[WATCHER_SECTION];
  const values = new Map<string, string>();
  if (typeof decoded === 'object' && decoded !== null) {
    for (const [key, value] of Object.entries(decoded)) {
      // `ini` turns the texts true/false/null into JSON values; the raw text is wanted.
      values.set(key, String(value));
    }
  }
  return values;
}

function settle(rawValues: ReadonlyMap<string, string>, configPath: string): { config: Config; problems: ConfigProblem[] } {
  const defaults = defaultConfig(configPath);
  const settled: Record<string, unknown> = { ...defaults };
  const problems: ConfigProblem[] = [];
  const hasProblem = new Set<string>();

  for (const spec of CONFIG_KEYS) {
    const raw = rawValues.get(spec.key);
    if (raw === undefined) continue;
    const result = validateSetting(spec.key, raw, configPath);
    if (!result.ok) {
      problems.push(result.problem);
      hasProblem.add(spec.key);
    } else if (spec.field !== null && !isEmptyMeaningDefault(spec, result.value)) {
      settled[spec.field] = result.value;
    }
  }

  // LOG_FILE's default follows STATE_DIR.
  if (!rawValuesGiveLogFile(rawValues, hasProblem)) {
    settled['logFile'] = defaultLogFile(settled['stateDir'] as string);
  }

  const config = unitHoursChecked(settled as unknown as Config, rawValues, hasProblem, problems, defaults);
  if (config.forwardEnabled && config.sfmUrl === '' && !hasProblem.has('SFM_URL')) {
    problems.push(missingUrlProblem());
  }
  if (config.retryMaxSeconds < config.retryBaseSeconds) {
    if (!hasProblem.has('SFM_RETRY_MAX_SECONDS')) {
      // When the ceiling is not in the file its default is what is too low: show that.
      const rawMax = rawValues.get('SFM_RETRY_MAX_SECONDS') ?? String(defaults.retryMaxSeconds);
      problems.push(retryMaxBelowBaseProblem(rawMax, config.retryBaseSeconds));
    }
    // Fall back to the default ceiling, but never below the first step.
    return { config: { ...config, retryMaxSeconds: Math.max(defaults.retryMaxSeconds, config.retryBaseSeconds) }, problems };
  }
  return { config, problems };
}

/** Late comes before missing: UNIT_MISSING_HOURS must be more than UNIT_LATE_HOURS (else both defaults). */
function unitHoursChecked(config: Config, rawValues: ReadonlyMap<string, string>, hasProblem: ReadonlySet<string>, problems: ConfigProblem[], defaults: Config): Config {
  if (config.unitMissingHours > config.unitLateHours) return config;
  if (!hasProblem.has('UNIT_MISSING_HOURS')) {
    // When UNIT_MISSING_HOURS is not in the file its default is what is too low: show that.
    problems.push(missingNotAfterLateProblem(rawValues.get('UNIT_MISSING_HOURS') ?? String(defaults.unitMissingHours), config.unitLateHours));
  }
  return { ...config, unitLateHours: defaults.unitLateHours, unitMissingHours: defaults.unitMissingHours };
}

function isEmptyMeaningDefault(spec: KeySpec, value: unknown): boolean {
  return (spec.key === 'STATE_DIR' || spec.key === 'LOG_FILE') && value === '';
}

function rawValuesGiveLogFile(rawValues: ReadonlyMap<string, string>, hasProblem: ReadonlySet<string>): boolean {
  const raw = rawValues.get('LOG_FILE');
  return raw !== undefined && raw.trim() !== '' && !hasProblem.has('LOG_FILE');
}
