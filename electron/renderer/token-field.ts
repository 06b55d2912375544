// The server token: what is stored (never the token itself, which the page never gets),
// and what Save will do with it (keep, replace with what is typed, clear).
const tokenState = {
  /** What Save does with the token; a typed token is read from the field when sent. */
  change: { action: 'keep' } as TokenChange,
};

/** The token change as Save and Test connection send it, with the token as typed now. */
function currentTokenChange(): TokenChange {
  return tokenState.change.action === 'replace' ? { action: 'replace', token: $<HTMLInputElement>('token-input').value } : tokenState.change;
}

function renderTokenState(): void {
  const form = formState.form;
  if (form === null) return;
  const t = form.token;
  const action = tokenState.change.action;
  const stored = t.stored ? (t.encrypted ? 'A token is stored (encrypted for your Windows account).' : 'A token is stored (in plain text in config.ini).') : 'No token is stored: requests are sent without one.';
  const states: Record<TokenChange['action'], string> = {
    keep: stored,
    replace: 'The new token below replaces the stored one when you save.',
    clear: 'The stored token will be removed when you save.',
  };
  $('token-state').textContent = states[action];
  $('token-entry').hidden = action !== 'replace';
  $<HTMLButtonElement>('token-replace').hidden = action !== 'keep';
  $<HTMLButtonElement>('token-replace').textContent = t.stored ? 'Replace…' : 'Set a token…';
  $<HTMLButtonElement>('token-clear').hidden = action !== 'keep' || !t.stored;
  $<HTMLButtonElement>('token-undo').hidden = action === 'keep';
  $<HTMLButtonElement>('token-undo').textContent = t.stored ? 'Keep the stored token' : 'Don\u2019t set a token';
  $('token-note').textContent = t.encryptionAvailable
    ? ''
    : 'Encryption is not available on this computer: a token you enter is stored in plain text in config.ini.';
}

/** A fresh form (load, Save): the stored token is kept until the person says otherwise. */
function resetToken(): void {
  tokenState.change = { action: 'keep' };
  $<HTMLInputElement>('token-input').value = '';
  renderTokenState();
}

function wireTokenField(): void {
  // A Save refused because the stored token belongs to another server marks SFM_URL; typing
  // the token again (or clearing it) answers that, so SFM_URL is checked afresh on its own.
  const recheckServerUrl = (): void => void validateField('SFM_URL', fieldValue('SFM_URL'));
  $('token-replace').addEventListener('click', () => {
    tokenState.change = { action: 'replace', token: '' };
    renderTokenState();
    recheckServerUrl();
    $('token-input').focus();
  });
  $('token-clear').addEventListener('click', () => {
    tokenState.change = { action: 'clear' };
    renderTokenState();
    recheckServerUrl();
  });
  $('token-undo').addEventListener('click', () => {
    tokenState.change = { action: 'keep' };
    $<HTMLInputElement>('token-input').value = '';
    setFieldError('SFM_API_TOKEN', null);
    renderTokenState();
  });
  $('token-input').addEventListener('input', () => {
    tokenState.change = currentTokenChange();
    validateFieldSoon('SFM_API_TOKEN', $<HTMLInputElement>('token-input').value);
  });
}
