// The settings page. It talks to the main process only through `window.series3` (the
// preload's one object); every rule (what a value may be, what Save writes, what the
// server answered) is decided in the main process by the core, and this page shows it.
// A classic script, not a module: it has no imports at run time, only type references.
type Api = import('../shared/settings-api.js').SettingsApi;
type SettingsForm = import('../shared/settings-api.js').SettingsForm;
type SettingField = import('../shared/settings-api.js').SettingField;
type TokenChange = import('../shared/settings-api.js').TokenChange;
type FieldProblem = import('../shared/settings-api.js').FieldProblem;
type SeedCounts = import('../../src/agent/types.js').SeedCounts;
type Status = import('../../src/agent/status-types.js').AgentStatus;

interface Window {
  readonly series3: Api;
}

(() => {
  const api = window.series3;

  const GROUPS: ReadonlyArray<{ readonly id: string; readonly title: string; readonly collapsed: boolean }> = [
    { id: 'server', title: 'Server', collapsed: false },
    { id: 'watch', title: 'Watch folder', collapsed: false },
    { id: 'pacing', title: 'Pacing', collapsed: false },
    { id: 'state', title: 'Record and log', collapsed: true },
    { id: 'advanced', title: 'Advanced', collapsed: true },
  ];

  const LABELS: Readonly<Record<string, string>> = {
    SERIES3_PATH: 'Watch folder',
    SCAN_INTERVAL_SECONDS: 'Full pass every (seconds)',
    MAX_EVENT_AGE_DAYS: 'Ignore events older than (days)',
    SFM_QUIESCENCE_SECONDS: 'Wait until a file is unchanged for (seconds)',
    SFM_MISSING_REPORT_GRACE_SECONDS: 'Send without its report after (seconds)',
    SFM_FORWARD_ENABLED: 'Forward events to the server',
    SFM_URL: 'Server address',
    SFM_CA_FILE: 'Extra CA certificate file',
    SFM_PROXY: 'Proxy',
    SFM_HTTP_TIMEOUT_SECONDS: 'Upload time-out (seconds)',
    SFM_MAX_FORWARDS_PER_PASS: 'Events per pass at most',
    SFM_CONCURRENCY: 'Uploads at the same time',
    STATE_DIR: 'Record folder',
    LEGACY_STATE_FILE: 'Older record to import',
    LOG_FILE: 'Log file',
    LOG_MAX_KB: 'Rotate the log past (KB)',
    SFM_RETRY_BASE_SECONDS: 'First retry wait (seconds)',
    SFM_RETRY_MAX_SECONDS: 'Longest retry wait (seconds)',
    SFM_HOLD_BACK_AFTER: 'Hold an event back after (rejections)',
  };

  /** Keys whose unsaved edits make the backlog counts misleading (they are for the saved folder). */
  const SEED_KEYS = ['SERIES3_PATH', 'MAX_EVENT_AGE_DAYS'];
  const TRUE_WORDS = ['true', 'yes', 'on', '1'];

  const $ = <T extends HTMLElement>(id: string): T => {
    const el = document.getElementById(id);
    if (el === null) throw new Error(`settings.html has no #${id}`);
    return el as T;
  };

  let form: SettingsForm | null = null;
  let token: TokenChange = { action: 'keep' };
  const inputs = new Map<string, { field: SettingField; input: HTMLInputElement; message: HTMLElement; label: HTMLElement }>();
  const errors = new Map<string, string>();
  const timers = new Map<string, number>();
  /** Bumped when Save or Test reports a problem for a key, so a check sent before it cannot clear it. */
  const problemEpochs = new Map<string, number>();

  function show(el: HTMLElement, text: string | null, tone?: 'ok' | 'bad' | 'busy'): void {
    el.hidden = text === null;
    el.textContent = text ?? '';
    el.classList.remove('ok', 'bad', 'busy');
    if (tone) el.classList.add(tone);
  }

  function valueOf(key: string): string {
    const entry = inputs.get(key);
    if (!entry) return '';
    return entry.input.type === 'checkbox' ? (entry.input.checked ? 'true' : 'false') : entry.input.value;
  }

  function isChanged(key: string): boolean {
    const entry = inputs.get(key);
    if (!entry) return false;
    if (entry.input.type === 'checkbox') {
      return entry.input.checked !== TRUE_WORDS.includes(entry.field.value.trim().toLowerCase());
    }
    return entry.input.value !== entry.field.value;
  }

  /** Only what the person edited: Save writes nothing else. */
  function changes(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const key of inputs.keys()) if (isChanged(key)) out[key] = valueOf(key);
    return out;
  }

  function refreshButtons(): void {
    $<HTMLButtonElement>('save').disabled = errors.size > 0 || form === null;
    for (const [key, entry] of inputs) entry.label.classList.toggle('changed', isChanged(key));
  }

  function setError(key: string, message: string | null): void {
    const entry = inputs.get(key);
    if (key === 'SFM_API_TOKEN') {
      show($('token-message'), message);
      $<HTMLInputElement>('token-input').setAttribute('aria-invalid', String(message !== null));
    } else if (entry) {
      show(entry.message, message);
      entry.input.setAttribute('aria-invalid', String(message !== null));
    }
    if (message === null) errors.delete(key);
    else errors.set(key, message);
    refreshButtons();
  }

  function showProblems(problems: readonly FieldProblem[]): void {
    for (const p of problems) {
      // A check still waiting to run, or on its way, was about the value before this answer.
      window.clearTimeout(timers.get(p.key));
      problemEpochs.set(p.key, (problemEpochs.get(p.key) ?? 0) + 1);
      setError(p.key, p.message);
    }
    const first = problems[0];
    if (first) (inputs.get(first.key)?.input ?? $('token-input')).focus();
  }

  async function validate(key: string, raw: string): Promise<void> {
    const epoch = problemEpochs.get(key) ?? 0;
    const message = await api.validateSetting(key, raw);
    if (epoch === (problemEpochs.get(key) ?? 0)) setError(key, message);
  }

  function validateSoon(key: string, raw: string): void {
    window.clearTimeout(timers.get(key));
    timers.set(key, window.setTimeout(() => void validate(key, raw), 250));
  }

  function buildField(field: SettingField): HTMLElement {
    const wrap = document.createElement('div');
    wrap.className = 'field';
    wrap.dataset['key'] = field.key;
    const id = `field-${field.key}`;
    const input = document.createElement('input');
    input.id = id;
    input.name = field.key;
    const label = document.createElement('label');
    label.htmlFor = id;
    const keyTag = document.createElement('span');
    keyTag.className = 'key';
    keyTag.textContent = field.key;
    const doc = document.createElement('p');
    doc.className = 'doc';
    doc.textContent = field.defaultText === '' ? field.doc : `${field.doc} Default: ${field.defaultText}.`;
    const message = document.createElement('p');
    message.className = 'message';
    message.hidden = true;
    message.id = `${id}-message`;
    input.setAttribute('aria-describedby', message.id);

    if (field.kind === 'boolean') {
      input.type = 'checkbox';
      input.checked = TRUE_WORDS.includes(field.value.trim().toLowerCase());
      label.className = 'check';
      label.append(input, document.createTextNode(` ${LABELS[field.key] ?? field.key}`), keyTag);
      wrap.append(label, doc, message);
      input.addEventListener('change', () => void validate(field.key, valueOf(field.key)));
    } else {
      input.type = 'text';
      input.spellcheck = false;
      input.value = field.value;
      if (field.defaultText === '' && (field.key === 'STATE_DIR' || field.key === 'LOG_FILE')) input.placeholder = '(the default, next to config.ini)';
      label.append(document.createTextNode(LABELS[field.key] ?? field.key), keyTag);
      const control = document.createElement('div');
      control.className = 'control';
      control.append(input);
      if (field.kind === 'folder') {
        wrap.classList.add('with-button');
        const browse = document.createElement('button');
        browse.type = 'button';
        browse.textContent = 'Browse…';
        browse.id = `browse-${field.key}`;
        browse.addEventListener('click', () => {
          void api.chooseFolder(input.value).then((chosen) => {
            if (chosen === null) return;
            input.value = chosen;
            void validate(field.key, chosen);
          });
        });
        control.append(browse);
      }
      wrap.append(label, doc, control, message);
      input.addEventListener('input', () => {
        refreshButtons();
        validateSoon(field.key, input.value);
      });
      input.addEventListener('blur', () => void validate(field.key, input.value));
    }
    inputs.set(field.key, { field, input, message, label });
    return wrap;
  }

  function renderTokenState(): void {
    if (form === null) return;
    const t = form.token;
    const entry = $('token-entry');
    const stored = t.stored ? (t.encrypted ? 'A token is stored (encrypted for your Windows account).' : 'A token is stored (in plain text in config.ini).') : 'No token is stored: requests are sent without one.';
    const states: Record<TokenChange['action'], string> = {
      keep: stored,
      replace: 'The new token below replaces the stored one when you save.',
      clear: 'The stored token will be removed when you save.',
    };
    $('token-state').textContent = states[token.action];
    entry.hidden = token.action !== 'replace';
    $<HTMLButtonElement>('token-replace').hidden = token.action !== 'keep';
    $<HTMLButtonElement>('token-replace').textContent = t.stored ? 'Replace…' : 'Set a token…';
    $<HTMLButtonElement>('token-clear').hidden = token.action !== 'keep' || !t.stored;
    $<HTMLButtonElement>('token-undo').hidden = token.action === 'keep';
    $<HTMLButtonElement>('token-undo').textContent = t.stored ? 'Keep the stored token' : 'Don\u2019t set a token';
    $('token-note').textContent = t.encryptionAvailable
      ? ''
      : 'Encryption is not available on this computer: a token you enter is stored in plain text in config.ini.';
  }

  function fill(next: SettingsForm): void {
    form = next;
    token = { action: 'keep' };
    inputs.clear();
    errors.clear();
    // The server group comes first, followed by the token and Test connection; the rest after.
    const first = $('groups-first');
    const rest = $('groups');
    first.replaceChildren();
    rest.replaceChildren();
    for (const group of GROUPS) {
      const fields = next.fields.filter((f) => f.group === group.id);
      if (fields.length === 0) continue;
      const box = document.createElement(group.collapsed ? 'details' : 'fieldset');
      box.className = 'group';
      box.id = `group-${group.id}`;
      const title = document.createElement(group.collapsed ? 'summary' : 'legend');
      title.textContent = group.title;
      box.append(title, ...fields.map(buildField));
      (group.id === 'server' ? first : rest).append(box);
    }
    $<HTMLInputElement>('token-input').value = '';
    $<HTMLInputElement>('start-at-login').checked = next.startAtLogin;
    $('config-path').textContent = next.configPath;
    const problems = next.problems.length > 0 ? `config.ini has problems; the last good values are in use:\n${next.problems.join('\n')}` : null;
    show($('load-problems'), problems);
    renderTokenState();
    // Show the core's message next to any bad value already in the file.
    for (const key of inputs.keys()) void validate(key, valueOf(key));
    refreshButtons();
  }

  /** 1204 -> "1,204", as the tray writes it. */
  const count = (n: number): string => n.toLocaleString('en-US');

  function describeCounts(c: SeedCounts): string {
    const parts = [`${count(c.scanned)} events in the folder`, `${count(c.alreadyKnown)} already delivered`, `${count(c.tooOld)} too old (left alone)`];
    if (c.unreadable) parts.push(`${count(c.unreadable)} could not be read now`);
    return parts.join(' · ');
  }

  async function save(): Promise<void> {
    const saveButton = $<HTMLButtonElement>('save');
    saveButton.disabled = true;
    show($('save-result'), 'Saving…', 'busy');
    const result = await api.saveSettings({ changes: changes(), token, startAtLogin: $<HTMLInputElement>('start-at-login').checked });
    switch (result.kind) {
      case 'saved': {
        fill(result.form);
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
      const answer = await api.testConnection(changes(), currentTokenChange());
      if (answer.kind === 'ok') show(out, `The server answered: ${answer.detail}`, 'ok');
      else if (answer.kind === 'failed') show(out, answer.reason, 'bad');
      else {
        showProblems(answer.problems);
        show(out, 'Fix the values marked in red first.', 'bad');
      }
    } finally {
      button.disabled = false;
    }
  }

  function currentTokenChange(): TokenChange {
    return token.action === 'replace' ? { action: 'replace', token: $<HTMLInputElement>('token-input').value } : token;
  }

  async function previewSeed(): Promise<void> {
    const out = $('seed-result');
    $('seed-confirm').hidden = true;
    if (SEED_KEYS.some(isChanged)) {
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
    $('seed-counts').textContent = `Mark ${count(c.wouldSeed)} events as delivered without sending them? (${describeCounts(c)})`;
    $('seed-confirm').hidden = false;
    $<HTMLButtonElement>('seed-cancel').focus();
  }

  async function runSeed(): Promise<void> {
    $('seed-confirm').hidden = true;
    const out = $('seed-result');
    show(out, 'Marking events as delivered…', 'busy');
    const answer = await api.seedBacklog();
    if (answer.kind === 'failed') show(out, answer.reason, 'bad');
    else show(out, `Marked ${count(answer.counts.seeded)} events as delivered (${describeCounts(answer.counts)}).`, 'ok');
  }

  function showStatus(status: Status | null): void {
    const line = $('status-line');
    if (status === null) {
      line.textContent = 'Starting the agent…';
      line.classList.remove('failing');
      return;
    }
    const failing = !status.running || status.serverReachable === false || status.failingSince !== null || status.heldBack.length > 0;
    const head = !status.running ? 'Agent not running' : !status.forwardEnabled ? 'Forwarding off' : status.paused ? 'Paused' : failing ? 'Failing' : 'Forwarding';
    const parts = [head, `${count(status.deliveredToday)} sent today`, `${count(status.waiting)} waiting`];
    if (status.heldBack.length > 0) parts.push(`${count(status.heldBack.length)} held back`);
    const why = status.problems[0] ?? (failing ? status.lastFailureReason : null);
    line.textContent = why ? `${parts.join(' · ')} — ${why}` : parts.join(' · ');
    line.classList.toggle('failing', failing);
  }

  $('settings-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void save();
  });
  $('cancel').addEventListener('click', () => void api.closeWindow());
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') void api.closeWindow();
  });
  $('test-connection').addEventListener('click', () => void testConnection());
  $('seed-preview').addEventListener('click', () => void previewSeed());
  $('seed-run').addEventListener('click', () => void runSeed());
  $('seed-cancel').addEventListener('click', () => {
    $('seed-confirm').hidden = true;
    show($('seed-result'), 'Nothing was marked.', 'ok');
  });
  // A Save refused because the stored token belongs to another server marks SFM_URL; typing
  // the token again (or clearing it) answers that, so SFM_URL is checked afresh on its own.
  const recheckServerUrl = (): void => void validate('SFM_URL', valueOf('SFM_URL'));
  $('token-replace').addEventListener('click', () => {
    token = { action: 'replace', token: '' };
    renderTokenState();
    recheckServerUrl();
    $('token-input').focus();
  });
  $('token-clear').addEventListener('click', () => {
    token = { action: 'clear' };
    renderTokenState();
    recheckServerUrl();
  });
  $('token-undo').addEventListener('click', () => {
    token = { action: 'keep' };
    $<HTMLInputElement>('token-input').value = '';
    setError('SFM_API_TOKEN', null);
    renderTokenState();
  });
  $('token-input').addEventListener('input', () => {
    token = currentTokenChange();
    validateSoon('SFM_API_TOKEN', $<HTMLInputElement>('token-input').value);
  });

  api.onStatus(showStatus);
  api.loadSettings().then(fill, (err: unknown) => {
    show($('load-problems'), `The settings could not be read: ${err instanceof Error ? err.message : String(err)}`);
  });
})();
