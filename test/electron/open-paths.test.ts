// "Open log" and "Open watch folder" (issue 8 item 2): what the tray may hand to the shell,
// decided on real files in a temp folder; and a .bat as LOG_FILE refused at the IPC door.
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decideOpen } from '../../electron/main/open-paths.js';
import { createIpcHandlers } from '../../electron/main/ipc-handlers.js';
import { createSettingsService } from '../../electron/main/settings-service.js';
import { repoRoot, testVault } from './page-harness.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 's3w-open-paths-'));
  await mkdir(path.join(dir, 'events'));
  await writeFile(path.join(dir, 'agent.log'), 'a line\n');
  await writeFile(path.join(dir, 'notes.TXT'), 'a line\n');
  await writeFile(path.join(dir, 'evil.bat'), '@echo off\r\ncalc\r\n');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const at = (name: string): string => path.join(dir, name);

/** A directory symlink; on Windows a junction, which needs no privilege. */
async function linkTo(target: string, name: string): Promise<string> {
  await symlink(target, at(name), process.platform === 'win32' ? 'junction' : 'dir');
  return at(name);
}

describe('item 2: Open watch folder opens only a folder', () => {
  it('opens a folder', async () => {
    expect(await decideOpen(at('events'), 'watch-folder')).toEqual({ kind: 'open', path: at('events') });
  });

  it('opens a junction or symlink to a folder (Explorer shows the folder)', async () => {
    const link = await linkTo(at('events'), 'events-link');
    expect(await decideOpen(link, 'watch-folder')).toEqual({ kind: 'open', path: link });
  });

  it.each(['evil.bat', 'agent.log'])('never opens a file named as the watch folder (%s): it would run', async (name) => {
    const decision = await decideOpen(at(name), 'watch-folder');
    expect(decision).toEqual({ kind: 'refuse', reason: `SERIES3_PATH ${at(name)} is not a folder, so it is not opened: set it to the folder Blastware writes events into` });
  });

  it('says a missing watch folder does not exist, naming the key to fix', async () => {
    expect(await decideOpen(at('gone'), 'watch-folder')).toEqual({
      kind: 'refuse',
      reason: `the watch folder ${at('gone')} does not exist: check SERIES3_PATH in Settings`,
    });
  });
});

describe('item 2: Open log opens only a regular .log or .txt file; anything else is shown in its folder, never run', () => {
  it.each(['agent.log', 'notes.TXT'])('opens the text log %s', async (name) => {
    expect(await decideOpen(at(name), 'log')).toEqual({ kind: 'open', path: at(name) });
  });

  it('shows a .bat in its folder instead of running it', async () => {
    expect(await decideOpen(at('evil.bat'), 'log')).toEqual({ kind: 'reveal', path: at('evil.bat') });
  });

  it('shows a symlink named .log in its folder (its target could be anything)', async () => {
    await symlink(at('evil.bat'), at('linked.log'), 'file').catch((err: NodeJS.ErrnoException) => {
      // Windows without Developer Mode cannot make file symlinks; the junction case below still runs.
      if (err.code !== 'EPERM') throw err;
    });
    if (process.platform === 'win32') return;
    expect(await decideOpen(at('linked.log'), 'log')).toEqual({ kind: 'reveal', path: at('linked.log') });
  });

  it('shows a junction or folder named .log in its folder', async () => {
    const link = await linkTo(at('events'), 'folder.log');
    expect(await decideOpen(link, 'log')).toEqual({ kind: 'reveal', path: link });
    await mkdir(at('real-folder.log'));
    expect(await decideOpen(at('real-folder.log'), 'log')).toEqual({ kind: 'reveal', path: at('real-folder.log') });
  });

  it('shows, never opens, a .log that names an alternate data stream (run.bat:x.log)', async () => {
    // On Linux the colon is an ordinary character, so the file can exist and be checked here.
    if (process.platform === 'win32') return;
    await writeFile(at('run.bat:x.log'), 'x');
    expect(await decideOpen(at('run.bat:x.log'), 'log')).toEqual({ kind: 'reveal', path: at('run.bat:x.log') });
  });

  it('opens the folder a log that is not written yet will be in', async () => {
    expect(await decideOpen(at('later.log'), 'log')).toEqual({ kind: 'open', path: dir });
  });

  it('refuses, with a reason, a log whose folder does not exist either', async () => {
    const missing = path.join(dir, 'nowhere', 'later.log');
    expect(await decideOpen(missing, 'log')).toEqual({
      kind: 'refuse',
      reason: `the log ${missing} and its folder do not exist yet: they appear once the agent has run`,
    });
  });

  it('refuses a relative path', async () => {
    expect((await decideOpen('agent.log', 'log')).kind).toBe('refuse');
  });
});

describe('item 2: the tray acts only on the decision', () => {
  it('main.ts hands the shell only what decideOpen returned', async () => {
    const main = await readFile(path.join(repoRoot, 'electron', 'main', 'main.ts'), 'utf8');
    expect(main.match(/shell\.(openPath|showItemInFolder|openExternal)\(([^)]*)\)/g)).toEqual([
      'shell.showItemInFolder(decision.path)',
      'shell.openPath(decision.path)',
    ]);
  });
});

describe('item 2: a LOG_FILE that is not a .log or .txt is refused through the settings page’s IPC', () => {
  it('saving LOG_FILE = a .bat in the Startup folder is invalid and config.ini is unchanged', async () => {
    const configPath = at('config.ini');
    await writeFile(configPath, 'LOG_FILE = agent.log\n');
    const service = createSettingsService({
      configPath,
      vault: testVault(),
      loginItem: { get: () => false, set: () => undefined },
      checkServer: async () => ({ kind: 'ok', token: 'not-needed', detail: 'unused' }),
      seedPreview: async () => Promise.reject(new Error('unused')),
      seed: async () => Promise.reject(new Error('unused')),
      onSaved: () => undefined,
    });
    const handlers = createIpcHandlers(service, { chooseFolder: async () => null, close: () => undefined });
    const startup = 'C:\\Users\\tech\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup\\evil.bat';
    const result = await handlers['settings:save']([{ changes: { LOG_FILE: startup }, token: { action: 'keep' }, startAtLogin: false }]);
    expect(result).toEqual({
      kind: 'invalid',
      problems: [{ key: 'LOG_FILE', message: expect.stringContaining('a log file name must end in .log or .txt') }],
    });
    expect(await readFile(configPath, 'utf8')).toBe('LOG_FILE = agent.log\n');
  });
});
