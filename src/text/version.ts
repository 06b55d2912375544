// The one source of the app's version: package.json's "version", read once when this module
// loads. The file is found by walking up from this module's folder to the package.json named
// series3-watcher, so it is the same file from src/text/ (tests), from dist/src/text/ (the built CLI) and
// inside the packaged app's app.asar (electron-builder's `files` keeps package.json). Every
// place that shows or sends the version (`--version`, the log's start line, the status, the
// tray, the settings window, the User-Agent) imports it from here.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_NAME = 'series3-watcher';

/** The version in the package.json of `name` at or above `startDir`, or null when there is none. */
export function findPackageVersion(startDir: string, name: string = PACKAGE_NAME): string | null {
  for (let dir = startDir; ; dir = path.dirname(dir)) {
    const version = versionIn(path.join(dir, 'package.json'), name);
    if (version !== null) return version;
    if (path.dirname(dir) === dir) return null;
  }
}

function versionIn(file: string, name: string): string | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
    return parsed.name === name && typeof parsed.version === 'string' && parsed.version !== '' ? parsed.version : null;
  } catch {
    return null; // no package.json here (or not ours): look further up
  }
}

/** "0.1.0"; "unknown" only if the app was copied without its package.json. */
export const APP_VERSION: string = findPackageVersion(path.dirname(fileURLToPath(import.meta.url))) ?? 'unknown';

/** Sent with every request, so the server's operator can tell which agent (and version) called. */
export const USER_AGENT = `${PACKAGE_NAME}/${APP_VERSION}`;

/** The product's name as people read it (the tray, the window, notifications, the installer). */
export const PRODUCT_NAME = 'Series3 Watcher';
