// The settings page's last script: Save, Test connection, and the wiring of the other parts
// (page-dom, status-line, settings-form, token-field, backlog-dialog, unsaved-changes; see
// page-dom.ts for why they are classic scripts). It talks to the main process only through
// `window.series3`; every rule (what a value may be, what Save writes, what the server
// answered) is decided in the main process by the core, and this page shows it.

async function save(): Promise<void> {
  const saveButton = $<HTMLButtonElement>('save');
  saveButton.disabled = true;
  show($('save-result'), 'Saving…', 'busy');
  const result = await api.saveSettings({ changes: formChanges(), token: currentTokenChange(), startAtLogin: $<HTMLInputElement>('start-at-login').checked });
  switch (result.kind) {
    case 'saved': {
      fillForm(result.form);
      const what = result.changedKeys.length === 0 ? 'Nothing to change in config.ini.' : `Saved ${result.changedKeys.join(', ')}. The agent uses the new settings now.`;
      show($('save-result'), result.note ? `${what}\n${result.note}` : what, 'ok');
      break;
    }
    case 'invalid':
      showProblems(result.problems);
      show($('save-result'), 'Not saved: fix the values marked in red.', 'bad');
      break;
    case 'failed':
      show($('save-result'), `Not saved: ${result.reason}`, 'bad');
      break;
  }
  refreshButtons();
}

async function testConnection(): Promise<void> {
  const out = $('connection-result');
  const button = $<HTMLButtonElement>('test-connection');
  button.disabled = true;
  show(out, 'Asking the server…', 'busy');
  try {
    const answer = await api.testConnection(formChanges(), currentTokenChange());
    // The core's own words ("Connected: …"), the same `series3-watcher check` prints.
    if (answer.kind === 'ok') show(out, answer.detail, 'ok');
    else if (answer.kind === 'failed') show(out, answer.reason, 'bad');
    else {
      showProblems(answer.problems);
      show(out, 'Fix the values marked in red first.', 'bad');
    }
  } finally {
    button.disabled = false;
  }
}

$('settings-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void save();
});
$('test-connection').addEventListener('click', () => void testConnection());
wireBacklogDialog();
wireTokenField();
wireUnsavedChanges();
wirePages();
wireHeldBackPage();
api.onStatus(showStatusLine);
api.loadSettings().then((form) => {
  fillForm(form);
  // No server yet (a first start): the cursor waits where the first step is typed.
  if (fieldValue('SFM_URL').trim() === '') formState.inputs.get('SFM_URL')?.input.focus();
}, (err: unknown) => {
  show($('load-problems'), `The settings could not be read: ${err instanceof Error ? err.message : String(err)}`);
});
