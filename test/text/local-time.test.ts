import { describe, expect, it } from 'vitest';
import { localClockOrDate, localDateTime, localTimeWithOffset, utcOffset } from '../../src/text/local-time.js';

// The tests build their instants from local fields, so they hold in any time zone the machine has.
const local = (y: number, mo: number, d: number, h: number, mi: number, s = 0): number => new Date(y, mo - 1, d, h, mi, s).getTime();

describe('local time for people', () => {
  it('writes year-month-day and a 24-hour clock in the local zone', () => {
    expect(localDateTime(local(2026, 11, 3, 9, 5, 7))).toBe('2026-11-03 09:05');
    expect(localDateTime(local(2026, 11, 3, 21, 5, 7), true)).toBe('2026-11-03 21:05:07');
    expect(localDateTime(new Date(local(2026, 1, 31, 0, 0)).toISOString())).toBe('2026-01-31 00:00');
  });

  it('shows only the clock for today and the date for other days', () => {
    const now = local(2026, 11, 23, 15, 0);
    expect(localClockOrDate(local(2026, 11, 23, 14, 5), now)).toBe('14:05');
    expect(localClockOrDate(local(2026, 11, 22, 14, 5), now)).toBe('2026-11-22 14:05');
    expect(localClockOrDate(local(2026, 11, 23, 14, 5, 9), now, true)).toBe('14:05:09');
    expect(localClockOrDate(local(2026, 11, 22, 14, 5, 9), now, true)).toBe('2026-11-22 14:05:09');
  });

  it('names an unreadable time instead of printing Invalid Date', () => {
    expect(localDateTime('not a time')).toBe('unknown');
    expect(localClockOrDate('', 0)).toBe('unknown');
    expect(localTimeWithOffset(Number.NaN)).toBe('unknown');
  });

  it('keeps the instant with its offset for the log', () => {
    const at = local(2026, 7, 1, 12, 30, 1);
    const offset = utcOffset(at);
    expect(offset).toMatch(/^[+-]\d\d:\d\d$/);
    expect(localTimeWithOffset(at)).toBe(`2026-07-01 12:30:01 ${offset}`);
    const minutes = -new Date(at).getTimezoneOffset();
    expect(offset).toBe(`${minutes < 0 ? '-' : '+'}${String(Math.trunc(Math.abs(minutes) / 60)).padStart(2, '0')}:${String(Math.abs(minutes) % 60).padStart(2, '0')}`);
  });
});
