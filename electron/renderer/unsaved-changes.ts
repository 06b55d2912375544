// Leaving the window: Esc, Cancel and the window's own close button (X) close it at once when
// nothing was edited, and otherwise ask first, in the page (a modal <dialog>, never
// window.confirm): "Keep editing" has the focus, Esc keeps editing too, and the focus goes
// back where it was. The X reaches the page as `beforeunload` (Electron runs it when the
// window is closed; a page that cancels it keeps the window open, silently), so the main
// process needs no channel of its own for it. What counts as an edit is what Save would
// write: the changed fields (settings-form), the token change (token-field), start at login.

/** What the page knows about leaving. */
const leaveState = {
  /** The person chose to close (nothing edited, or "Close without saving"): beforeunload lets go. */
  leaving: false,
  /** Where the focus was when the question opened; it goes back there. */
  returnFocus: null as HTMLElement | null,
};

/** The names of what is edited and not saved, as the form labels them; empty when nothing is. */
function unsavedEdits(): string[] {
  const form = formState.form;
  if (form === null) return [];
  const edits = [...formState.inputs.entries()].filter(([key]) => isFieldChanged(key)).map(([, entry]) => entry.field.label);
  if (tokenState.change.action !== 'keep') edits.push('Server access token');
  if ($<HTMLInputElement>('start-at-login').checked !== form.startAtLogin) edits.push('Start at sign-in');
  return edits;
}

function quoteList(names: readonly string[]): string {
  const quoted = names.map((n) => `“${n}”`);
  return quoted.length <= 1 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}`;
}

function closeNow(): void {
  leaveState.leaving = true;
  void api.closeWindow();
}

function askBeforeClosing(edits: readonly string[]): void {
  const dialog = $<HTMLDialogElement>('unsaved-dialog');
  $('unsaved-text').textContent = `You changed ${quoteList(edits)}. Close the window and throw ${edits.length === 1 ? 'this change' : 'these changes'} away?`;
  if (dialog.open) return;
  const focused = document.activeElement;
  leaveState.returnFocus = focused instanceof HTMLElement && focused !== document.body ? focused : null;
  dialog.returnValue = '';
  dialog.showModal();
  $('unsaved-keep').focus();
}

/** Esc and Cancel: close at once when nothing is edited, else ask. */
function requestClose(): void {
  const edits = unsavedEdits();
  if (edits.length === 0) closeNow();
  else askBeforeClosing(edits);
}

function wireUnsavedChanges(): void {
  const dialog = $<HTMLDialogElement>('unsaved-dialog');
  $('unsaved-keep').addEventListener('click', () => dialog.close('keep'));
  $('unsaved-discard').addEventListener('click', () => {
    dialog.close('discard');
    closeNow();
  });
  // However it closes (Keep editing, Esc), the focus goes back to where the person was.
  dialog.addEventListener('close', () => {
    const back = leaveState.returnFocus;
    leaveState.returnFocus = null;
    if (dialog.returnValue !== 'discard' && back !== null && back.isConnected) back.focus();
  });
  $('cancel').addEventListener('click', requestClose);
  document.addEventListener('keydown', (event) => {
    // Inside the question, Esc is the dialog's own "cancel": keep editing.
    if (event.key !== 'Escape' || event.isComposing || dialog.open) return;
    event.preventDefault();
    requestClose();
  });
  window.addEventListener('beforeunload', (event) => {
    if (leaveState.leaving) return;
    const edits = unsavedEdits();
    if (edits.length === 0) return;
    // Cancels the close (Electron: silently; a browser would also ask in its own words).
    event.preventDefault();
    event.returnValue = true;
    window.setTimeout(() => askBeforeClosing(edits), 0);
  });
}
