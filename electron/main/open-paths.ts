// Owns the one decision behind the tray's "Open log" and "Open watch folder": may this
// path be handed to the shell, and how. Electron-free; main.ts only carries out the answer.
//
// Why it matters: on Windows `shell.openPath` runs a file with its default handler, so a
// config.ini (or a compromised settings page) naming a `.bat` or `.exe` would turn a menu
// click into running it. So the watch folder is opened only when it is a folder, the log
// only when it is a regular `.log`/`.txt` file, and anything else is at most shown
// selected in its folder (`shell.showItemInFolder`), which never runs it.
import { lstat, stat } from 'node:fs/promises';
import path from 'node:path';

export type OpenDecision =
  /** shell.openPath: a folder, or a regular text log. */
  | { readonly kind: 'open'; readonly path: string }
  /** shell.showItemInFolder: the item is shown selected in Explorer, never run. */
  | { readonly kind: 'reveal'; readonly path: string }
  /** Nothing is opened; the reason names the path and what to do (for the tray log). */
  | { readonly kind: 'refuse'; readonly reason: string };

export type OpenTarget = 'log' | 'watch-folder';

/** The only files "Open log" hands to their default program. */
const TEXT_LOG_NAME = /\.(?:log|txt)$/i;

type Kind = 'directory' | 'file' | 'link' | 'other' | 'missing' | 'unreadable';

/** What is at the path, without following a last-component symlink or junction. */
async function kindOf(target: string, follow: boolean): Promise<Kind> {
  try {
    const info = follow ? await stat(target) : await lstat(target);
    if (info.isSymbolicLink()) return 'link';
    if (info.isDirectory()) return 'directory';
    return info.isFile() ? 'file' : 'other';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'unreadable';
  }
}

/**
 * A colon after the drive letter names an NTFS alternate data stream (`run.bat:x.log`)
 * or a device; such a "log" is never handed to its default program.
 */
function hasStreamName(target: string): boolean {
  return target.replace(/^[A-Za-z]:/, '').includes(':');
}

export async function decideOpen(target: string, what: OpenTarget): Promise<OpenDecision> {
  if (target === '' || !path.isAbsolute(target)) {
    return { kind: 'refuse', reason: `the ${label(what)} "${target}" is not a full path: set it in Settings` };
  }
  return what === 'watch-folder' ? decideFolder(target) : decideLog(target);
}

async function decideFolder(target: string): Promise<OpenDecision> {
  // A junction or symlink to a folder is a folder to Explorer too: follow it, then check.
  const kind = await kindOf(target, true);
  if (kind === 'directory') return { kind: 'open', path: target };
  if (kind === 'missing') {
    return { kind: 'refuse', reason: `the watch folder ${target} does not exist: check SERIES3_PATH in Settings` };
  }
  if (kind === 'unreadable') {
    return { kind: 'refuse', reason: `the watch folder ${target} cannot be read by this account: check its permissions` };
  }
  // Never opened: a file here would be run by its default program.
  return { kind: 'refuse', reason: `SERIES3_PATH ${target} is not a folder, so it is not opened: set it to the folder Blastware writes events into` };
}

async function decideLog(target: string): Promise<OpenDecision> {
  const kind = await kindOf(target, false);
  if (kind === 'file' && TEXT_LOG_NAME.test(target) && !hasStreamName(target)) return { kind: 'open', path: target };
  if (kind === 'missing') {
    // No line written yet: open the folder it will be in, when that is a folder.
    const folder = path.dirname(target);
    if ((await kindOf(folder, true)) === 'directory') return { kind: 'open', path: folder };
    return { kind: 'refuse', reason: `the log ${target} and its folder do not exist yet: they appear once the agent has run` };
  }
  if (kind === 'unreadable') return { kind: 'refuse', reason: `the log ${target} cannot be read by this account: check its permissions` };
  // A link, a folder, a device or a file that is not a text log: shown, never run.
  return { kind: 'reveal', path: target };
}

function label(what: OpenTarget): string {
  return what === 'log' ? 'log' : 'watch folder';
}
