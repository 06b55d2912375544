// Which files are monitor logs, and which unit a monitor log names. Pure.
//
// Blastware writes a unit's monitor log as an 8.3 name with the .MLG extension (M529LK44.MLG),
// the same shape as its events; the unit's serial number (BE or BA and 4–5 digits, e.g. BE12345)
// is written near the start of the file. As the series3-emitter did, only the first 2 KB are
// looked at, and only a whole name counts: "XBE12345" or "BE123456" is part of something else.

/** How much of a monitor log is looked at for the unit's name. */
export const MONITOR_LOG_HEAD_BYTES = 2048;

/** A .MLG file, in any case. */
export function isMonitorLogName(name: string): boolean {
  const n = name.length;
  // Checked by hand: this runs on every name of every pass, events included.
  return (
    n > 4 &&
    name.charCodeAt(n - 4) === 46 /* . */ &&
    (name.charCodeAt(n - 3) | 32) === 109 /* m */ &&
    (name.charCodeAt(n - 2) | 32) === 108 /* l */ &&
    (name.charCodeAt(n - 1) | 32) === 103 /* g */
  );
}

// Letters and digits on either side make it part of a longer word or number.
const UNIT_NAME = /(?<![A-Za-z0-9])B[EA][0-9]{4,5}(?![A-Za-z0-9])/g;

/**
 * The first unit name wholly inside the first MONITOR_LOG_HEAD_BYTES of `head`, or null.
 * `head` may hold one byte more than that, so a name cut at the 2 KB boundary ("BE1234|5") is
 * seen to go on and is not taken for a shorter one.
 */
export function unitNameIn(head: Uint8Array): string | null {
  const text = Buffer.from(head.buffer, head.byteOffset, Math.min(head.length, MONITOR_LOG_HEAD_BYTES + 1)).toString('latin1');
  UNIT_NAME.lastIndex = 0;
  for (let m = UNIT_NAME.exec(text); m !== null; m = UNIT_NAME.exec(text)) {
    if (m.index + m[0].length <= MONITOR_LOG_HEAD_BYTES) return m[0];
  }
  return null;
}
