// The settings window's security settings and the sender check, in one place and without
// Electron, so test/electron/security.test.ts can assert them and settings-window.ts
// can only use them. The page is a local file with no remote content: everything not
// needed is switched off, and only our own file may call the main process.
import { pathToFileURL } from 'node:url';

/** Same policy as the <meta> tag in settings.html; also sent as a header for anything served over a session. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'none'",
  "font-src 'none'",
  "object-src 'none'",
  "media-src 'none'",
  "frame-src 'none'",
  "worker-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** webPreferences for every window we open (the preload path is added by settings-window.ts). */
export const SECURE_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  experimentalFeatures: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
  spellcheck: false,
  // A middle click must not open anything either (Electronegativity's AUXCLICK check).
  disableBlinkFeatures: 'Auxclick',
} as const;

export function fileUrlOf(filePath: string): string {
  return pathToFileURL(filePath).href;
}

/**
 * True only for our settings page itself: a file: URL equal to the page's (any #hash or
 * ?query ignored). Anything else (another file, a data: or http: URL, a frame that
 * navigated away, no frame at all) is refused.
 */
export function isTrustedSenderUrl(frameUrl: string | null | undefined, pageUrl: string): boolean {
  if (typeof frameUrl !== 'string' || frameUrl === '') return false;
  let actual: URL;
  let expected: URL;
  try {
    actual = new URL(frameUrl);
    expected = new URL(pageUrl);
  } catch {
    return false;
  }
  if (actual.protocol !== 'file:' || expected.protocol !== 'file:') return false;
  return actual.host === expected.host && actual.pathname === expected.pathname;
}

/** Navigation is never allowed: the page is one file and stays one file. */
export function mayNavigate(_targetUrl: string): boolean {
  return false;
}
