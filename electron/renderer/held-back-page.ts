// The Held back page's rows and their Retry and Dismiss buttons. A row shows what the main
// process computed (electron/main/held-back-page.ts: file, reason, local time, refusals, state);
// a button asks the main process, which asks the agent through the worker, and the answer's
// words are shown as they come. The list itself changes with the next status, never here.
type HeldBackRow = import('../shared/page-views.js').HeldBackRow;
type HeldBackRequest = import('../shared/settings-api.js').HeldBackRequest;

/** The file whose Retry or Dismiss is on its way: its buttons stay disabled across re-renders. */
let heldBackBusy: string | null = null;

function heldBackButton(action: HeldBackRequest, row: HeldBackRow): HTMLButtonElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = action === 'retry' ? 'Retry' : 'Dismiss';
  button.dataset['action'] = action;
  button.dataset['file'] = row.filename;
  // The accessible name says which event: a screen reader hears "Retry M529LK44.AB0", not ten bare "Retry"s.
  button.setAttribute('aria-label', `${button.textContent} ${row.filename}`);
  button.disabled = heldBackBusy === row.filename;
  return button;
}

/** One row: file, reason, since, refusals, state, then Retry (always) and Dismiss (until dismissed). */
function heldBackRow(row: HeldBackRow): HTMLTableRowElement {
  const tr = tableRow([row.filename, row.reason, row.since, String(row.refusals), row.state]);
  tr.classList.toggle('dismissed', row.dismissed);
  const actions = document.createElement('td');
  actions.className = 'row-actions';
  actions.append(heldBackButton('retry', row));
  if (!row.dismissed) actions.append(heldBackButton('dismiss', row));
  tr.append(actions);
  return tr;
}

async function actOnHeldBack(action: HeldBackRequest, filename: string): Promise<void> {
  const out = $('held-back-result');
  heldBackBusy = filename;
  for (const b of $('held-back-rows').querySelectorAll<HTMLButtonElement>('button')) if (b.dataset['file'] === filename) b.disabled = true;
  show(out, action === 'retry' ? `Releasing ${filename}…` : `Dismissing ${filename}…`, 'busy');
  try {
    const answer = action === 'retry' ? await api.retryHeldBack(filename) : await api.dismissHeldBack(filename);
    if (answer.kind === 'done') show(out, answer.message, 'ok');
    else show(out, answer.reason, 'bad');
  } catch (err) {
    show(out, `Could not ${action} ${filename}: ${err instanceof Error ? err.message : String(err)}`, 'bad');
  } finally {
    heldBackBusy = null;
    for (const b of $('held-back-rows').querySelectorAll<HTMLButtonElement>('button')) if (b.dataset['file'] === filename) b.disabled = false;
  }
}

function wireHeldBackPage(): void {
  $('held-back-rows').addEventListener('click', (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-action]');
    const action = button?.dataset['action'];
    const file = button?.dataset['file'];
    if (button && !button.disabled && file !== undefined && (action === 'retry' || action === 'dismiss')) void actOnHeldBack(action, file);
  });
}
