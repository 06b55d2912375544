// The settings page's shared ground: the contract's types, the one bridge object
// (`window.series3`, the preload's), and two DOM helpers. The page is a set of classic
// scripts loaded in order by settings.html (page-dom, status-line, settings-form,
// token-field, backlog-dialog, unsaved-changes, page-tables, pages, settings): a page loaded from file:// cannot load ES modules
// once Electron's GrantFileProtocolExtraPrivileges fuse is off (module scripts need CORS,
// which file:// does not answer), and classic scripts from the same folder need no CSP
// exception. So these files share one global scope; each names what it owns at its top.
// They import nothing at run time, only types.
type Api = import('../shared/settings-api.js').SettingsApi;
type SettingsForm = import('../shared/settings-api.js').SettingsForm;
type SettingField = import('../shared/settings-api.js').SettingField;
type TokenChange = import('../shared/settings-api.js').TokenChange;
type FieldProblem = import('../shared/settings-api.js').FieldProblem;
type StatusLine = import('../shared/settings-api.js').StatusLine;
type SeedCounts = import('../shared/settings-api.js').SeedCounts;

interface Window {
  readonly series3: Api;
}

const api = window.series3;

/** The element settings.html must have; a missing one is a bug in the page, said plainly. */
function $<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`settings.html has no #${id}`);
  return el as T;
}

/** Shows a message (or hides the element for null), with the tone its colour says. */
function show(el: HTMLElement, text: string | null, tone?: 'ok' | 'bad' | 'busy'): void {
  el.hidden = text === null;
  el.textContent = text ?? '';
  el.classList.remove('ok', 'bad', 'busy');
  if (tone) el.classList.add(tone);
}

/** 1204 -> "1,204", as the tray writes it. */
function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
