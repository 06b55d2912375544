// Times as a person at the PC reads them: the machine's own time zone, 24-hour clock,
// year-month-day (no locale guessing, so the CLI, the tray, the settings window and the tests
// agree). The log and status.json keep ISO UTC for machines; anything a person reads goes
// through here. A time that cannot be read is shown as "unknown", never as "Invalid Date".

const pad = (n: number, width = 2): string => String(Math.trunc(Math.abs(n))).padStart(width, '0');

function toMs(when: string | number | Date): number {
  return typeof when === 'number' ? when : typeof when === 'string' ? Date.parse(when) : when.getTime();
}

/** "2026-11-23 14:05" (with seconds: "2026-11-23 14:05:02"), local time. */
export function localDateTime(when: string | number | Date, withSeconds = false): string {
  const ms = toMs(when);
  if (!Number.isFinite(ms)) return 'unknown';
  const d = new Date(ms);
  const day = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const clock = `${pad(d.getHours())}:${pad(d.getMinutes())}${withSeconds ? `:${pad(d.getSeconds())}` : ''}`;
  return `${day} ${clock}`;
}

/** "14:05" for a time on the same local day as nowMs, else "2026-11-22 14:05" (seconds on request). */
export function localClockOrDate(when: string | number | Date, nowMs: number, withSeconds = false): string {
  const ms = toMs(when);
  if (!Number.isFinite(ms)) return 'unknown';
  const full = localDateTime(ms, withSeconds);
  return full.slice(0, 10) === localDateTime(nowMs).slice(0, 10) ? full.slice(11) : full;
}

/** "+01:00" / "-05:00" / "+00:00": the local offset from UTC at that time. */
export function utcOffset(when: string | number | Date): string {
  const ms = toMs(when);
  const minutes = -new Date(Number.isFinite(ms) ? ms : 0).getTimezoneOffset();
  return `${minutes < 0 ? '-' : '+'}${pad(minutes / 60)}:${pad(minutes % 60)}`;
}

/** "2026-11-23 14:05:02 +01:00": local time that still says which instant it is (for logs). */
export function localTimeWithOffset(when: string | number | Date): string {
  const ms = toMs(when);
  return Number.isFinite(ms) ? `${localDateTime(ms, true)} ${utcOffset(ms)}` : 'unknown';
}
