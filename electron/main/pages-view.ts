// The content of the settings window's pages other than Settings, computed in the main
// process for every agent status and pushed to the page (settings-window.ts), which only
// renders it. One pure function per page, each in its own file. No Electron here.
import type { AgentStatus } from '../../src/agent/status-types.js';
import type { PagesView } from '../shared/page-views.js';
import { activityPage } from './activity-page.js';
import { heldBackPage } from './held-back-page.js';
import { unitsPage } from './units-page.js';

export function pagesView(status: AgentStatus | null, nowMs: number): PagesView {
  return { heldBack: heldBackPage(status, nowMs), units: unitsPage(status, nowMs), activity: activityPage(status, nowMs) };
}
