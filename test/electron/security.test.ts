// Electron security over electron/: the window's options, the CSP, navigation and new
// windows, permissions, the sender check on every IPC handler, the preload's reach, and
// the main process's argument checks. Source files are read as text / parsed with the
// TypeScript compiler; nothing here imports a file that imports 'electron'.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import {
  CONTENT_SECURITY_POLICY,
  SECURE_WEB_PREFERENCES,
  isTrustedSenderUrl,
  mayNavigate,
} from '../../electron/main/window-security.js';
import { BadArguments, MAX_VALUE_CHARS, createIpcHandlers } from '../../electron/main/ipc-handlers.js';
import type { SettingsService } from '../../electron/main/settings-service.js';
import { repoRoot } from './page-harness.js';

const read = (rel: string): string => readFileSync(path.join(repoRoot, rel), 'utf8');
const mainDir = path.join(repoRoot, 'electron', 'main');
const mainFiles = readdirSync(mainDir).filter((f) => f.endsWith('.ts')).map((f) => `electron/main/${f}`);

function parse(rel: string): ts.SourceFile {
  return ts.createSourceFile(rel, read(rel), ts.ScriptTarget.ES2022, true);
}

function calls(file: ts.SourceFile, test: (expr: string) => boolean): ts.CallExpression[] {
  const out: ts.CallExpression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && test(node.expression.getText(file))) out.push(node);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map((parts) => [parts[0] ?? '', parts.slice(1)]),
  );
}

describe('the settings window options', () => {
  it.each([
    ['contextIsolation', true],
    ['sandbox', true],
    ['nodeIntegration', false],
    ['nodeIntegrationInWorker', false],
    ['nodeIntegrationInSubFrames', false],
    ['webSecurity', true],
    ['allowRunningInsecureContent', false],
    ['webviewTag', false],
    ['experimentalFeatures', false],
    ['disableBlinkFeatures', 'Auxclick'],
  ] as const)('%s is %s', (option, value) => {
    expect(SECURE_WEB_PREFERENCES[option]).toBe(value);
  });

  it('every BrowserWindow uses those options and adds only the preload and devTools', () => {
    const windows = mainFiles.flatMap((rel) => {
      const file = parse(rel);
      const found: string[] = [];
      const visit = (node: ts.Node): void => {
        if (ts.isNewExpression(node) && node.expression.getText(file) === 'BrowserWindow') {
          const options = node.arguments?.[0];
          const prefs = options && ts.isObjectLiteralExpression(options)
            ? options.properties.find((p) => p.name?.getText(file) === 'webPreferences')
            : undefined;
          found.push(prefs ? prefs.getText(file) : '(none)');
        }
        ts.forEachChild(node, visit);
      };
      visit(file);
      return found;
    });
    expect(windows).toEqual(['webPreferences: { ...SECURE_WEB_PREFERENCES, preload: options.preloadPath, devTools: options.devTools }']);
  });

  it('pages are loaded from files only: loadFile, never loadURL', () => {
    const all = mainFiles.map(read).join('\n');
    expect(all).toMatch(/\.loadFile\(/);
    expect(all).not.toMatch(/\.loadURL\(/);
  });

  it('the window cannot navigate, redirect, attach a webview or open new windows', () => {
    const win = read('electron/main/settings-window.ts');
    expect(win).toMatch(/contents\.on\('will-navigate', \(event, url\) => \{\s*if \(!mayNavigate\(url\)\) event\.preventDefault\(\);/);
    expect(win).toContain("contents.on('will-redirect', (event) => event.preventDefault());");
    expect(win).toContain("contents.on('will-attach-webview', (event) => event.preventDefault());");
    expect(win).toContain("contents.setWindowOpenHandler(() => ({ action: 'deny' }));");
    expect(mayNavigate('https://example.com/')).toBe(false);
    expect(mayNavigate(pathToFileURL('/other.html').href)).toBe(false);
  });

  it('every web contents (not only ours) is kept from navigating and opening windows, and permissions are denied', () => {
    const main = read('electron/main/main.ts');
    expect(main).toMatch(/app\.on\('web-contents-created', \(_event, contents\) => \{\s*contents\.on\('will-navigate', \(event\) => event\.preventDefault\(\)\);/);
    expect(main).toContain("contents.setWindowOpenHandler(() => ({ action: 'deny' }));");
    expect(main).toContain('ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));');
    expect(main).toContain('ses.setPermissionCheckHandler(() => false);');
    // No remote content: any http(s)/ws(s) request from a page is cancelled.
    expect(main).toMatch(/onBeforeRequest\(\{ urls: \['http:\/\/\*\/\*', 'https:\/\/\*\/\*', 'ws:\/\/\*\/\*', 'wss:\/\/\*\/\*'\] \}, \(_details, callback\) => callback\(\{ cancel: true \}\)\)/);
  });
});

describe('the Content-Security-Policy', () => {
  const html = read('electron/renderer/settings.html');
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];

  it('is in the page as a meta tag, the same policy main.ts sends as a header', () => {
    expect(meta).toBe(CONTENT_SECURITY_POLICY);
    expect(read('electron/main/main.ts')).toContain("'Content-Security-Policy': [CONTENT_SECURITY_POLICY]");
  });

  it.each([
    ['default-src', ["'none'"]],
    ['script-src', ["'self'"]],
    ['style-src', ["'self'"]],
    ['img-src', ["'self'", 'data:']],
    ['connect-src', ["'none'"]],
    ['object-src', ["'none'"]],
    ['frame-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
  ])('%s is %j', (name, sources) => {
    expect(directives(CONTENT_SECURITY_POLICY).get(name)).toEqual(sources);
  });

  it('allows nothing unsafe anywhere', () => {
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-|\*|https?:|blob:/);
  });

  it('the page needs no exception: no inline script, style or event handler', () => {
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=/);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });
});

describe('IPC', () => {
  it('every handler is registered in one place, and checks the sender before anything else', () => {
    const registrations = mainFiles.flatMap((rel) =>
      calls(parse(rel), (e) => /^ipcMain\.(handle|handleOnce|on|once|addListener)$/.test(e)).map((c) => ({ rel, call: c })),
    );
    expect(registrations.map((r) => r.rel)).toEqual(['electron/main/settings-window.ts']);
    const [registration] = registrations;
    const handler = registration?.call.arguments[1];
    expect(handler && ts.isArrowFunction(handler)).toBe(true);
    const body = handler && ts.isArrowFunction(handler) && ts.isBlock(handler.body) ? handler.body.statements : undefined;
    expect(body?.[0]?.getText()).toBe('if (!isTrustedSender(event)) throw new Error(`Refused ${channel}: the call did not come from the settings page.`);');
  });

  it('the sender check accepts the main frame of our own page and nothing else', () => {
    const win = read('electron/main/settings-window.ts');
    expect(win).toMatch(/event\.sender === win\.webContents &&\s*frame !== null &&\s*frame === event\.sender\.mainFrame &&\s*isTrustedSenderUrl\(frame\.url, pageUrl\)/);
  });

  const page = pathToFileURL(path.join(repoRoot, 'dist', 'electron', 'renderer', 'settings.html')).href;
  it.each([
    [page, true],
    [`${page}#token`, true],
    [`${page}?x=1`, true],
    [pathToFileURL(path.join(repoRoot, 'dist', 'electron', 'renderer', 'other.html')).href, false],
    [page.replace('file:///', 'file://evil-host/'), false],
    ['http://127.0.0.1:8080/settings.html', false],
    ['https://example.com/dist/electron/renderer/settings.html', false],
    ['data:text/html,<script>1</script>', false],
    ['about:blank', false],
    ['', false],
    [null, false],
    [undefined, false],
  ])('isTrustedSenderUrl(%s) is %s', (url, trusted) => {
    expect(isTrustedSenderUrl(url, page)).toBe(trusted);
  });

  it('the preload reaches only electron, and exposes one object', () => {
    const preload = read('electron/preload/preload.cts');
    const file = ts.createSourceFile('preload.cts', preload, ts.ScriptTarget.ES2022, true);
    const requires = calls(file, (e) => e === 'require').map((c) => c.arguments[0]?.getText(file));
    expect(requires).toEqual(["'electron'"]);
    const imports = file.statements.filter(ts.isImportDeclaration);
    expect(imports.every((i) => i.importClause?.isTypeOnly === true)).toBe(true); // types only: nothing loads
    const exposed = calls(file, (e) => e === 'contextBridge.exposeInMainWorld');
    expect(exposed.map((c) => c.arguments[0]?.getText(file))).toEqual(["'series3'"]);
    expect(preload).not.toMatch(/ipcRenderer\.send\(|ipcRenderer\.sendSync\(|\.\.\.args\)\s*=>\s*ipcRenderer/);
  });

  it('the page reaches the main process only through window.series3', () => {
    const scripts = readdirSync(path.join(repoRoot, 'electron', 'renderer')).filter((f) => f.endsWith('.ts'));
    expect(scripts).toContain('settings.ts');
    const all = scripts.map((f) => read(`electron/renderer/${f}`)).join('\n');
    expect(all).toContain('const api = window.series3;');
    expect(all).not.toMatch(/ipcRenderer|require\(|process\.|\bfetch\(|XMLHttpRequest|WebSocket/);
  });

  it('the page loads exactly its own scripts, each a classic script from its own folder', () => {
    const html = read('electron/renderer/settings.html');
    const loaded = [...html.matchAll(/<script ([^>]*)><\/script>/g)].map((m) => m[1]);
    const scripts = readdirSync(path.join(repoRoot, 'electron', 'renderer')).filter((f) => f.endsWith('.ts')).map((f) => `src="${f.replace(/\.ts$/, '.js')}"`);
    expect([...loaded].sort()).toEqual([...scripts].sort());
    expect(loaded.at(-1)).toBe('src="settings.js"'); // the wiring runs once every part is defined
  });

  it('the preload calls exactly the channels the main process handles', () => {
    const preloadChannels = [...read('electron/preload/preload.cts').matchAll(/invoke\('(settings:[a-z-]+)'/g)].map((m) => m[1]).sort();
    const table = createIpcHandlers(recordingService().service, { chooseFolder: async () => null, close: () => undefined });
    expect(Object.keys(table).sort()).toEqual(preloadChannels);
  });
});

function recordingService(): { service: SettingsService; calls: string[] } {
  const calls: string[] = [];
  const record = (name: string) => async (): Promise<never> => {
    calls.push(name);
    return null as never;
  };
  return {
    calls,
    service: {
      load: record('load'),
      validate: record('validate'),
      save: record('save'),
      testConnection: record('testConnection'),
      previewSeed: record('previewSeed'),
      seedBacklog: record('seedBacklog'),
      heldBack: record('heldBack'),
      effective: record('effective'),
    },
  };
}

describe('arguments from the page are checked in the main process', () => {
  const long = 'x'.repeat(MAX_VALUE_CHARS + 1);
  const cases: ReadonlyArray<readonly [string, string, readonly unknown[]]> = [
    ['extra arguments', 'settings:load', ['x']],
    ['a key that is not text', 'settings:validate', [42, '1']],
    ['a value that is too long', 'settings:validate', ['SFM_URL', long]],
    ['a missing argument', 'settings:validate', ['SFM_URL']],
    ['a save request that is not an object', 'settings:save', ['{}']],
    ['the token smuggled in as a form value', 'settings:save', [{ changes: { SFM_API_TOKEN: 'x' }, token: { action: 'keep' }, startAtLogin: false }]],
    ['the encrypted token as a form value', 'settings:save', [{ changes: { SFM_API_TOKEN_ENCRYPTED: 'eA==' }, token: { action: 'keep' }, startAtLogin: false }]],
    ['a key the core does not know', 'settings:save', [{ changes: { NOT_A_KEY: '1' }, token: { action: 'keep' }, startAtLogin: false }]],
    ['a value that is not text', 'settings:save', [{ changes: { SFM_URL: 5 }, token: { action: 'keep' }, startAtLogin: false }]],
    ['an unknown token action', 'settings:save', [{ changes: {}, token: { action: 'show' }, startAtLogin: false }]],
    ['a token that is not text', 'settings:save', [{ changes: {}, token: { action: 'replace', token: 1 }, startAtLogin: false }]],
    ['startAtLogin that is not true/false', 'settings:save', [{ changes: {}, token: { action: 'keep' }, startAtLogin: 'yes' }]],
    ['form values that are an array', 'settings:test-connection', [[], { action: 'keep' }]],
    ['a folder that is not text', 'settings:choose-folder', [{}]],
    ['arguments to seed', 'settings:seed', [true]],
    ['a held-back name that is a path', 'settings:held-back-retry', ['..\\..\\config.ini']],
    ['a held-back name that is not an event file', 'settings:held-back-dismiss', ['notes.txt']],
    ['a held-back name that is not text', 'settings:held-back-dismiss', [['M529LK44.AB0']]],
    ['two held-back names at once', 'settings:held-back-retry', ['M529LK44.AB0', 'M529LK45.AB0']],
  ];
  it.each(cases)('refuses %s (%s) before the service sees it', async (_name, channel, args) => {
    const { service, calls } = recordingService();
    const table = createIpcHandlers(service, { chooseFolder: async () => null, close: () => undefined });
    const handler = (table as Record<string, (a: readonly unknown[]) => Promise<unknown>>)[channel];
    await expect(handler?.(args)).rejects.toBeInstanceOf(BadArguments);
    expect(calls).toEqual([]);
  });

  it('passes well-formed arguments through, with keys in their canonical spelling', async () => {
    const seen: unknown[] = [];
    const { service } = recordingService();
    const table = createIpcHandlers(
      { ...service, save: async (request) => (seen.push(request), null as never) },
      { chooseFolder: async () => null, close: () => undefined },
    );
    await table['settings:save']([{ changes: { sfm_url: 'http://127.0.0.1:1' }, token: { action: 'replace', token: 't' }, startAtLogin: true }]);
    expect(seen).toEqual([{ changes: { SFM_URL: 'http://127.0.0.1:1' }, token: { action: 'replace', token: 't' }, startAtLogin: true }]);
  });
});

describe('process layout', () => {
  const sourceFiles = (dir: string): string[] =>
    readdirSync(path.join(repoRoot, dir), { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile() && /\.(c|m)?ts$/.test(d.name))
      .map((d) => path.relative(repoRoot, path.join(d.parentPath, d.name)));
  const importsElectron = (rel: string): boolean => /from 'electron'|require\('electron'\)/.test(read(rel).replace(/import type [^;]+;/g, ''));

  it('nothing in src/ imports electron or electron/', () => {
    const offenders = sourceFiles('src').filter((rel) => importsElectron(rel) || /from '(\.\.\/)+electron\//.test(read(rel)));
    expect(offenders).toEqual([]);
  });

  it("only the thin Electron files import 'electron'; the logic modules do not", () => {
    expect(mainFiles.filter(importsElectron).sort()).toEqual([
      'electron/main/main.ts',
      'electron/main/settings-window.ts',
      'electron/main/token-vault.ts',
      'electron/main/tray.ts',
      'electron/main/worker-host.ts',
    ]);
  });

  it("no test imports a file that imports 'electron'", () => {
    const thin = new Set(mainFiles.filter(importsElectron).map((rel) => path.basename(rel, '.ts')));
    const specifiers = (rel: string): string[] =>
      parse(rel).statements.flatMap((s) => (ts.isImportDeclaration(s) && ts.isStringLiteral(s.moduleSpecifier) ? [s.moduleSpecifier.text] : []));
    const offenders = sourceFiles('test').filter((rel) =>
      specifiers(rel).some((spec) => spec === 'electron' || (spec.includes('electron/main/') && thin.has(path.basename(spec, '.js')))),
    );
    expect(sourceFiles('test').length).toBeGreaterThan(0);
    expect(offenders).toEqual([]);
  });

  it('the tray view module is pure: no electron, no node built-ins', () => {
    expect(read('electron/main/tray-view.ts')).not.toMatch(/from '(electron|node:[a-z/]+)'/);
    expect(read('electron/main/failure-notice.ts')).not.toMatch(/from '(electron|node:[a-z/]+)'/);
    expect(read('electron/main/status-line.ts')).not.toMatch(/from '(electron|node:[a-z/]+)'/);
    expect(read('src/agent/status-view.ts')).not.toMatch(/from '(electron|node:[a-z/]+)'/);
  });

  /** Every module a file names (imports, re-exports, `import('…')` types), resolved to a repo path, and whether only types come. */
  function importsOf(rel: string): Array<{ readonly target: string; readonly typeOnly: boolean }> {
    const file = parse(rel);
    const out: Array<{ target: string; typeOnly: boolean }> = [];
    const add = (spec: string, typeOnly: boolean): void => {
      if (!spec.startsWith('.')) return; // packages and node: built-ins are not rooms
      const target = path.relative(repoRoot, path.resolve(repoRoot, path.dirname(rel), spec)).split(path.sep).join('/');
      out.push({ target: target.replace(/\.(c|m)?js$/, (ext) => ext.replace('js', 'ts')), typeOnly });
    };
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        const clause = node.importClause;
        const typeOnly = clause !== undefined && (clause.isTypeOnly ||
          (clause.name === undefined && clause.namedBindings !== undefined && ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly)));
        add(node.moduleSpecifier.text, typeOnly);
      } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        add(node.moduleSpecifier.text, node.isTypeOnly);
      } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
        add(node.argument.literal.text, true);
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
        add(node.arguments[0].text, false);
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
    return out;
  }
  /** `src/agent/x.ts` -> `src/agent`; `electron/main/x.ts` -> `electron/main`. */
  const roomOf = (rel: string): string => rel.split('/').slice(0, 2).join('/');
  const arrows = (dir: string): Array<{ readonly from: string; readonly to: string; readonly target: string; readonly typeOnly: boolean }> =>
    sourceFiles(dir).flatMap((rel) => {
      const from = rel.split(path.sep).join('/');
      return importsOf(from).map((i) => ({ from, to: roomOf(i.target), target: i.target, typeOnly: i.typeOnly }));
    });

  // ../shared/STYLE.md: config at the bottom; scan, pair, upload, record and units do not import
  // each other; agent composes them; cli calls agent; a leaf (src/text) any room may use.
  const LEAVES = ['src/text'];
  const SRC_RULES: Readonly<Record<string, readonly string[]>> = {
    'src/text': [],
    'src/config': [],
    'src/scan': ['src/config'],
    'src/pair': ['src/config'],
    'src/upload': ['src/config'],
    'src/record': ['src/config'],
    'src/units': ['src/config'],
    'src/agent': ['src/config', 'src/scan', 'src/pair', 'src/upload', 'src/record', 'src/units'],
    'src/cli': ['src/config', 'src/agent'],
  };
  /** Arrows the rules above do not allow yet, each with why it is still here; the list may only shrink. */
  const KNOWN_EXCEPTIONS: ReadonlyArray<readonly [from: string, to: string, why: string]> = [
  ];

  it('item 6: inside src/, imports follow the rooms of STYLE.md', () => {
    const all = arrows('src');
    expect(all.length).toBeGreaterThan(20);
    expect(Object.keys(SRC_RULES).sort()).toEqual(readdirSync(path.join(repoRoot, 'src'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `src/${d.name}`).sort());
    const offenders = all
      .filter((a) => a.to !== roomOf(a.from) && !LEAVES.includes(a.to))
      .filter((a) => !(SRC_RULES[roomOf(a.from)] ?? []).includes(a.to))
      // The data one room hands another through agent (a listing's entries) may be named by type.
      .filter((a) => !(a.typeOnly && a.target.endsWith('/types.ts')))
      .filter((a) => !KNOWN_EXCEPTIONS.some(([from, to]) => a.from === from && a.to === to))
      .map((a) => `${a.from} -> ${a.target}${a.typeOnly ? ' (types)' : ''}`);
    expect(offenders).toEqual([]);
    // A known exception that is gone must leave the list, so the list cannot hide a new one.
    for (const [from, to] of KNOWN_EXCEPTIONS) expect(all.some((a) => a.from === from && a.to === to), `${from} -> ${to}`).toBe(true);
  });

  it('item 6: inside electron/, each process imports only what it may', () => {
    const all = arrows('electron');
    expect(all.length).toBeGreaterThan(20);
    const offenders = all
      .filter((a) => {
        const room = roomOf(a.from);
        if (room === 'electron/renderer') return a.to !== 'electron/renderer' && !(a.typeOnly && a.to === 'electron/shared');
        if (room === 'electron/preload') return !(a.typeOnly && a.to === 'electron/shared');
        if (room === 'electron/shared') return !['electron/shared', ...Object.keys(SRC_RULES)].includes(a.to);
        if (room === 'electron/worker') return !['electron/worker', 'electron/shared', ...Object.keys(SRC_RULES)].includes(a.to);
        if (room === 'electron/main') return !['electron/main', 'electron/shared', ...Object.keys(SRC_RULES)].includes(a.to);
        return true; // a new folder in electron/ needs its rule here first
      })
      .map((a) => `${a.from} -> ${a.target}${a.typeOnly ? ' (types)' : ''}`);
    expect(offenders).toEqual([]);
    // The renderer's scripts share one scope and load nothing: not even a type from src/ directly.
    expect(all.filter((a) => roomOf(a.from) === 'electron/renderer').every((a) => a.typeOnly)).toBe(true);
  });

  it('item 6: the worker runs from electron/worker/, the contract and its checks are in electron/shared/', () => {
    expect(sourceFiles('electron/worker').map((f) => path.basename(f)).sort()).toEqual(['worker-runtime.ts', 'worker.ts']);
    expect(read('electron/main/main.ts')).toContain("spawnWorker(path.join(here, '..', 'worker', 'worker.js'))");
    expect(read('electron/tsconfig.json')).toContain('"worker/**/*.ts"');
    for (const file of sourceFiles('electron/shared')) expect(read(file), file).not.toMatch(/from '(electron|node:[a-z/]+)'/);
  });

  it('item 6: no function in electron/ is longer than 100 lines (measured with the TypeScript parser)', () => {
    const MAX_LINES = 100;
    const long: string[] = [];
    for (const rel of sourceFiles('electron')) {
      const file = parse(rel);
      const visit = (node: ts.Node): void => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
          const first = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
          const last = file.getLineAndCharacterOfPosition(node.getEnd()).line;
          if (last - first + 1 > MAX_LINES) long.push(`${rel}:${first + 1} ${last - first + 1} lines`);
        }
        ts.forEachChild(node, visit);
      };
      visit(file);
    }
    expect(long).toEqual([]);
  });
});
