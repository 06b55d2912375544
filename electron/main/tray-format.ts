// How long ago something happened, as the tray's tooltip and menu say it ("2 min ago"). Its own
// module so the tooltip (tray-tooltip.ts) and the menu (tray-view.ts) share it without importing
// each other.

/** "just now", "2 min ago", "3 h ago", "5 days ago"; "never" for null. */
export function formatAgo(isoTime: string | null, nowMs: number): string {
  if (isoTime === null) return 'never';
  const thenMs = Date.parse(isoTime);
  if (Number.isNaN(thenMs)) return 'unknown';
  const seconds = Math.max(0, Math.round((nowMs - thenMs) / 1000));
  if (seconds < 60) return 'just now';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}
