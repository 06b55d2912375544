import { describe, expect, it } from 'vitest';
import {
  NON_EVENT_EXTENSIONS,
  binaryNameOfReport,
  isEventBinaryName,
  isReportNameOf,
  reportNameFor,
} from '../../src/pair/event-names.js';

describe('an event binary name', () => {
  it.each([
    'M529LK44.AB0',
    'S353L4H0.3M0W',
    'P036L318.C80H',
    'M529LIY6.N00',
    'm529lk44.ab0',
    'a000aaaa.000',
    'Z999ZZZZ.ZZZZ',
    'B123abCD.xY9',
  ])('is one letter, three digits, four letters-or-digits, a dot and a 3–4 character extension, any case: %s', (name) => {
    expect(isEventBinaryName(name)).toBe(true);
  });

  it.each([
    ['starts with a digit', '1529LK44.AB0'],
    ['only two digits after the letter', 'M52XLK44.AB0'],
    ['a letter among the three digits', 'M5A9LK44.AB0'],
    ['three characters in the middle part', 'M529LK4.AB0'],
    ['five characters in the middle part', 'M529LK445.AB0'],
    ['a two-character extension', 'M529LK44.AB'],
    ['a five-character extension', 'M529LK44.AB0WX'],
    ['no extension', 'M529LK44'],
    ['a trailing dot', 'M529LK44.'],
    ['two dots', 'M529LK44..AB0'],
    ['an underscore', 'M529LK_4.AB0'],
    ['a hyphen in the extension', 'M529LK44.A-0'],
    ['a space', 'M529LK44.AB0 '],
    ['a leading space', ' M529LK44.AB0'],
    ['a newline at the end', 'M529LK44.AB0\n'],
    ['a non-ASCII letter', 'M529LÄ44.AB0'],
    ['a non-ASCII digit', 'M٥29LK44.AB0'],
    ['a Kelvin sign that lower-cases to k', 'M529L\u212A44.AB0'],
    ['a full-width letter', 'Ｍ529LK44.AB0'],
    ['a name inside a longer one', 'xM529LK44.AB0'],
    ['a name followed by more', 'M529LK44.AB0.bak'],
    ['its own report name', 'M529LK44.AB0.TXT'],
    ['a folder path', 'sub/M529LK44.AB0'],
    ['empty', ''],
  ])('does not match when it has %s (%j)', (_rule, name) => {
    expect(isEventBinaryName(name)).toBe(false);
  });

  const excluded = ['mlg', 'txt', 'log', 'ini', 'dat', 'bak', 'tmp', 'pkl', 'h5', 'json'];

  it('lists exactly the excluded extensions of the spec', () => {
    expect([...NON_EVENT_EXTENSIONS].sort()).toEqual([...excluded].sort());
  });

  const excludedCases = excluded.flatMap((ext) =>
    [ext, ext.toUpperCase(), ext[0]!.toUpperCase() + ext.slice(1)].map((e) => [`M529LK44.${e}`] as const),
  );
  it.each(excludedCases)('is never an excluded extension in any case: %s', (name) => {
    expect(isEventBinaryName(name)).toBe(false);
  });

  it('excludes only whole extensions, not ones that merely contain them', () => {
    expect(isEventBinaryName('M529LK44.TXT0')).toBe(true);
    expect(isEventBinaryName('M529LK44.ALOG')).toBe(true);
    expect(isEventBinaryName('M529LK44.JSO')).toBe(true);
  });
});

describe('a report name', () => {
  it('is the binary name followed by .TXT', () => {
    expect(reportNameFor('M529LK44.AB0')).toBe('M529LK44.AB0.TXT');
    expect(reportNameFor('s353l4h0.3m0w')).toBe('s353l4h0.3m0w.TXT');
  });

  it.each([
    ['M529LK44.AB0', 'M529LK44.AB0.TXT'],
    ['M529LK44.AB0', 'm529lk44.ab0.txt'],
    ['M529LK44.AB0', 'M529lk44.Ab0.TxT'],
    ['m529lk44.ab0', 'M529LK44.AB0.TXT'],
  ])('matches case-insensitively: %s <- %s', (binary, report) => {
    expect(isReportNameOf(binary, report)).toBe(true);
  });

  it.each([
    ['another binary', 'M529LK44.AB0', 'M529LK45.AB0.TXT'],
    ['no .TXT', 'M529LK44.AB0', 'M529LK44.AB0'],
    ['another suffix', 'M529LK44.AB0', 'M529LK44.AB0.LOG'],
    ['a doubled suffix', 'M529LK44.AB0', 'M529LK44.AB0.TXT.TXT'],
    ['a Kelvin sign', 'M529LK44.AB0', 'M529L\u212A44.AB0.TXT'],
    ['the extension replaced', 'M529LK44.AB0', 'M529LK44.TXT'],
  ])('does not match %s', (_rule, binary, report) => {
    expect(isReportNameOf(binary, report)).toBe(false);
  });

  it.each([
    ['M529LK44.AB0.TXT', 'M529LK44.AB0'],
    ['m529lk44.ab0.txt', 'm529lk44.ab0'],
    ['S353L4H0.3M0W.Txt', 'S353L4H0.3M0W'],
    ['M529LK44.TXT', null],
    ['M529LK44.MLG.TXT', null],
    ['notes.txt', null],
    ['.TXT', null],
    ['M529LK44.AB0.TX', null],
    ['M529LK44.AB0.TXT.bak', null],
  ])('names the binary it belongs to: %s -> %s', (report, binary) => {
    expect(binaryNameOfReport(report)).toBe(binary);
  });
});

describe('the name rule, checked against its regular expression', () => {
  // The implementation checks character codes for speed; this is the spec's pattern written plainly.
  const PATTERN = /^[A-Za-z][0-9]{3}[A-Za-z0-9]{4}\.[A-Za-z0-9]{3,4}$/;
  const EXCLUDED = /\.(mlg|txt|log|ini|dat|bak|tmp|pkl|h5|json)$/i;

  it('agrees on 50,000 near-miss names built from letters, digits, dots and odd characters', () => {
    const alphabet = ['A', 'z', 'M', '0', '9', '5', '.', '_', ' ', 'é', '\u212A', '/', 'T', 'x', 't', 'J', 's', 'o', 'n'];
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const template = 'M529LK44.AB0W';
    let matches = 0;
    const disagreements: string[] = [];
    for (let i = 0; i < 50_000; i++) {
      // Start from a valid name and damage 0–2 positions, sometimes trimming the end.
      const chars = template.slice(0, 12 + random(2)).split('');
      for (let k = random(3); k > 0; k--) chars[random(chars.length)] = alphabet[random(alphabet.length)]!;
      if (random(10) === 0) chars.push(alphabet[random(alphabet.length)]!);
      const name = chars.join('');
      const expected = PATTERN.test(name) && !EXCLUDED.test(name);
      if (expected) matches++;
      if (isEventBinaryName(name) !== expected) disagreements.push(name);
    }
    expect(disagreements).toEqual([]);
    // The generator must produce both kinds, or this test proves nothing.
    expect(matches).toBeGreaterThan(1_000);
    expect(matches).toBeLessThan(49_000);
  });
});
