// The settings page in a real browser, backed by the real settings service and core
// (see page-harness.ts). Screenshots of each state go to test-output/electron/.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateSetting } from '../../src/config/index.js';
import { startReceiver, receiverImportPath, type Receiver } from '../support/receiver.js';
import { writeAged } from '../support/fixtures.js';
import { pushStatus, shot, shotAsOnWindows, testVault, usePageTests, type Harness } from './page-harness.js';
import type { AgentStatus } from '../../src/agent/status-types.js';
import { statusLine } from '../../electron/main/status-line.js';
import { trayView } from '../../electron/main/tray-view.js';
import { NOW_MS, heldBack, minutesAgo, statusWith } from './status-fixture.js';
import { APP_VERSION } from '../../src/text/version.js';
import { localClockOrDate } from '../../src/text/local-time.js';

// Each page must run under its own strict CSP without a single violation or script error
// (usePageTests checks that after every test).
const pages = usePageTests('s3w-settings-page-');
let receiver: Receiver;
let h: Harness;

beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const visibleText = async (selector: string): Promise<string> => {
  const el = h!.page.locator(selector);
  await el.waitFor({ state: 'visible' });
  return (await el.textContent()) ?? '';
};

describe('the settings page', () => {
  it('shows every forwarding option of config.ini, grouped, with the current values', async () => {
    h = await pages.open();
    const keys = await h.page.locator('[data-key]').evaluateAll((els) => els.map((e) => (e as unknown as { dataset: Record<string, string | undefined> }).dataset['key']));
    expect(keys).toEqual(expect.arrayContaining([
      'SERIES3_PATH', 'SCAN_INTERVAL_SECONDS', 'MAX_EVENT_AGE_DAYS', 'SFM_FORWARD_ENABLED', 'SFM_URL',
      'SFM_MAX_FORWARDS_PER_PASS', 'SFM_QUIESCENCE_SECONDS', 'SFM_MISSING_REPORT_GRACE_SECONDS',
      'SFM_HTTP_TIMEOUT_SECONDS', 'SFM_CA_FILE', 'SFM_PROXY', 'SFM_CONCURRENCY',
    ]));
    expect(keys).not.toContain('SFM_API_TOKEN');
    expect(keys).not.toContain('SFM_API_TOKEN_ENCRYPTED');
    expect(await h.page.inputValue('#field-SERIES3_PATH')).toBe(h.watchDir);
    expect(await h.page.isChecked('#field-SFM_FORWARD_ENABLED')).toBe(false);
    expect(await h.page.locator('#group-server').isVisible()).toBe(true);
    expect(await visibleText('#config-path')).toBe(h.configPath);
    expect(await visibleText('#token-state')).toBe('No token is stored: requests are sent without one.');
    await pushStatus(h.page, statusWith({ forwardEnabled: false, waiting: 3 }));
    expect(await visibleText('#status-line')).toBe('Forwarding off · 1,204 sent today · 3 waiting');
    await shotAsOnWindows(h, 'settings-window');
  });

  it("shows the core's own message for a bad value at once, and blocks Save until it is fixed", async () => {
    h = await pages.open();
    await h.page.fill('#field-SFM_URL', 'sfm.example:8000');
    const expected = validateSetting('SFM_URL', 'sfm.example:8000', h.configPath);
    expect(expected.ok).toBe(false);
    expect(await visibleText('#field-SFM_URL-message')).toBe(expected.ok ? '' : expected.problem.message);
    expect(await h.page.getAttribute('#field-SFM_URL', 'aria-invalid')).toBe('true');
    expect(await h.page.isDisabled('#save')).toBe(true);
    await shotAsOnWindows(h, 'settings-bad-url');

    await h.page.fill('#field-SFM_URL', receiver.url);
    await h.page.locator('#field-SFM_URL-message').waitFor({ state: 'hidden' });
    expect(await h.page.isEnabled('#save')).toBe(true);
  });

  it('saves only the key that was edited: every other byte of config.ini stays', async () => {
    h = await pages.open();
    const before = await readFile(h.configPath, 'utf8');
    await h.page.fill('#field-SFM_URL', 'not a url');
    await h.page.locator('#field-SFM_URL-message').waitFor();
    await h.page.fill('#field-SFM_URL', receiver.url);
    await h.page.locator('#field-SFM_URL-message').waitFor({ state: 'hidden' });
    await h.page.click('#save');
    await h.page.locator('#save-result.ok').waitFor();
    expect(await visibleText('#save-result')).toBe('Saved SFM_URL. The agent uses the new settings now.');

    const after = await readFile(h.configPath, 'utf8');
    const beforeLines = before.split('\n');
    const afterLines = after.split('\n');
    expect(afterLines).toHaveLength(beforeLines.length);
    const changed = afterLines.flatMap((line, i) => (line === beforeLines[i] ? [] : [[beforeLines[i], line]]));
    expect(changed).toEqual([['SFM_URL =', `SFM_URL = ${receiver.url}`]]);
    // The running agent took the new settings without a restart.
    await expect.poll(() => h!.supervisor.lastStatus()?.serverUrl).toBe(receiver.url);
    await shot(h.page, 'settings-saved');
  });

  it('Cancel, after the question, closes the window and writes nothing', async () => {
    h = await pages.open();
    const before = await readFile(h.configPath);
    await h.page.fill('#field-SCAN_INTERVAL_SECONDS', '30');
    await h.page.click('#cancel');
    await h.page.getByRole('button', { name: 'Close without saving' }).click();
    await expect.poll(() => h!.closed).toBe(true);
    expect((await readFile(h.configPath)).equals(before)).toBe(true);
  });

  it('Test connection reports what a live server answered, using the unsaved value in the form', async () => {
    h = await pages.open();
    const before = await readFile(h.configPath);
    const requestsBefore = receiver.requests.length;
    await h.page.fill('#field-SFM_URL', receiver.url);
    await h.page.click('#test-connection');
    await h.page.locator('#connection-result.ok').waitFor();
    // The core's words, as `series3-watcher check` prints them: nothing that reads like an error.
    expect(await visibleText('#connection-result')).toBe('Connected: the import endpoint answered; no token is set and the server asked for none');
    // The safe probe: one POST without files, and nothing stored.
    const probes = receiver.requests.slice(requestsBefore);
    expect(probes.map((r) => [r.method, r.path, r.files.length])).toEqual([['POST', receiverImportPath, 0]]);
    expect(receiver.received()).toEqual([]);
    expect((await readFile(h.configPath)).equals(before)).toBe(true); // testing saves nothing
    await shotAsOnWindows(h, 'settings-test-connection-ok', '#connection-result');
  });

  it('Test connection reports why a dead server (a closed port) did not answer', async () => {
    h = await pages.open();
    const port = await closedPort();
    await h.page.fill('#field-SFM_URL', `http://127.0.0.1:${port}`);
    await h.page.click('#test-connection');
    await h.page.locator('#connection-result.bad').waitFor();
    const text = await visibleText('#connection-result');
    expect(text).toContain(`127.0.0.1:${port}`);
    expect(text).not.toMatch(/answered/);
    await shot(h.page, 'settings-test-connection-failed', '#connection-result');
  });

  it('Skip existing backlog shows the counts, asks first, and marks nothing until confirmed', async () => {
    h = await pages.open();
    for (const name of ['M529LK44.AB0', 'M529LK45.AB0', 'S353L4H0.3M0W']) await writeAged(h.watchDir, name, `event ${name}`, 3_600);
    await writeAged(h.watchDir, 'M529LIY6.N00', 'an old one', 400 * 86_400);
    await writeAged(h.watchDir, 'UNIT.MLG', 'monitor log', 60);
    await expect.poll(() => h!.supervisor.lastStatus()?.running).toBe(true);

    await h.page.click('#seed-preview');
    expect(await visibleText('#seed-counts')).toBe(
      'Mark 3 events as delivered without sending them? (4 events in the folder · 0 already delivered · 1 too old (left alone))',
    );
    await shotAsOnWindows(h, 'settings-skip-backlog-confirm', '#seed-confirm');
    await h.page.click('#seed-cancel');
    expect(await visibleText('#seed-result')).toBe('Nothing was marked.');

    await h.page.click('#seed-preview');
    await h.page.locator('#seed-confirm').waitFor();
    await h.page.click('#seed-run');
    await h.page.locator('#seed-result.ok').waitFor();
    expect(await visibleText('#seed-result')).toBe(
      'Marked 3 events as delivered (4 events in the folder · 0 already delivered · 1 too old (left alone)).',
    );
    await h.page.click('#seed-preview');
    await h.page.locator('#seed-result.ok >> text=Nothing to skip').waitFor();
    expect(await visibleText('#seed-result')).toBe('Nothing to skip: 4 events in the folder · 3 already delivered · 1 too old (left alone).');
    expect(receiver.requests.filter((r) => r.files.length > 0)).toEqual([]);
  });

  it('Skip existing backlog asks to save first when the watch folder was edited', async () => {
    h = await pages.open();
    await h.page.fill('#field-SERIES3_PATH', path.join(pages.root(), 'elsewhere'));
    await h.page.click('#seed-preview');
    expect(await visibleText('#seed-result')).toBe('Save your changes first: the backlog is counted in the saved watch folder.');
    expect(await h.page.isHidden('#seed-confirm')).toBe(true);
  });

  it('Browse… puts the chosen folder in the field and checks it', async () => {
    h = await pages.open();
    h.folderToChoose = path.join(pages.root(), 'chosen folder');
    await h.page.click('#browse-SERIES3_PATH');
    await expect.poll(() => h!.page.inputValue('#field-SERIES3_PATH')).toBe(h.folderToChoose);
  });
});

describe('the token in the settings page', () => {
  it('is stored encrypted, never in clear, and never shown back', async () => {
    const vault = testVault(true);
    h = await pages.open({ vault });
    const token = 'tok-3f9a7c1e55d2';
    await h.page.click('#token-replace');
    await h.page.fill('#token-input', token);
    await h.page.click('#save');
    await h.page.locator('#save-result.ok').waitFor();
    expect(await visibleText('#save-result')).toBe('Saved SFM_API_TOKEN_ENCRYPTED. The agent uses the new settings now.');

    const text = await readFile(h.configPath, 'utf8');
    expect(text).not.toContain(token);
    expect(text).toMatch(/^SFM_API_TOKEN =$/m);
    expect(text).toContain(`SFM_API_TOKEN_ENCRYPTED = ${vault.encrypted[0]}`);
    expect(await visibleText('#token-state')).toBe('A token is stored (encrypted for your Windows account).');
    expect(await h.page.inputValue('#token-input')).toBe('');
    expect(await h.page.content()).not.toContain(token);
    // The agent got the decrypted token.
    expect((await h.service.effective()).config.apiToken).toBe(token);
    await shot(h.page, 'settings-token-stored', '#token-group');
  });

  it('Test connection uses the stored (decrypted) token', async () => {
    const guarded = await startReceiver({ token: 'tok-guarded-42' });
    try {
      h = await pages.open();
      await h.page.click('#token-replace');
      await h.page.fill('#token-input', 'tok-guarded-42');
      await h.page.fill('#field-SFM_URL', guarded.url);
      await h.page.click('#save');
      await h.page.locator('#save-result.ok').waitFor();
      await h.page.click('#test-connection');
      await h.page.locator('#connection-result.ok').waitFor();
      expect(guarded.requests.at(-1)?.authorization).toBe('Bearer tok-guarded-42');
      const connected = await visibleText('#connection-result');
      expect(connected).toBe('Connected: the import endpoint answered and the token was accepted');
      expect(connected).not.toMatch(/HTTP|error|fail|refused|tok-guarded/i);
      await shotAsOnWindows(h, 'settings-test-connection-token', '#connection-result');
      // Clearing the token in the form (unsaved) tests without one: the server refuses.
      await h.page.click('#token-clear');
      await h.page.click('#test-connection');
      await h.page.locator('#connection-result.bad').waitFor();
      expect(await visibleText('#connection-result')).toBe('the server wants a token (HTTP 401) and none is set; set SFM_API_TOKEN');
      expect(guarded.received()).toEqual([]);
    } finally {
      await guarded.close();
    }
  });

  it('item 7: Test connection says a wrong token was refused, without showing it', async () => {
    const guarded = await startReceiver({ token: 'tok-guarded-44', tokenRefusalStatus: 403 });
    try {
      h = await pages.open();
      await h.page.fill('#field-SFM_URL', guarded.url);
      await h.page.click('#token-replace');
      await h.page.fill('#token-input', 'tok-wrong-77');
      await h.page.click('#test-connection');
      await h.page.locator('#connection-result.bad').waitFor();
      expect(await visibleText('#connection-result')).toBe('the server refused the token (HTTP 403); check SFM_API_TOKEN');
      expect(await h.page.locator('body').innerText()).not.toContain('tok-wrong-77');
      expect(guarded.requests.at(-1)?.authorization).toBe('Bearer tok-wrong-77');
      expect(guarded.received()).toEqual([]);
    } finally {
      await guarded.close();
    }
  });

  it('item 3: the page says in plain words that the stored token was not sent to another server, and Save asks for it again', async () => {
    const guarded = await startReceiver({ token: 'tok-guarded-43' });
    const other = await startReceiver();
    try {
      h = await pages.open();
      await h.page.click('#token-replace');
      await h.page.fill('#token-input', 'tok-guarded-43');
      await h.page.fill('#field-SFM_URL', guarded.url);
      await h.page.click('#save');
      await h.page.locator('#save-result.ok').waitFor();
      await h.page.fill('#field-SFM_URL', other.url);
      await h.page.click('#test-connection');
      await h.page.locator('#connection-result.bad').waitFor();
      expect(await visibleText('#connection-result')).toMatch(
        new RegExp(`^Nothing was sent: the stored token was saved for ${guarded.url} and is sent only there, not to ${other.url}\\. To use a token with ${other.url}, choose Replace`),
      );
      await h.page.click('#save');
      await h.page.locator('#save-result.bad').waitFor();
      expect(await visibleText('#field-SFM_URL-message')).toContain(`SFM_URL now points to ${other.url}, but the stored token was saved for ${guarded.url}`);
      expect(other.requests.filter((r) => r.authorization !== undefined)).toEqual([]);
      expect(await readFile(h.configPath, 'utf8')).toContain(`SFM_URL = ${guarded.url}`);
      await shot(h.page, 'settings-token-other-server', '#connection-result');
      // Typing the token for the new server answers it: Save works again and the new server gets that token.
      await h.page.click('#token-replace');
      await h.page.locator('#field-SFM_URL-message').waitFor({ state: 'hidden' });
      await h.page.fill('#token-input', 'tok-for-other');
      await h.page.click('#save');
      await h.page.locator('#save-result.ok').waitFor();
      await h.page.click('#test-connection');
      await h.page.locator('#connection-result:not(.busy)').waitFor();
      expect(other.requests.at(-1)?.authorization).toBe('Bearer tok-for-other');
    } finally {
      await guarded.close();
      await other.close();
    }
  });

  it('says so, and keeps the token in SFM_API_TOKEN, where encryption is unavailable', async () => {
    h = await pages.open({ vault: testVault(false) });
    expect(await visibleText('#token-note')).toBe(
      'Encryption is not available on this computer: a token you enter is stored in plain text in config.ini.',
    );
    await h.page.click('#token-replace');
    await h.page.fill('#token-input', 'tok-plain-1');
    await h.page.click('#save');
    await h.page.locator('#save-result.ok').waitFor();
    expect(await visibleText('#save-result')).toContain('Encryption is not available on this computer, so the token is stored in plain text');
    expect(await readFile(h.configPath, 'utf8')).toMatch(/^SFM_API_TOKEN = tok-plain-1$/m);
    expect(await visibleText('#token-state')).toBe('A token is stored (in plain text in config.ini).');
  });

  it('Clear removes a stored token on Save', async () => {
    const vault = testVault(true);
    const stored = await vault.encrypt('tok-old');
    h = await pages.open({
      vault,
      configText: (t) => t.replace(/^SFM_API_TOKEN_ENCRYPTED =.*$/m, `SFM_API_TOKEN_ENCRYPTED = ${stored}`),
    });
    expect(await visibleText('#token-state')).toBe('A token is stored (encrypted for your Windows account).');
    await h.page.click('#token-clear');
    expect(await visibleText('#token-state')).toBe('The stored token will be removed when you save.');
    await h.page.click('#save');
    await h.page.locator('#save-result.ok').waitFor();
    expect(await readFile(h.configPath, 'utf8')).toMatch(/^SFM_API_TOKEN_ENCRYPTED =$/m);
    expect((await h.service.effective()).config.apiToken).toBe('');
  });
});

describe('start at login', () => {
  it('is a checkbox the app keeps (login item), saved with the rest', async () => {
    h = await pages.open();
    expect(await h.page.isChecked('#start-at-login')).toBe(false);
    const before = await readFile(h.configPath);
    await h.page.check('#start-at-login');
    await h.page.click('#save');
    await h.page.locator('#save-result.ok').waitFor();
    expect(h.loginItem).toBe(true);
    expect(await visibleText('#save-result')).toBe('Nothing to change in config.ini.');
    expect((await readFile(h.configPath)).equals(before)).toBe(true);
  });
});

describe('item 4: one status, one rule for failing', () => {
  const missingFolder = 'cannot read the watch folder C:\\Blastware 10\\Event\\autocall home: it does not exist (check SERIES3_PATH)';
  const cases: ReadonlyArray<readonly [string, AgentStatus | null]> = [
    ['starting (no status yet)', null],
    ['all delivered', statusWith()],
    ['working through a backlog', statusWith({ waiting: 37 })],
    ['forwarding off', statusWith({ forwardEnabled: false, waiting: 3 })],
    ['paused', statusWith({ paused: true, waiting: 37 })],
    ['server unreachable', statusWith({ serverReachable: false, lastFailureReason: 'connect ECONNREFUSED 127.0.0.1:8000' })],
    ['uploads failing', statusWith({ failingSince: minutesAgo(20), lastFailureReason: 'HTTP 502: Bad Gateway' })],
    ['events held back', statusWith({ heldBack: [heldBack('M529LK44.AB0', 'row status "error": bad header')] })],
    ['issue 10: events held back, every one dismissed (not failing)', statusWith({ heldBack: [heldBack('M529LK44.AB0', 'bad header', true)] })],
    ['issue 10: one dismissed, one not (failing)', statusWith({ heldBack: [heldBack('M529LK44.AB0', 'bad header', true), heldBack('M529LK45.AB0', 'bad header')] })],
    ['a missing watch folder (a problem, nothing else wrong)', statusWith({ problems: [missingFolder] })],
    ['the agent not running (worker crashed)', statusWith({ running: false, problems: ['The forwarding process stopped unexpectedly (exit code 1).'] })],
    ['off wins over a problem', statusWith({ forwardEnabled: false, problems: [missingFolder] })],
    ['paused wins over a problem', statusWith({ paused: true, problems: [missingFolder] })],
  ];

  it('the settings window shows the state the tray shows, for the same statuses', async () => {
    h = await pages.open();
    const line = h.page.locator('#status-line');
    for (const [name, status] of cases) {
      await pushStatus(h.page, status);
      const tray = trayView(status, NOW_MS).state;
      const shown = { state: await line.getAttribute('data-state'), red: await line.evaluate((el) => el.classList.contains('failing')) };
      expect(shown, name).toEqual({ state: tray, red: tray === 'failing' });
      expect(await line.textContent(), name).toBe(statusLine(status).text);
    }
  });

  it('issue 10 items 1 and 6: the status line tells a draining backlog in words; the footer names the app and its version', async () => {
    h = await pages.open();
    expect(await visibleText('#about')).toBe(`Series3 Watcher ${APP_VERSION}`);
    const nextMs = Date.now() + 50_000;
    const backlog = { waiting: 19_500, ratePerMinute: 500, etaSeconds: 39 * 60, nextBatchAt: new Date(nextMs).toISOString(), capReached: true };
    await pushStatus(h.page, statusWith({ waiting: 19_500, backlog }));
    expect(await visibleText('#status-line')).toBe(
      `Forwarding · 1,204 sent today · 19,500 waiting · about 39 min left · next batch ${localClockOrDate(nextMs, Date.now())} (500 per minute)`,
    );
    await shotAsOnWindows(h, 'settings-backlog');
  });

  it('a missing watch folder is "failing" in the window as in the tray, never "Forwarding"', async () => {
    h = await pages.open();
    const status = statusWith({ problems: [missingFolder] });
    await pushStatus(h.page, status);
    expect(trayView(status, NOW_MS).state).toBe('failing');
    expect(await visibleText('#status-line')).toBe(`Failing · 1,204 sent today · 0 waiting — ${missingFolder}`);
    expect(await h.page.getAttribute('#status-line', 'class')).toContain('failing');
  });
});
