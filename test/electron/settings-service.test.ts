// The settings service and the first-run config, in Node with real files (the page-level
// behaviour is in settings-page.test.ts).
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendTrayLog, ensureConfigFile, resolveAppPaths } from '../../electron/main/app-paths.js';
import { createSettingsService, type SettingsServiceDeps } from '../../electron/main/settings-service.js';
import { repoRoot, testVault } from './page-harness.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 's3w-settings-service-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const templatePath = path.join(repoRoot, 'config-template.ini');

function deps(overrides: Partial<SettingsServiceDeps> = {}): SettingsServiceDeps {
  let login = false;
  return {
    configPath: path.join(dir, 'config.ini'),
    vault: testVault(),
    loginItem: { get: () => login, set: (on) => void (login = on) },
    checkServer: async () => ({ kind: 'ok', token: 'not-needed', detail: 'unused' }),
    seedPreview: async () => Promise.reject(new Error('unused')),
    seed: async () => Promise.reject(new Error('unused')),
    onSaved: () => undefined,
    ...overrides,
  };
}

describe('first run', () => {
  it('copies config-template.ini to the per-user config once, and never over an existing one', async () => {
    const configPath = path.join(dir, 'Series3 Watcher', 'config.ini');
    expect(await ensureConfigFile(configPath, templatePath)).toBe('created');
    expect(await readFile(configPath, 'utf8')).toBe(await readFile(templatePath, 'utf8'));
    await writeFile(configPath, 'SFM_URL = http://mine\n');
    expect(await ensureConfigFile(configPath, templatePath)).toBe('exists');
    expect(await readFile(configPath, 'utf8')).toBe('SFM_URL = http://mine\n');
  });

  it('says what to do when the template is missing', async () => {
    await expect(ensureConfigFile(path.join(dir, 'config.ini'), path.join(dir, 'nope.ini'))).rejects.toThrow(
      /Cannot create .*config\.ini from .*nope\.ini: .*Reinstall Series3 Watcher or copy config-template\.ini there by hand\./,
    );
  });

  it.each([
    [{ packaged: true, config: null }, path.join('U', 'config.ini'), path.join('R', 'config-template.ini')],
    [{ packaged: false, config: null }, path.join('U', 'config.ini'), path.join('A', 'config-template.ini')],
    [{ packaged: true, config: path.resolve('other.ini') }, path.resolve('other.ini'), path.join('R', 'config-template.ini')],
  ])('resolves paths for %j', (c, configPath, template) => {
    const paths = resolveAppPaths({ userDataDir: 'U', resourcesDir: 'R', appRoot: 'A', isPackaged: c.packaged, configPath: c.config });
    expect(paths).toEqual({ configPath, templatePath: template, trayLogPath: path.join('U', 'tray.log') });
  });

  it('keeps the tray log small: past the limit the old lines move to tray.log.old', async () => {
    const log = path.join(dir, 'tray.log');
    await appendTrayLog(log, 'x'.repeat(200), 100);
    await appendTrayLog(log, 'second', 100);
    expect(await readFile(`${log}.old`, 'utf8')).toContain('x'.repeat(200));
    expect(await readFile(log, 'utf8')).toMatch(/^\S+Z second\n$/);
  });
});

describe('the settings service', () => {
  it('shows the template when config.ini does not exist yet, and creates the file on Save', async () => {
    const template = await readFile(templatePath, 'utf8');
    const service = createSettingsService(deps({ templateText: template }));
    const form = await service.load();
    expect(form.fields.find((f) => f.key === 'SFM_FORWARD_ENABLED')?.value).toBe('false');
    const saved = await service.save({ changes: { SFM_URL: 'http://127.0.0.1:9' }, token: { action: 'keep' }, startAtLogin: false });
    expect(saved.kind).toBe('saved');
    expect(await readFile(path.join(dir, 'config.ini'), 'utf8')).toBe(template.replace(/^SFM_URL =$/m, 'SFM_URL = http://127.0.0.1:9'));
  });

  it('shows a bad value from the file as it is, with the problem, and runs on the default meanwhile', async () => {
    await writeFile(path.join(dir, 'config.ini'), 'SCAN_INTERVAL_SECONDS = soon\n');
    const service = createSettingsService(deps());
    const form = await service.load();
    expect(form.fields.find((f) => f.key === 'SCAN_INTERVAL_SECONDS')?.value).toBe('soon');
    expect(form.problems).toEqual(['SCAN_INTERVAL_SECONDS = "soon" is not allowed: use a number of seconds from 0.1 to 86400']);
    expect((await service.effective()).config.scanIntervalSeconds).toBe(60);
  });

  it('names the key and what to do when the stored token cannot be decrypted (another Windows account)', async () => {
    const other = testVault();
    await writeFile(path.join(dir, 'config.ini'), `SFM_API_TOKEN_ENCRYPTED = ${await other.encrypt('tok-x')}\n`);
    const service = createSettingsService(deps({ vault: testVault() }));
    const settings = await service.effective();
    expect(settings.config.apiToken).toBe('');
    expect(settings.problems).toEqual([
      `SFM_API_TOKEN_ENCRYPTED in ${path.join(dir, 'config.ini')} cannot be decrypted on this account: enter the token again in Settings`,
    ]);
  });

  it('hands the agent the saved settings with the token decrypted, after every save', async () => {
    const applied: string[] = [];
    await writeFile(path.join(dir, 'config.ini'), 'SFM_URL = http://127.0.0.1:9\n');
    const service = createSettingsService(deps({ onSaved: (c) => void applied.push(`${c.sfmUrl} ${c.apiToken}`) }));
    await service.save({ changes: {}, token: { action: 'replace', token: 'tok-1' }, startAtLogin: false });
    // Same origin, another path: the stored token stays (a new origin needs it typed again: token-origin.test.ts).
    await service.save({ changes: { SFM_URL: 'http://127.0.0.1:9/sfm' }, token: { action: 'keep' }, startAtLogin: false });
    expect(applied).toEqual(['http://127.0.0.1:9 tok-1', 'http://127.0.0.1:9/sfm tok-1']);
  });

  it('refuses a token with spaces with the core message, which never shows the token', async () => {
    const service = createSettingsService(deps());
    const result = await service.save({ changes: {}, token: { action: 'replace', token: 'my secret token' }, startAtLogin: false });
    expect(result).toEqual({
      kind: 'invalid',
      problems: [{ key: 'SFM_API_TOKEN', message: expect.stringContaining('SFM_API_TOKEN (hidden) is not allowed') }],
    });
    expect(JSON.stringify(result)).not.toContain('my secret token');
  });
});

describe('item 6: a token stored in plain text (no DPAPI)', () => {
  const modeOf = async (file: string): Promise<number> => (await stat(file)).mode & 0o777;

  it.skipIf(process.platform === 'win32')('is written owner-only (0600), even over a config.ini that was 0644, and the window says so truthfully', async () => {
    const configPath = path.join(dir, 'config.ini');
    await writeFile(configPath, await readFile(templatePath, 'utf8'));
    await chmod(configPath, 0o644);
    const service = createSettingsService(deps({ vault: testVault(false), platform: 'linux' }));
    const saved = await service.save({ changes: {}, token: { action: 'replace', token: 'tok-plain-6' }, startAtLogin: false });
    expect(saved).toMatchObject({
      kind: 'saved',
      note: `Encryption is not available on this computer, so the token is stored in plain text in ${configPath}, a file only your account can read (mode 600).`,
    });
    expect(await readFile(configPath, 'utf8')).toMatch(/^SFM_API_TOKEN = tok-plain-6$/m);
    expect(await modeOf(configPath)).toBe(0o600);
  });

  it.skipIf(process.platform === 'win32')('a later save of another key keeps a plain-token file owner-only (an older 0644 one is tightened)', async () => {
    const configPath = path.join(dir, 'config.ini');
    await writeFile(configPath, 'SFM_API_TOKEN = tok-old\n');
    await chmod(configPath, 0o644);
    const service = createSettingsService(deps({ vault: testVault(false), platform: 'linux' }));
    expect((await service.save({ changes: { SCAN_INTERVAL_SECONDS: '30' }, token: { action: 'keep' }, startAtLogin: false })).kind).toBe('saved');
    expect(await modeOf(configPath)).toBe(0o600);
  });

  it.skipIf(process.platform === 'win32')('a config.ini without a token keeps its mode', async () => {
    const configPath = path.join(dir, 'config.ini');
    await writeFile(configPath, 'SCAN_INTERVAL_SECONDS = 60\n');
    await chmod(configPath, 0o644);
    const service = createSettingsService(deps({ vault: testVault(false), platform: 'linux' }));
    await service.save({ changes: { SCAN_INTERVAL_SECONDS: '30' }, token: { action: 'keep' }, startAtLogin: false });
    expect(await modeOf(configPath)).toBe(0o644);
  });

  it('on Windows the words are the profile folder’s permissions, not a file mode', async () => {
    await writeFile(path.join(dir, 'config.ini'), 'SFM_URL =\n');
    const service = createSettingsService(deps({ vault: testVault(false), platform: 'win32', profileDirs: [path.join(dir, 'home'), dir] }));
    const saved = await service.save({ changes: {}, token: { action: 'replace', token: 'tok-plain-6' }, startAtLogin: false });
    expect(saved).toMatchObject({
      kind: 'saved',
      note:
        `Encryption is not available on this computer, so the token is stored in plain text in ${path.join(dir, 'config.ini')}. ` +
        "It is in your user profile, whose folder permissions let only your Windows account (and the computer's administrators) read it.",
    });
  });

  it('on Windows a plain token is not written to a config.ini outside the user profile (e.g. --config on a share)', async () => {
    const configPath = path.join(dir, 'config.ini');
    await writeFile(configPath, 'SFM_URL =\n');
    const profileDir = path.join(dir, 'profile');
    const service = createSettingsService(deps({ vault: testVault(false), platform: 'win32', profileDirs: [profileDir, path.join(dir, 'appdata')] }));
    const result = await service.save({ changes: {}, token: { action: 'replace', token: 'tok-plain-6' }, startAtLogin: false });
    expect(result).toEqual({
      kind: 'invalid',
      problems: [{
        key: 'SFM_API_TOKEN',
        message:
          `Encryption is not available on this computer and ${configPath} is outside your user profile (${profileDir}), where other accounts may be able to read it, ` +
          'so the token is not stored there in plain text: keep config.ini in your profile (start Series3 Watcher without --config) or leave the token empty.',
      }],
    });
    expect(await readFile(configPath, 'utf8')).toBe('SFM_URL =\n');
    expect(JSON.stringify(result)).not.toContain('tok-plain-6');
  });
});
