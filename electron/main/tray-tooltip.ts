// The tray's tooltip and its About line, pure functions of the agent status (tray-view.ts puts
// them in the view). The tooltip always starts with the app's name, then says what matters now:
// while forwarding is off and events wait, that nothing is sent and how many wait; while a
// backlog drains, how far along it is ("19,500 waiting · about 39 min left · next batch 14:05
// (500 per minute)", words from src/agent/backlog.ts). Windows cuts a tooltip at 127 characters,
// so the least important parts are left out first, never cut in the middle.
import type { AgentStatus } from '../../src/agent/status-types.js';
import { backlogWords } from '../../src/agent/backlog.js';
import { failingHeadline, formatCount, type GlanceState } from '../../src/agent/status-view.js';
import { APP_VERSION, PRODUCT_NAME } from '../../src/text/version.js';
import { formatAgo } from './tray-format.js';

/** Windows cuts tray tooltips at 127 characters; we cut first, with an ellipsis. */
export const TOOLTIP_MAX_CHARS = 127;

/** "About Series3 Watcher 0.1.0": the menu's line that makes the name and version findable. */
export function aboutLine(version: string = APP_VERSION): string {
  return `About ${PRODUCT_NAME} ${version}`;
}

/** What the tooltip says while forwarding is off: with events waiting, that they are not sent. */
export function forwardingOffWords(waiting: number): string {
  return waiting > 0 ? `Forwarding off: ${formatCount(waiting)} waiting, nothing is sent` : 'Forwarding off · none waiting';
}

function headline(state: GlanceState, status: AgentStatus): string {
  switch (state) {
    case 'off':
      return forwardingOffWords(status.waiting);
    case 'paused':
      return 'Paused';
    case 'failing':
      return failingHeadline(status);
    case 'ok':
    case 'busy':
      return 'Forwarding';
  }
}

/** The parts in the order shown, each with how willingly it is left out (higher: first to go). */
function parts(state: GlanceState, status: AgentStatus, nowMs: number): { readonly text: string; readonly dropOrder: number }[] {
  const shown: { text: string; dropOrder: number }[] = [{ text: PRODUCT_NAME, dropOrder: 0 }, { text: headline(state, status), dropOrder: 0 }];
  if (state === 'off') return shown;
  shown.push({ text: `${formatCount(status.deliveredToday)} sent today`, dropOrder: 1 });
  if (status.waiting === 0) shown.push({ text: state === 'ok' ? 'all delivered' : 'none waiting', dropOrder: 0 });
  else if (state === 'busy') shown.push({ text: backlogWords(status.backlog, nowMs), dropOrder: 0 });
  else shown.push({ text: `${formatCount(status.waiting)} waiting`, dropOrder: 0 });
  shown.push({ text: `last OK ${formatAgo(status.lastSuccessAt, nowMs)}`, dropOrder: 2 });
  return shown;
}

function shorten(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

/** "Series3 Watcher · Forwarding · 1,204 sent today · 37 waiting · … · last OK 2 min ago". */
export function tooltipFor(state: GlanceState, status: AgentStatus | null, nowMs: number): string {
  if (status === null) return `${PRODUCT_NAME} · starting…`;
  let shown = parts(state, status, nowMs);
  const join = (): string => shown.map((p) => p.text).join(' · ');
  for (let order = 2; order > 0 && join().length > TOOLTIP_MAX_CHARS; order--) shown = shown.filter((p) => p.dropOrder !== order);
  return shorten(join(), TOOLTIP_MAX_CHARS);
}
