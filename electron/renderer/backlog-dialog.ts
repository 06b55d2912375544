// Skip existing backlog: count what would be marked (in the saved watch folder), ask,
// then mark. The counting and marking are the worker's; this asks and shows.

/** Keys whose unsaved edits make the backlog counts misleading (they are for the saved folder). */
const SEED_KEYS = ['SERIES3_PATH', 'MAX_EVENT_AGE_DAYS'];

function describeCounts(c: SeedCounts): string {
  const parts = [`${formatCount(c.scanned)} events in the folder`, `${formatCount(c.alreadyKnown)} already delivered`, `${formatCount(c.tooOld)} too old (left alone)`];
  if (c.unreadable) parts.push(`${formatCount(c.unreadable)} could not be read now`);
  return parts.join(' · ');
}

async function previewSeed(): Promise<void> {
  const out = $('seed-result');
  $('seed-confirm').hidden = true;
  if (SEED_KEYS.some(isFieldChanged)) {
    show(out, 'Save your changes first: the backlog is counted in the saved watch folder.', 'bad');
    return;
  }
  show(out, 'Counting the events in the watch folder…', 'busy');
  const answer = await api.previewSeed();
  if (answer.kind === 'failed') {
    show(out, answer.reason, 'bad');
    return;
  }
  show(out, null);
  const c = answer.counts;
  if (c.wouldSeed === 0) {
    show(out, `Nothing to skip: ${describeCounts(c)}.`, 'ok');
    return;
  }
  $('seed-counts').textContent = `Mark ${formatCount(c.wouldSeed)} events as delivered without sending them? (${describeCounts(c)})`;
  $('seed-confirm').hidden = false;
  $<HTMLButtonElement>('seed-cancel').focus();
}

async function runSeed(): Promise<void> {
  $('seed-confirm').hidden = true;
  const out = $('seed-result');
  show(out, 'Marking events as delivered…', 'busy');
  const answer = await api.seedBacklog();
  if (answer.kind === 'failed') show(out, answer.reason, 'bad');
  else show(out, `Marked ${formatCount(answer.counts.seeded)} events as delivered (${describeCounts(answer.counts)}).`, 'ok');
}

function wireBacklogDialog(): void {
  $('seed-preview').addEventListener('click', () => void previewSeed());
  $('seed-run').addEventListener('click', () => void runSeed());
  $('seed-cancel').addEventListener('click', () => {
    $('seed-confirm').hidden = true;
    show($('seed-result'), 'Nothing was marked.', 'ok');
  });
}
