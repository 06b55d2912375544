// The electron-builder configuration in package.json: valid for the installed
// electron-builder (its own schema check), a per-user NSIS installer plus a portable
// build for Windows x64, and everything the app loads at run time in the files list.
// The installer itself can only be built and run on Windows (see the README).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { findPackageVersion } from '../../src/text/version.js';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './page-harness.js';

interface TargetSpec { readonly target: string; readonly arch: readonly string[] }
const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  main: string;
  scripts: Record<string, string>;
  build: {
    appId: string;
    productName: string;
    files: string[];
    extraResources: { from: string; to: string }[];
    win: { target: TargetSpec[]; icon: string };
    nsis: Record<string, unknown>;
    asar: boolean;
    electronFuses: Record<string, boolean>;
  };
};

describe('packaging (electron-builder)', () => {
  it('passes the installed electron-builder’s own configuration check', async () => {
    const require = createRequire(import.meta.url);
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
      validateConfiguration(config: unknown, debugLogger: { isEnabled: boolean; add(): void }): Promise<void>;
    };
    await expect(validateConfiguration(pkg.build, { isEnabled: false, add: () => undefined })).resolves.toBeUndefined();
    // And it is able to fail: an unknown option is refused.
    await expect(validateConfiguration({ ...pkg.build, notAnOption: 1 }, { isEnabled: false, add: () => undefined })).rejects.toThrow();
  });

  it('names the app and builds a per-user NSIS installer and a portable exe for Windows x64', () => {
    expect(pkg.build.appId).toBe('com.seismo.series3watcher');
    expect(pkg.build.productName).toBe('Series3 Watcher');
    expect(pkg.build.win.target).toEqual([
      { target: 'nsis', arch: ['x64'] },
      { target: 'portable', arch: ['x64'] },
    ]);
    expect(pkg.build.nsis).toMatchObject({ perMachine: false, allowElevation: false });
    expect(existsSync(path.join(repoRoot, pkg.build.win.icon))).toBe(true);
  });

  it('item 12: the installer refuses Windows before 10 with a message that points to the headless agent', () => {
    const include = pkg.build.nsis['include'];
    expect(include).toBe('assets/installer.nsh');
    const script = readFileSync(path.join(repoRoot, String(include)), 'utf8');
    expect(script).toMatch(/!macro customInit[\s\S]*\$\{IfNot\} \$\{AtLeastWin10\}[\s\S]*MessageBox[\s\S]*Windows 10 or later[\s\S]*headless agent[\s\S]*Quit[\s\S]*!macroend/);
    expect(script).toContain('!include "WinVer.nsh"');
  });

  it('item 1: the packaged exe has RunAsNode, NODE_OPTIONS and --inspect off, cookie encryption on, file:// privileges off, and loads only an integrity-checked app.asar', async () => {
    // Through electron-builder's own mapping (the one `npm run dist` uses) to @electron/fuses'
    // wire positions, so a misspelt or missing key fails here, not silently in the installer.
    const require = createRequire(import.meta.url);
    const { PlatformPackager } = require('app-builder-lib') as {
      PlatformPackager: { prototype: { generateFuseConfig(fuses: unknown): Promise<Record<string, unknown>> } };
    };
    const { FuseV1Options } = require('@electron/fuses') as { FuseV1Options: Record<string, number> };
    const wire = await PlatformPackager.prototype.generateFuseConfig.call({}, pkg.build.electronFuses);
    const expected: Record<string, boolean> = {
      RunAsNode: false,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      EnableCookieEncryption: true,
      GrantFileProtocolExtraPrivileges: false,
      EnableEmbeddedAsarIntegrityValidation: true,
      OnlyLoadAppFromAsar: true,
    };
    for (const [fuse, value] of Object.entries(expected)) {
      expect(wire[String(FuseV1Options[fuse])], fuse).toBe(value);
    }
    expect(pkg.build.asar).toBe(true); // OnlyLoadAppFromAsar needs an app.asar to load
  });

  it('item 1: nothing in the tray app relies on ELECTRON_RUN_AS_NODE, NODE_OPTIONS or --inspect (the fuses turn them off)', () => {
    const sources = readdirSync(path.join(repoRoot, 'electron'), { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.(c|m)?ts$/.test(f))
      .map((f) => [f, readFileSync(path.join(repoRoot, 'electron', f), 'utf8')] as const);
    expect(sources.length).toBeGreaterThan(10);
    for (const [file, text] of sources) {
      expect(text, file).not.toMatch(/ELECTRON_RUN_AS_NODE|NODE_OPTIONS|--inspect|child_process|execArgv/);
    }
  });

  it('ships config-template.ini beside the app (the first-run config)', () => {
    expect(pkg.build.extraResources).toEqual([{ from: 'config-template.ini', to: 'config-template.ini' }]);
    expect(existsSync(path.join(repoRoot, 'config-template.ini'))).toBe(true);
  });

  it('packs the core, the main process, the preload, the page and the icons', () => {
    const files = pkg.build.files;
    for (const needed of [
      'dist/src/**/*.js',
      'dist/electron/main/**/*.js',
      'dist/electron/worker/**/*.js',
      'dist/electron/shared/**/*.js',
      'dist/electron/preload/*.cjs',
      'dist/electron/renderer/*.{html,css,js}',
      'assets/*.{png,ico}',
    ]) {
      expect(files).toContain(needed);
    }
    expect(pkg.main).toBe('dist/electron/main/main.js');
  });

  it('issue 10 item 6: packs package.json, the one source of the version, which the built core finds from dist/src (as inside app.asar)', () => {
    expect(pkg.build.files).toContain('package.json');
    expect(pkg.build.files).toContain('dist/src/**/*.js');
    const version = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
    expect(findPackageVersion(path.join(repoRoot, 'dist', 'src'))).toBe(version);
    expect(existsSync(path.join(repoRoot, 'dist', 'src', 'text', 'version.js')), 'dist/src/text/version.js (run npm run build)').toBe(true);
  });

  it('`npm run dist` packs what `npm run build` and `npm run build:electron` produced, and that is everything the app loads', () => {
    expect(pkg.scripts['dist']).toMatch(/^npm run build && npm run build:electron && electron-builder --win --x64$/);
    // `npm test` runs both builds first, so these are the real outputs, not a listing.
    for (const built of [
      'dist/src/agent/index.js',
      'dist/electron/main/main.js',
      'dist/electron/worker/worker.js',
      'dist/electron/preload/preload.cjs',
      'dist/electron/renderer/settings.html',
      'dist/electron/renderer/settings.css',
      'dist/electron/renderer/settings.js',
    ]) {
      expect(existsSync(path.join(repoRoot, built)), `${built} (run npm run build && npm run build:electron)`).toBe(true);
    }
  });
});
