// Issue 8 item 7: the tray app's command line, as a table; the folder check on real files;
// what a second start for the same user is told; and the login item keeps the arguments.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConfigPath, parseCommandLine, secondInstanceNotice, type CommandLine } from '../../electron/main/command-line.js';
import { repoRoot } from './page-harness.js';

const cwd = path.resolve(os.tmpdir(), 'site');
const at = (name: string): string => path.resolve(cwd, name);
const ok = (file: string | null): CommandLine =>
  file === null ? { kind: 'ok', configPath: null, loginArgs: [] } : { kind: 'ok', configPath: at(file), loginArgs: [`--config=${at(file)}`] };
const EXAMPLE = '--config="C:\\Series3\\config.ini"';

describe('item 7: the tray app reads --config in both of the CLI’s forms, or says what is wrong', () => {
  const cases: ReadonlyArray<readonly [string, readonly string[], CommandLine]> = [
    ['no arguments: the per-user config', [], ok(null)],
    ['Chromium switches pass through', ['--disable-gpu', '--lang=de'], ok(null)],
    ['--config=x.ini', ['--config=x.ini'], ok('x.ini')],
    ['--config x.ini (the CLI’s form)', ['--config', 'x.ini'], ok('x.ini')],
    ['--config with a path with spaces', ['--config', 'My Site/config.ini'], ok('My Site/config.ini')],
    ['an absolute path stays', ['--config', at('abs.ini')], ok('abs.ini')],
    ['among other switches', ['--disable-gpu', '--config', 'x.ini', '--lang=de'], ok('x.ini')],
    ['--config= (empty)', ['--config='], { kind: 'error', message: `--config is empty: give the path of a config.ini, e.g. ${EXAMPLE}` }],
    ['--config "" (empty)', ['--config', ''], { kind: 'error', message: `--config is empty: give the path of a config.ini, e.g. ${EXAMPLE}` }],
    ['--config at the end', ['--config'], { kind: 'error', message: `--config needs the path of a config.ini after it, e.g. ${EXAMPLE}` }],
    ['--config followed by a switch', ['--config', '--disable-gpu'], { kind: 'error', message: `--config needs the path of a config.ini after it, e.g. ${EXAMPLE}` }],
    ['--config twice', ['--config=a.ini', '--config', 'b.ini'], { kind: 'error', message: '--config is given twice (a.ini and b.ini): give one config.ini' }],
  ];
  it.each(cases)('%s', (_name, args, expected) => {
    expect(parseCommandLine(args, cwd)).toEqual(expected);
  });
});

describe('item 7: a --config that names a folder is refused at start', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 's3w-command-line-'));
    await mkdir(path.join(dir, 'folder'));
    await writeFile(path.join(dir, 'config.ini'), 'SFM_URL =\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a folder is refused with a message naming it', async () => {
    expect(await checkConfigPath(path.join(dir, 'folder'))).toBe(
      `--config names a folder, ${path.join(dir, 'folder')}: give the path of a config.ini file in it, e.g. ${EXAMPLE}`,
    );
  });

  it('an existing file, or a missing one (created from the template), is fine', async () => {
    expect(await checkConfigPath(path.join(dir, 'config.ini'))).toBeNull();
    expect(await checkConfigPath(path.join(dir, 'new.ini'))).toBeNull();
  });

  it('`--config=` in the old code resolved to the working folder; now it never reaches the folder check', () => {
    expect(parseCommandLine(['--config='], dir).kind).toBe('error');
  });
});

describe('item 7: one instance per user', () => {
  it('a second start with the same config, or none, just shows the running one’s window', () => {
    expect(secondInstanceNotice(at('a.ini'), ['--config', 'a.ini'], cwd)).toBeNull();
    expect(secondInstanceNotice(at('a.ini'), [], cwd)).toBeNull();
  });

  it('a second start with another config is told that one instance runs per user, naming both', () => {
    expect(secondInstanceNotice(at('a.ini'), ['--config=b.ini'], cwd)).toBe(
      `Series3 Watcher is already running for this Windows account with ${at('a.ini')}, so ${at('b.ini')} was not started: ` +
        'one instance runs per user. Quit it from the tray first, or run the headless agent (series3-watcher run --config …) for a second config.',
    );
  });
});

describe('item 7: "start at login" keeps the arguments', () => {
  it('main.ts passes the parsed login arguments to the login item, and reads it back with them', async () => {
    const main = await readFile(path.join(repoRoot, 'electron', 'main', 'main.ts'), 'utf8');
    expect(main).toMatch(/app\.setLoginItemSettings\(\{[^}]*args: \[\.\.\.given\.loginArgs\]/);
    expect(main).toMatch(/app\.getLoginItemSettings\(\{[^}]*args: \[\.\.\.given\.loginArgs\]/);
    expect(main).toContain('parseCommandLine(ownArgs(process.argv), process.cwd())');
    expect(main).not.toMatch(/argv\.find|startsWith\('--config/);
  });

  it('the login arguments are absolute, so a sign-in (working folder System32) finds the same file', () => {
    const parsed = parseCommandLine(['--config', 'x.ini'], cwd);
    expect(parsed.kind === 'ok' && parsed.loginArgs).toEqual([`--config=${at('x.ini')}`]);
    expect(parsed.kind === 'ok' && path.isAbsolute(parsed.loginArgs[0]!.slice('--config='.length))).toBe(true);
  });
});
