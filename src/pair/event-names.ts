// Which file names are Series 3 event binaries, and what their reports are called (SPEC §1).
// Pure string rules: no file system, no clock.

/**
 * Extensions that fit the pattern but are never events: Blastware's monitor logs (.mlg, read by the
 * unit-status side), reports and other companions. `.h5` cannot fit the pattern (two characters);
 * it is listed so the rule reads like the spec.
 */
export const NON_EVENT_EXTENSIONS: ReadonlySet<string> = new Set([
  'mlg', 'txt', 'log', 'ini', 'dat', 'bak', 'tmp', 'pkl', 'h5', 'json',
]);

/** The suffix Blastware appends to a binary's name for its report (matched case-insensitively). */
export const REPORT_SUFFIX = '.TXT';

/**
 * One letter, three digits, four letters-or-digits, a dot, and a 3–4 character extension of
 * letters-or-digits, any case, ASCII only (`/^[A-Za-z][0-9]{3}[A-Za-z0-9]{4}\.[A-Za-z0-9]{3,4}$/`),
 * and not one of NON_EVENT_EXTENSIONS. Checked by character codes rather than the regex because it
 * runs on every name in folders of tens of thousands of files on every pass.
 */
export function isEventBinaryName(name: string): boolean {
  const length = name.length;
  if (length !== 12 && length !== 13) return false;
  if (!isAsciiLetter(name.charCodeAt(0))) return false;
  for (let i = 1; i <= 3; i++) if (!isAsciiDigit(name.charCodeAt(i))) return false;
  for (let i = 4; i <= 7; i++) if (!isAsciiLetterOrDigit(name.charCodeAt(i))) return false;
  if (name.charCodeAt(8) !== DOT) return false;
  for (let i = 9; i < length; i++) if (!isAsciiLetterOrDigit(name.charCodeAt(i))) return false;
  return !NON_EVENT_EXTENSIONS.has(name.slice(9).toLowerCase());
}

const DOT = 0x2e;
const isAsciiDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isAsciiLetter = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isAsciiLetterOrDigit = (c: number): boolean => isAsciiDigit(c) || isAsciiLetter(c);

/** The canonical report name, `<binary name>.TXT`; on disk it may be in any case. */
export function reportNameFor(binaryName: string): string {
  return binaryName + REPORT_SUFFIX;
}

// Non-unicode `i` flag: only ASCII letters fold onto ASCII letters.
const REPORT_SUFFIX_ANY_CASE = /\.txt$/i;
const ASCII_ONLY = /^[\x00-\x7f]*$/;

/**
 * True when `candidate` is the report of `binaryName`, ignoring ASCII case (`m529lk44.ab0.txt` is the
 * report of `M529LK44.AB0`). Non-ASCII names never match: `toLowerCase` folds e.g. the Kelvin sign
 * to `k`, which would pair a stray file with a real event.
 */
export function isReportNameOf(binaryName: string, candidate: string): boolean {
  return ASCII_ONLY.test(candidate) && candidate.toLowerCase() === reportNameFor(binaryName).toLowerCase();
}

/** The binary name a report belongs to, as spelled in the report's name (`x.txt` -> `x`), or null. */
export function binaryNameOfReport(name: string): string | null {
  if (!REPORT_SUFFIX_ANY_CASE.test(name)) return null;
  const binaryName = name.slice(0, -REPORT_SUFFIX.length);
  return isEventBinaryName(binaryName) ? binaryName : null;
}
