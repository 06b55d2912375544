// What the settings window does, without Electron: read config.ini into a form, check
// one value with the core's own validation (same words as the CLI), save only the keys
// that were edited (the core writes atomically), keep the token encrypted, test the
// server with the values in the form, and preview / run "Skip existing backlog".
// main.ts supplies the Electron parts (safeStorage, login item, the worker); the
// browser test supplies the same service to the real page.
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../../src/config/types.js';
import type { SeedCounts, ServerCheck } from '../../src/agent/types.js';
import { errorMessage } from '../../src/text/errors.js';
import { APP_VERSION, PRODUCT_NAME } from '../../src/text/version.js';
import {
  CONFIG_KEYS,
  findKeySpec,
  parseConfigText,
  readConfigFile,
  saveConfigChanges,
  splitConfigText,
  updateConfigText,
  validateSetting,
  type KeySpec,
} from '../../src/config/index.js';
import type {
  ConnectionAnswer,
  FieldProblem,
  FormValues,
  SaveRequest,
  SaveResult,
  SeedAnswer,
  SettingField,
  SettingsForm,
  TokenChange,
} from '../shared/settings-api.js';

export const TOKEN_KEY = 'SFM_API_TOKEN';
export const ENCRYPTED_TOKEN_KEY = 'SFM_API_TOKEN_ENCRYPTED';

/** Keeps the token encrypted by the OS; main.ts wraps Electron's safeStorage. */
export interface TokenVault {
  /** Whether a token can be stored encrypted on this machine now. */
  isAvailable(): boolean;
  /** Plain token -> base64 of the encrypted bytes. */
  encrypt(token: string): Promise<string>;
  /** base64 of the encrypted bytes -> plain token; throws when it cannot be decrypted. */
  decrypt(encryptedBase64: string): Promise<string>;
}

export interface LoginItem {
  get(): boolean;
  set(openAtLogin: boolean): void;
}

export interface SettingsServiceDeps {
  readonly configPath: string;
  /** config-template.ini, used when config.ini does not exist yet. */
  readonly templateText?: string;
  readonly vault: TokenVault;
  readonly loginItem: LoginItem;
  readonly checkServer: (config: Config) => Promise<ServerCheck>;
  readonly seedPreview: () => Promise<SeedCounts>;
  readonly seed: () => Promise<SeedCounts>;
  /** Called after a save with the new settings (token decrypted) so the agent applies them. */
  readonly onSaved: (config: Config) => void | Promise<void>;
  /** Where a plain token may be written and how it is worded; default process.platform. */
  readonly platform?: NodeJS.Platform;
  /**
   * The user's own folders (Windows): a plain-token config.ini must be inside one. The first
   * is named in messages. Default [os.homedir()]; main.ts adds %APPDATA% (it may be redirected).
   */
  readonly profileDirs?: readonly string[];
}

/** Owner read/write only, for a config.ini that holds the token in plain text. */
export const PLAIN_TOKEN_FILE_MODE = 0o600;

/** Whether `file` is inside `folder` (Windows paths compare without case). */
function isInside(file: string, folder: string, platform: NodeJS.Platform): boolean {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const relative = p.relative(platform === 'win32' ? folder.toLowerCase() : folder, platform === 'win32' ? file.toLowerCase() : file);
  return relative !== '' && !relative.startsWith('..') && !p.isAbsolute(relative);
}

/**
 * Where DPAPI is unavailable the token is kept in plain text, and the words say what really
 * protects it: the file's mode where modes apply, the profile folder's permissions on Windows
 * (where a file outside the profile could be readable by other accounts, so it is refused).
 */
function plainTokenPlace(configPath: string, platform: NodeJS.Platform, profileDirs: readonly string[]): { ok: true; note: string } | { ok: false; problem: string } {
  const lead = `Encryption is not available on this computer, so the token is stored in plain text in ${configPath}`;
  if (platform !== 'win32') return { ok: true, note: `${lead}, a file only your account can read (mode 600).` };
  if (!profileDirs.some((folder) => isInside(configPath, folder, platform))) {
    return {
      ok: false,
      problem:
        `Encryption is not available on this computer and ${configPath} is outside your user profile (${profileDirs[0] ?? ''}), where other accounts may be able to read it, ` +
        `so the token is not stored there in plain text: keep config.ini in your profile (start Series3 Watcher without --config) or leave the token empty.`,
    };
  }
  return { ok: true, note: `${lead}. It is in your user profile, whose folder permissions let only your Windows account (and the computer's administrators) read it.` };
}

export interface EffectiveSettings {
  /** The saved settings with the token decrypted: what the agent runs on. */
  readonly config: Config;
  readonly problems: readonly string[];
  readonly warnings: readonly string[];
}

export interface SettingsService {
  load(): Promise<SettingsForm>;
  validate(key: string, raw: string): Promise<string | null>;
  save(request: SaveRequest): Promise<SaveResult>;
  testConnection(changes: FormValues, token: TokenChange): Promise<ConnectionAnswer>;
  previewSeed(): Promise<SeedAnswer>;
  seedBacklog(): Promise<SeedAnswer>;
  effective(): Promise<EffectiveSettings>;
}

/** Keys the form shows as ordinary fields (the token has its own control). */
export function isFormKey(spec: KeySpec): boolean {
  return spec.kind !== 'secret' && spec.kind !== 'opaque';
}


/** Raw value text of every known key in [watcher] (last one wins), by canonical key. */
function rawValues(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of splitConfigText(text).lines) {
    if (line.kind !== 'entry' || !line.inWatcher) continue;
    const spec = findKeySpec(line.key);
    if (spec !== undefined) values.set(spec.key, line.value);
  }
  return values;
}

/** scheme://host:port of an address (default ports elided, host lower-cased), or null. */
export function originOf(url: string): string | null {
  try {
    return url === '' ? null : new URL(url).origin;
  } catch {
    return null;
  }
}

/**
 * The stored token was saved for one server and goes only there: a form that points
 * SFM_URL at another origin (scheme, host or port) must type the token again. Stops a
 * compromised page, or a slip of the finger, sending the token to a server nobody saved.
 */
function tokenOriginProblem(savedUrl: string, formUrl: string, doing: 'test' | 'save'): FieldProblem | null {
  const saved = originOf(savedUrl);
  const wanted = originOf(formUrl);
  // No address means no request, so the token goes nowhere.
  if (wanted === saved || wanted === null) return null;
  const boundTo = saved === null ? 'was saved with no server address' : `was saved for ${saved} and is sent only there`;
  const lead =
    doing === 'test'
      ? `Nothing was sent: the stored token ${boundTo}, not to ${wanted}.`
      : `SFM_URL now points to ${wanted}, but the stored token ${boundTo}.`;
  return {
    key: 'SFM_URL',
    message: `${lead} To use a token with ${wanted}, choose Replace\u2026 under Server access token and type it again (or Clear the token).`,
  };
}

function hasStoredToken(text: string): boolean {
  const raw = rawValues(text);
  return (raw.get(ENCRYPTED_TOKEN_KEY) ?? '').trim() !== '' || (raw.get(TOKEN_KEY) ?? '') !== '';
}

function checkChanges(changes: FormValues, configPath: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const [key, raw] of Object.entries(changes)) {
    const result = validateSetting(key, raw, configPath);
    if (!result.ok) problems.push({ key: result.problem.key, message: result.problem.message });
  }
  return problems;
}

/** A plain token that may not be written where config.ini is; shown at the token field. */
class PlainTokenRefused extends Error {
  override readonly name = 'PlainTokenRefused';
}

/** The service's dependencies with their defaults filled in. */
interface ServiceContext extends SettingsServiceDeps {
  readonly platform: NodeJS.Platform;
  readonly profileDirs: readonly string[];
}

/** The file's text, or the template's when config.ini does not exist yet. */
async function currentText(ctx: ServiceContext): Promise<string> {
  try {
    return (await readConfigFile(ctx.configPath)).text;
  } catch (err) {
    if ((err as { reason?: string }).reason === 'missing' && ctx.templateText !== undefined) return ctx.templateText;
    throw err;
  }
}

/** The token the agent should use: the encrypted one when present, else the plain key. */
async function tokenOf(ctx: ServiceContext, text: string, plainToken: string): Promise<string> {
  const encrypted = rawValues(text).get(ENCRYPTED_TOKEN_KEY)?.trim() ?? '';
  if (encrypted === '') return plainToken;
  return ctx.vault.decrypt(encrypted);
}

async function effective(ctx: ServiceContext): Promise<EffectiveSettings> {
  const text = await currentText(ctx);
  const parsed = parseConfigText(text, ctx.configPath);
  const problems = parsed.problems.map((p) => p.message);
  let apiToken = parsed.config.apiToken;
  try {
    apiToken = await tokenOf(ctx, text, parsed.config.apiToken);
  } catch {
    // Encrypted by another Windows user or machine (DPAPI is per user): say what to do.
    problems.push(`${ENCRYPTED_TOKEN_KEY} in ${ctx.configPath} cannot be decrypted on this account: enter the token again in Settings`);
    apiToken = '';
  }
  return { config: { ...parsed.config, apiToken }, problems, warnings: parsed.warnings };
}

/** The window's footer: the app's name and version, from the one source (src/text/version.ts). */
export function aboutText(): string {
  return `${PRODUCT_NAME} ${APP_VERSION}`;
}

async function load(ctx: ServiceContext): Promise<SettingsForm> {
  const text = await currentText(ctx);
  const parsed = parseConfigText(text, ctx.configPath);
  const raw = rawValues(text);
  const fields: SettingField[] = CONFIG_KEYS.filter(isFormKey).map((spec) => ({
    key: spec.key,
    kind: spec.kind,
    group: spec.group,
    label: spec.label,
    doc: spec.doc,
    defaultText: spec.defaultText,
    value: raw.get(spec.key) ?? spec.defaultText,
  }));
  const encrypted = (raw.get(ENCRYPTED_TOKEN_KEY) ?? '').trim() !== '';
  const plain = (raw.get(TOKEN_KEY) ?? '') !== '';
  return {
    configPath: ctx.configPath,
    about: aboutText(),
    fields,
    token: { stored: encrypted || plain, encrypted, encryptionAvailable: ctx.vault.isAvailable() },
    startAtLogin: ctx.loginItem.get(),
    problems: parsed.problems.map((p) => p.message),
    warnings: parsed.warnings,
  };
}

async function tokenChanges(ctx: ServiceContext, token: TokenChange): Promise<{ changes: Record<string, string>; note: string | null }> {
  switch (token.action) {
    case 'keep':
      return { changes: {}, note: null };
    case 'clear':
      return { changes: { [TOKEN_KEY]: '', [ENCRYPTED_TOKEN_KEY]: '' }, note: null };
    case 'replace':
      if (token.token === '') return { changes: { [TOKEN_KEY]: '', [ENCRYPTED_TOKEN_KEY]: '' }, note: null };
      if (ctx.vault.isAvailable()) {
        return { changes: { [TOKEN_KEY]: '', [ENCRYPTED_TOKEN_KEY]: await ctx.vault.encrypt(token.token) }, note: null };
      }
      {
        const place = plainTokenPlace(ctx.configPath, ctx.platform, ctx.profileDirs);
        if (!place.ok) throw new PlainTokenRefused(place.problem);
        return { changes: { [TOKEN_KEY]: token.token, [ENCRYPTED_TOKEN_KEY]: '' }, note: place.note };
      }
  }
}

async function save(ctx: ServiceContext, request: SaveRequest): Promise<SaveResult> {
  const problems = checkChanges(request.changes, ctx.configPath);
  if (request.token.action === 'replace') {
    const check = validateSetting(TOKEN_KEY, request.token.token, ctx.configPath);
    if (!check.ok) problems.push({ key: TOKEN_KEY, message: check.problem.message });
  }
  if (problems.length > 0) return { kind: 'invalid', problems };

  try {
    // Only what differs from the file is written: re-typing a value leaves the line alone.
    const text = await currentText(ctx);
    const raw = rawValues(text);
    if (request.token.action === 'keep' && hasStoredToken(text)) {
      const savedUrl = parseConfigText(text, ctx.configPath).config.sfmUrl;
      const formUrl = parseConfigText(updateConfigText(text, request.changes), ctx.configPath).config.sfmUrl;
      const problem = tokenOriginProblem(savedUrl, formUrl, 'save');
      if (problem !== null) return { kind: 'invalid', problems: [problem] };
    }
    const changes: Record<string, string> = {};
    for (const [key, value] of Object.entries(request.changes)) {
      const canonical = findKeySpec(key)?.key ?? key;
      if (raw.get(canonical) !== value) changes[canonical] = value;
    }
    const token = await tokenChanges(ctx, request.token);
    for (const [key, value] of Object.entries(token.changes)) {
      if ((raw.get(key) ?? '') !== value) changes[key] = value;
    }

    if (Object.keys(changes).length > 0) {
      // A file that will hold the token in plain text is written owner-only (ignored on Windows).
      const plainToken = (changes[TOKEN_KEY] ?? raw.get(TOKEN_KEY) ?? '') !== '';
      const mode = plainToken ? { mode: PLAIN_TOKEN_FILE_MODE } : {};
      const saved = await saveConfigChanges(ctx.configPath, changes, ctx.templateText, mode);
      if (!saved.ok) return { kind: 'invalid', problems: saved.problems.map((p) => ({ key: p.key, message: p.message })) };
    }
    if (request.startAtLogin !== ctx.loginItem.get()) ctx.loginItem.set(request.startAtLogin);

    const now = await effective(ctx);
    await ctx.onSaved(now.config);
    return { kind: 'saved', changedKeys: Object.keys(changes), form: await load(ctx), note: token.note };
  } catch (err) {
    if (err instanceof PlainTokenRefused) return { kind: 'invalid', problems: [{ key: TOKEN_KEY, message: err.message }] };
    return { kind: 'failed', reason: errorMessage(err) };
  }
}

async function testConnection(ctx: ServiceContext, changes: FormValues, token: TokenChange): Promise<ConnectionAnswer> {
  const problems = checkChanges(changes, ctx.configPath);
  if (problems.length > 0) return { kind: 'invalid', problems };
  try {
    // The form's values over the saved file, parsed by the core, written nowhere.
    const text = await currentText(ctx);
    const parsed = parseConfigText(updateConfigText(text, changes), ctx.configPath);
    if (token.action === 'keep' && hasStoredToken(text)) {
      // Checked before decrypting: the stored token never leaves for an unsaved origin.
      const problem = tokenOriginProblem(parseConfigText(text, ctx.configPath).config.sfmUrl, parsed.config.sfmUrl, 'test');
      if (problem !== null) return { kind: 'failed', reason: problem.message };
    }
    const apiToken =
      token.action === 'replace' ? token.token : token.action === 'clear' ? '' : await tokenOf(ctx, text, parsed.config.apiToken);
    const answer = await ctx.checkServer({ ...parsed.config, apiToken });
    return answer;
  } catch (err) {
    return { kind: 'failed', reason: errorMessage(err) };
  }
}

async function seedAnswer(run: () => Promise<SeedCounts>): Promise<SeedAnswer> {
  try {
    return { kind: 'counts', counts: await run() };
  } catch (err) {
    return { kind: 'failed', reason: errorMessage(err) };
  }
}

export function createSettingsService(deps: SettingsServiceDeps): SettingsService {
  const ctx: ServiceContext = { ...deps, platform: deps.platform ?? process.platform, profileDirs: deps.profileDirs ?? [os.homedir()] };
  return {
    load: () => load(ctx),
    validate: async (key, raw) => {
      const result = validateSetting(key, raw, ctx.configPath);
      return result.ok ? null : result.problem.message;
    },
    save: (request) => save(ctx, request),
    testConnection: (changes, token) => testConnection(ctx, changes, token),
    previewSeed: () => seedAnswer(ctx.seedPreview),
    seedBacklog: () => seedAnswer(ctx.seed),
    effective: () => effective(ctx),
  };
}
