// The form: one field per config.ini key the main process sends, grouped, each checked by
// the core as it is typed (the answer shown beside it), and `formChanges()`, the keys the
// person edited, which is all Save and Test connection send. The token has its own
// field (token-field.ts); its messages come through setFieldError like any key's.
// The server's address and the forwarding switch come first, with the token and Test connection
// right after them (settings.html), so a first start shows the whole first step without
// scrolling; the server's other keys (CA file, proxy, time-out) follow as "Connection details".
const FIRST_SERVER_KEYS = ['SFM_URL', 'SFM_FORWARD_ENABLED'];
const GROUPS: ReadonlyArray<{ readonly id: string; readonly title: string; readonly collapsed: boolean; readonly pick?: (f: SettingField) => boolean }> = [
  { id: 'server', title: 'Server', collapsed: false, pick: (f) => f.group === 'server' && FIRST_SERVER_KEYS.includes(f.key) },
  { id: 'connection', title: 'Connection details', collapsed: false, pick: (f) => f.group === 'server' && !FIRST_SERVER_KEYS.includes(f.key) },
  { id: 'watch', title: 'Watch folder', collapsed: false },
  { id: 'pacing', title: 'Pacing', collapsed: false },
  { id: 'units', title: 'Units (call-ins)', collapsed: true },
  { id: 'state', title: 'Record and log', collapsed: true },
  { id: 'advanced', title: 'Advanced', collapsed: true },
];


const TRUE_WORDS = ['true', 'yes', 'on', '1'];

interface FieldEntry {
  readonly field: SettingField;
  readonly input: HTMLInputElement;
  readonly message: HTMLElement;
  readonly label: HTMLElement;
}

/** The form as the page holds it between the main process's answers. */
const formState = {
  /** The last form the main process sent; null until it has. */
  form: null as SettingsForm | null,
  /** The fields on the page, by key. */
  inputs: new Map<string, FieldEntry>(),
  /** The core's message for each key whose value it refuses now; Save waits until none is left. */
  errors: new Map<string, string>(),
  /** The pending check of each key being typed in (checked 250 ms after the last key). */
  timers: new Map<string, number>(),
  /** Bumped when Save or Test reports a problem for a key, so a check sent before it cannot clear it. */
  problemEpochs: new Map<string, number>(),
};

function fieldValue(key: string): string {
  const entry = formState.inputs.get(key);
  if (!entry) return '';
  return entry.input.type === 'checkbox' ? (entry.input.checked ? 'true' : 'false') : entry.input.value;
}

function isFieldChanged(key: string): boolean {
  const entry = formState.inputs.get(key);
  if (!entry) return false;
  if (entry.input.type === 'checkbox') {
    return entry.input.checked !== TRUE_WORDS.includes(entry.field.value.trim().toLowerCase());
  }
  return entry.input.value !== entry.field.value;
}

/** Only what the person edited: Save writes nothing else. */
function formChanges(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of formState.inputs.keys()) if (isFieldChanged(key)) out[key] = fieldValue(key);
  return out;
}

function refreshButtons(): void {
  $<HTMLButtonElement>('save').disabled = formState.errors.size > 0 || formState.form === null;
  for (const [key, entry] of formState.inputs) entry.label.classList.toggle('changed', isFieldChanged(key));
}

function setFieldError(key: string, message: string | null): void {
  const entry = formState.inputs.get(key);
  if (key === 'SFM_API_TOKEN') {
    show($('token-message'), message);
    $<HTMLInputElement>('token-input').setAttribute('aria-invalid', String(message !== null));
  } else if (entry) {
    show(entry.message, message);
    entry.input.setAttribute('aria-invalid', String(message !== null));
  }
  if (message === null) formState.errors.delete(key);
  else formState.errors.set(key, message);
  refreshButtons();
}

function showProblems(problems: readonly FieldProblem[]): void {
  for (const p of problems) {
    // A check still waiting to run, or on its way, was about the value before this answer.
    window.clearTimeout(formState.timers.get(p.key));
    formState.problemEpochs.set(p.key, (formState.problemEpochs.get(p.key) ?? 0) + 1);
    setFieldError(p.key, p.message);
  }
  const first = problems[0];
  if (first) (formState.inputs.get(first.key)?.input ?? $('token-input')).focus();
}

async function validateField(key: string, raw: string): Promise<void> {
  const epoch = formState.problemEpochs.get(key) ?? 0;
  const message = await api.validateSetting(key, raw);
  if (epoch === (formState.problemEpochs.get(key) ?? 0)) setFieldError(key, message);
}

function validateFieldSoon(key: string, raw: string): void {
  window.clearTimeout(formState.timers.get(key));
  formState.timers.set(key, window.setTimeout(() => void validateField(key, raw), 250));
}

function fieldParts(field: SettingField): { wrap: HTMLElement; input: HTMLInputElement; label: HTMLLabelElement; keyTag: HTMLElement; doc: HTMLElement; message: HTMLElement } {
  const wrap = document.createElement('div');
  wrap.className = 'field';
  wrap.dataset['key'] = field.key;
  const id = `field-${field.key}`;
  const input = document.createElement('input');
  input.id = id;
  input.name = field.key;
  const label = document.createElement('label');
  label.htmlFor = id;
  // The key is shown beside the label but kept out of the field's accessible name ("Server
  // address", not "Server addressSFM_URL"); screen readers get it with the description.
  const keyTag = document.createElement('span');
  keyTag.className = 'key';
  keyTag.id = `${id}-key`;
  keyTag.setAttribute('aria-hidden', 'true');
  keyTag.textContent = field.key;
  const doc = document.createElement('p');
  doc.className = 'doc';
  doc.id = `${id}-doc`;
  doc.textContent = field.defaultText === '' ? field.doc : `${field.doc} Default: ${field.defaultText}.`;
  const message = document.createElement('p');
  message.className = 'message';
  message.hidden = true;
  message.id = `${id}-message`;
  input.setAttribute('aria-describedby', `${doc.id} ${message.id} ${keyTag.id}`);
  return { wrap, input, label, keyTag, doc, message };
}

function browseButton(field: SettingField, input: HTMLInputElement): HTMLButtonElement {
  const browse = document.createElement('button');
  browse.type = 'button';
  browse.textContent = 'Browse…';
  browse.id = `browse-${field.key}`;
  browse.addEventListener('click', () => {
    void api.chooseFolder(input.value).then((chosen) => {
      if (chosen === null) return;
      input.value = chosen;
      void validateField(field.key, chosen);
    });
  });
  return browse;
}

function buildField(field: SettingField): HTMLElement {
  const { wrap, input, label, keyTag, doc, message } = fieldParts(field);
  if (field.kind === 'boolean') {
    input.type = 'checkbox';
    input.checked = TRUE_WORDS.includes(field.value.trim().toLowerCase());
    label.className = 'check';
    label.append(input, document.createTextNode(` ${field.label}`), keyTag);
    wrap.append(label, doc, message);
    input.addEventListener('change', () => void validateField(field.key, fieldValue(field.key)));
  } else {
    input.type = 'text';
    input.spellcheck = false;
    input.value = field.value;
    if (field.defaultText === '' && (field.key === 'STATE_DIR' || field.key === 'LOG_FILE')) input.placeholder = '(the default, next to config.ini)';
    label.append(document.createTextNode(field.label), keyTag);
    const control = document.createElement('div');
    control.className = 'control';
    control.append(input);
    if (field.kind === 'folder') {
      wrap.classList.add('with-button');
      control.append(browseButton(field, input));
    }
    wrap.append(label, doc, control, message);
    input.addEventListener('input', () => {
      refreshButtons();
      validateFieldSoon(field.key, input.value);
    });
    input.addEventListener('blur', () => void validateField(field.key, input.value));
  }
  formState.inputs.set(field.key, { field, input, message, label });
  return wrap;
}

/** FIRST_SERVER_KEYS in their order; every other key keeps the main process's order. */
function rank(key: string): number {
  const i = FIRST_SERVER_KEYS.indexOf(key);
  return i === -1 ? FIRST_SERVER_KEYS.length : i;
}

/** Shows a form the main process sent (on load and after a Save), dropping every unsaved edit. */
function fillForm(next: SettingsForm): void {
  formState.form = next;
  formState.inputs.clear();
  formState.errors.clear();
  // The server group comes first, followed by the token and Test connection; the rest after.
  const first = $('groups-first');
  const rest = $('groups');
  first.replaceChildren();
  rest.replaceChildren();
  for (const group of GROUPS) {
    const fields = next.fields
      .filter(group.pick ?? ((f) => f.group === group.id))
      .sort((a, b) => rank(a.key) - rank(b.key));
    if (fields.length === 0) continue;
    const box = document.createElement(group.collapsed ? 'details' : 'fieldset');
    box.className = 'group';
    box.id = `group-${group.id}`;
    const title = document.createElement(group.collapsed ? 'summary' : 'legend');
    title.textContent = group.title;
    box.append(title, ...fields.map(buildField));
    (group.id === 'server' ? first : rest).append(box);
  }
  $<HTMLInputElement>('start-at-login').checked = next.startAtLogin;
  $('config-path').textContent = next.configPath;
  $('about').textContent = next.about;
  const problems = next.problems.length > 0 ? `config.ini has problems; the last good values are in use:\n${next.problems.join('\n')}` : null;
  show($('load-problems'), problems);
  resetToken();
  // Show the core's message next to any bad value already in the file.
  for (const key of formState.inputs.keys()) void validateField(key, fieldValue(key));
  refreshButtons();
}
