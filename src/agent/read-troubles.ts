// Files in the watch folder that could not be read, remembered across passes so the agent can tell
// the technician about the ones that matter, once, and stay quiet about the normal ones.
//
// Blastware writing a file (it changes while read), renaming it (it vanishes) or a viewer holding it
// (locked) is normal and passes within seconds: quiet, unless it lasts longer than
// `quietForMs` (10 minutes by default: "locked by another program since 14:02"). Any other failure
// (no permission, an I/O error, a file too large to read) can only be fixed by a person: shown at
// once, logged once per file, in `once`'s output, the status and the tray.
import type { FileErrorKind } from '../scan/types.js';

/** The read failures that are part of normal life in the watch folder. */
const QUIET_KINDS: ReadonlySet<FileErrorKind> = new Set<FileErrorKind>(['locked', 'changed', 'missing']);

/** How long a quiet failure of one file stays quiet. */
export const DEFAULT_QUIET_FOR_MS = 10 * 60_000;

export interface ReadTrouble {
  /** Classified once by the reader (`src/scan/read-file.ts`). */
  readonly kind: FileErrorKind;
  /** The reader's words, naming the file and what to do. */
  readonly reason: string;
  /** When this file first failed in this way, without a good read in between. */
  readonly sinceMs: number;
  /** Whether the technician has been told (the log line is written once per trouble). */
  readonly told: boolean;
}

/** Long-lived: one per agent (and one per `once`), keyed by file name. */
export interface ReadTroubles {
  /** File name -> its current trouble. */
  readonly byName: Map<string, ReadTrouble>;
  /** How long locked / changing / vanished files stay quiet. */
  readonly quietForMs: number;
}

export function createReadTroubles(quietForMs = DEFAULT_QUIET_FOR_MS): ReadTroubles {
  return { byName: new Map(), quietForMs };
}

/**
 * Notes a failed read. Returns the line to tell the technician when the trouble has just become
 * worth telling (never twice for the same trouble), or null.
 */
export function noteReadFailure(
  troubles: ReadTroubles,
  name: string,
  failure: { readonly kind: FileErrorKind; readonly reason: string },
  nowMs: number,
): string | null {
  const previous = troubles.byName.get(name);
  const sinceMs = previous !== undefined && previous.kind === failure.kind ? previous.sinceMs : nowMs;
  const told = previous !== undefined && previous.kind === failure.kind && previous.told;
  const trouble: ReadTrouble = { kind: failure.kind, reason: failure.reason, sinceMs, told };
  const tell = !told && isVisible(troubles, trouble, nowMs);
  troubles.byName.set(name, tell ? { ...trouble, told: true } : trouble);
  return tell ? describeTrouble(name, trouble) : null;
}

/** A good read: the trouble is over. Returns a line to log when the technician had been told. */
export function noteReadSuccess(troubles: ReadTroubles, name: string): string | null {
  const previous = troubles.byName.get(name);
  if (previous === undefined) return null;
  troubles.byName.delete(name);
  return previous.told ? `${name} can be read again` : null;
}

/** Forgets files that are no longer in the folder (deleted or moved away by a person). */
export function keepOnly(troubles: ReadTroubles, presentNames: ReadonlySet<string>): void {
  for (const name of troubles.byName.keys()) if (!presentNames.has(name)) troubles.byName.delete(name);
}

/** The troubles a person should see now, oldest first, each one line naming the file. */
export function visibleTroubles(troubles: ReadTroubles, nowMs: number): readonly { filename: string; reason: string }[] {
  return [...troubles.byName.entries()]
    .filter(([, trouble]) => isVisible(troubles, trouble, nowMs))
    .sort(([, a], [, b]) => a.sinceMs - b.sinceMs)
    .map(([filename, trouble]) => ({ filename, reason: describeTrouble(filename, trouble) }));
}

/** Whether a file's trouble is quiet now (it will be tried again without anyone's help). */
export function isQuietKind(kind: FileErrorKind): boolean {
  return QUIET_KINDS.has(kind);
}

function isVisible(troubles: ReadTroubles, trouble: ReadTrouble, nowMs: number): boolean {
  return !isQuietKind(trouble.kind) || nowMs - trouble.sinceMs >= troubles.quietForMs;
}

function describeTrouble(name: string, trouble: ReadTrouble): string {
  const since = localClock(trouble.sinceMs);
  switch (trouble.kind) {
    case 'locked':
      return `${name} is locked by another program since ${since}; it is tried again every pass (close the program holding it)`;
    case 'changed':
      return `${name} keeps changing since ${since}; it is sent once it has been still for the quiescence time`;
    case 'missing':
      return `${name} keeps vanishing before it can be read since ${since}`;
    default:
      return `${name} cannot be sent: ${trouble.reason}`;
  }
}

/** "14:02" in the PC's own time zone: what the technician's clock shows. */
function localClock(ms: number): string {
  const at = new Date(ms);
  return `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
}
