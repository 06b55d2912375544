// What the settings window's pages other than Settings show (types only): each is computed
// in the main process from the agent status (electron/main/pages-view.ts, one function per
// page in its own file) and pushed to the page, which only renders it. Every time in here is
// already written for a person (local time, src/text/local-time.ts).

/** One page's content: a sentence that sums it up, and its rows (newest or most urgent first). */
export interface PageView<Row> {
  readonly summary: string;
  readonly rows: readonly Row[];
}

/** An event the server refused for good (src/agent/held-back.ts). */
export interface HeldBackRow {
  readonly filename: string;
  readonly reason: string;
  /** When it was held back, local time. */
  readonly since: string;
  /** How many times the server refused it. */
  readonly refusals: number;
  /** A person acknowledged it: it stays out of the queue and no longer makes the state failing. */
  readonly dismissed: boolean;
  /** "Waiting for you" or "Dismissed", as the page shows it. */
  readonly state: string;
}

/** A seismograph seen calling in through its .MLG monitor logs. */
export interface UnitRow {
  readonly unit: string;
  /** Local time of its newest .MLG. */
  readonly lastCallIn: string;
  /** "3 h ago". */
  readonly ago: string;
  readonly state: 'ok' | 'late' | 'missing';
  readonly file: string;
}

/** One event the server confirmed (its latest delivery). */
export interface ActivityRow {
  /** Local time of the delivery. */
  readonly at: string;
  readonly filename: string;
  /** "with report", "without report", "late report (the binary went alone first)" (src/agent/recent-view.ts). */
  readonly report: string;
}

export interface PagesView {
  readonly heldBack: PageView<HeldBackRow>;
  readonly units: PageView<UnitRow>;
  readonly activity: PageView<ActivityRow>;
}

/** The window's pages, in the order of its navigation. */
export type PageName = 'settings' | 'held-back' | 'units' | 'activity';
