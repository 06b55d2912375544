// The settings window's other pages as the main process computes them (pure, in Node).
import { describe, expect, it } from 'vitest';
import { pagesView } from '../../electron/main/pages-view.js';
import { localClockOrDate } from '../../src/text/local-time.js';
import { NOW_MS, heldBack, minutesAgo, statusWith } from './status-fixture.js';

describe('pages view', () => {
  it('says the agent is starting on every page before the first status', () => {
    const view = pagesView(null, NOW_MS);
    for (const page of [view.heldBack, view.units, view.activity]) expect(page).toEqual({ summary: 'Waiting for the agent…', rows: [] });
  });

  it('lists held-back events newest first, with local times and the refusals', () => {
    const older = { ...heldBack('M529LK44.AB0', 'bad header'), since: minutesAgo(60 * 30), attempts: 5 };
    const newer = { ...heldBack('M529LK45.AB0', 'row status "error"'), since: minutesAgo(10) };
    const view = pagesView(statusWith({ heldBack: [older, newer] }), NOW_MS).heldBack;
    expect(view.rows).toEqual([
      { filename: 'M529LK45.AB0', reason: 'row status "error"', since: localClockOrDate(newer.since, NOW_MS), refusals: 3, dismissed: false },
      { filename: 'M529LK44.AB0', reason: 'bad header', since: localClockOrDate(older.since, NOW_MS), refusals: 5, dismissed: false },
    ]);
    expect(view.rows[1]!.since).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d$/); // 30 h ago: another day, so the date is shown
    expect(view.summary).toMatch(/^2 held back: the server refused these events for good/);
  });

  it('says nothing is held back in words when the list is empty', () => {
    expect(pagesView(statusWith(), NOW_MS).heldBack).toEqual({ summary: 'Nothing is held back: the server has taken every event it was sent.', rows: [] });
  });
});
