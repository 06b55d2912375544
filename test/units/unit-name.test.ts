// Item 3: which files are monitor logs and which unit a log names (BE or BA and 4–5 digits in
// its first 2 KB, not inside a longer word or number).
import { describe, expect, it } from 'vitest';
import { MONITOR_LOG_HEAD_BYTES, isMonitorLogName, unitNameIn } from '../../src/units/index.js';

const head = (text: string): Buffer => Buffer.from(text, 'latin1');

describe('item 3: monitor logs are the .MLG files', () => {
  it.each([
    ['M529LK44.MLG', true],
    ['m529lk44.mlg', true],
    ['S353L4H0.Mlg', true],
    ['.MLG', false],
    ['M529LK44.MLG.TXT', false],
    ['M529LK44.AB0', false],
    ['M529LK44.MLGX', false],
    ['M529LK44_MLG', false],
  ])('%s: %s', (name, expected) => {
    expect(isMonitorLogName(name)).toBe(expected);
  });
});

describe('item 3: the unit named in a monitor log', () => {
  it.each([
    ['BE12345 alone', 'BE12345', 'BE12345'],
    ['BA1234 (4 digits)', '\0Serial\0BA1234\0', 'BA1234'],
    ['after punctuation and before a space', 'unit:BE9529 called', 'BE9529'],
    ['inside a longer word', 'XBE12345', null],
    ['inside a longer number', 'BE123456', null],
    ['followed by a letter', 'BE12345A', null],
    ['preceded by a digit', '7BE12345', null],
    ['3 digits are not a serial', 'BE123', null],
    ['other prefixes are not units', 'BC12345 BX1234', null],
    ['lower case is not how Blastware writes it', 'be12345', null],
    ['the first whole name wins', 'XBE11111 BA22222 BE33333', 'BA22222'],
  ])('%s', (_what, text, expected) => {
    expect(unitNameIn(head(text))).toBe(expected);
  });

  it('looks only at the first 2 KB', () => {
    const filler = '\0'.repeat(MONITOR_LOG_HEAD_BYTES - 7);
    expect(unitNameIn(head(`${filler}BE12345`))).toBe('BE12345'); // ends at byte 2048
    expect(unitNameIn(head(`${filler}.BE12345`))).toBeNull(); // ends at byte 2049
  });

  it('does not take a name cut at the 2 KB boundary for a shorter one', () => {
    const filler = '\0'.repeat(MONITOR_LOG_HEAD_BYTES - 6);
    // "BE1234" fits in the 2 KB, but the next byte shows the name is BE12345, which does not.
    expect(unitNameIn(head(`${filler}BE12345`))).toBeNull();
    expect(unitNameIn(head(`${filler}BE1234\0`))).toBe('BE1234');
  });
});
