// The recent deliveries in words, for `series3-watcher recent` and the settings window's Activity
// page: one wording of "with report / without / late report" that both show.
import type { RecentDelivery } from './status-types.js';

/** What went with the event, in a few words. */
export function reportWords(row: Pick<RecentDelivery, 'withReport' | 'lateReport'>): string {
  if (row.lateReport) return 'late report (the binary went alone first)';
  return row.withReport ? 'with report' : 'without report';
}
