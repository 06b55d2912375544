// Text from outside becomes one safe, bounded line (issue 8, item 4).
import { describe, expect, it } from 'vitest';
import { escapeControls, oneLine } from '../../src/text/one-line.js';

describe('item 4: text from outside is one line', () => {
  it.each([
    ['a line feed', 'rejected\n2026-01-01T00:00:00Z INFO delivered FORGED.EVT', 'rejected\\n2026-01-01T00:00:00Z INFO delivered FORGED.EVT'],
    ['a carriage return', 'a\rb', 'a\\rb'],
    ['a tab', 'a\tb', 'a\\tb'],
    ['NUL and ESC', 'a\u0000b\u001b[31m', 'a\\u0000b\\u001b[31m'],
    ['DEL and a C1 control (NEL)', 'a\u007fb\u0085c', 'a\\u007fb\\u0085c'],
    ['the Unicode line and paragraph separators', 'a\u2028b\u2029c', 'a\\u2028b\\u2029c'],
    ['bidi overrides', 'a\u202eb', 'a\\u202eb'],
    ['a lone surrogate', 'a\ud800b', 'a\\ud800b'],
    ['a surrogate pair (kept)', 'a😀b', 'a😀b'],
    ['plain text and accents (kept)', 'Événements ACH é', 'Événements ACH é'],
  ])('%s', (_what, input, expected) => {
    expect(escapeControls(input)).toBe(expected);
    expect(escapeControls(input)).not.toMatch(/[\n\r\u2028\u2029]/);
  });

  it('clips to the length asked, with an ellipsis, never inside an escape or a surrogate pair', () => {
    expect(oneLine('x'.repeat(20_000), 200)).toHaveLength(200);
    expect(oneLine('x'.repeat(20_000), 200).endsWith('…')).toBe(true);
    const cutInEscape = oneLine(`${'x'.repeat(198)}\n\ny`, 200);
    expect(cutInEscape).toBe(`${'x'.repeat(198)}…`);
    const cutInPair = oneLine(`${'x'.repeat(198)}😀😀`, 200);
    expect(cutInPair).toBe(`${'x'.repeat(198)}…`);
    expect(oneLine('short', 200)).toBe('short');
  });
});
