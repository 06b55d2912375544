// Text that comes from outside (a server's answer, a file name, an error message, a config value)
// is shown to people in places that are read line by line: the log, status.json, the tray menu, a
// notification. Here it is made one line that cannot pretend to be another: line breaks and other
// control characters are written as escapes, and it is clipped to a length that fits where it goes.
// A leaf module: it imports nothing, so every room of src/ and electron/ may use it.

/**
 * C0 and C1 controls, DEL, the Unicode line and paragraph separators and BOM-like format characters
 * that change how a line reads, and lone surrogates (which some readers drop or replace).
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Escapes line breaks and other controls: the result is one line whatever the input. */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, (ch) => NAMED[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One line, at most `maxChars` characters (an ellipsis marks a cut), for text from outside. */
export function oneLine(text: string, maxChars: number): string {
  const line = escapeControls(text.trim());
  if (line.length <= maxChars) return line;
  // Never cut an escape or a surrogate pair in half.
  let cut = line.slice(0, Math.max(0, maxChars - 1));
  cut = cut.replace(/\\(u[0-9a-f]{0,3})?$/, '').replace(/[\ud800-\udbff]$/, '');
  return `${cut}…`;
}
