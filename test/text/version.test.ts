// Issue 10 item 6: one source of the version. src/text/version.ts walks up from its own folder to the
// package.json named series3-watcher: the same file from src/ (tests), dist/src/ (the CLI) and
// app.asar/dist/src/text/ (the packaged app), skipping any other package's package.json on the way.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { APP_VERSION, findPackageVersion, PRODUCT_NAME, USER_AGENT } from '../../src/text/version.js';

let root: string | null = null;
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
  root = null;
});

async function tree(files: Record<string, unknown>): Promise<string> {
  root = await mkdtemp(path.join(os.tmpdir(), 's3w-version-'));
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return root;
}

describe('item 6: the version comes from package.json, read once', () => {
  it("is this repository's package.json version, and the User-Agent names it", () => {
    const pkg = JSON.parse(readFileSync(path.resolve('package.json'), 'utf8')) as { version: string };
    expect(APP_VERSION).toBe(pkg.version);
    expect(USER_AGENT).toBe(`series3-watcher/${pkg.version}`);
    expect(PRODUCT_NAME).toBe('Series3 Watcher');
  });

  it('is found from the packaged layout (app.asar/dist/src/text), past a package.json of another name', async () => {
    const dir = await tree({
      'resources/app/package.json': { name: 'series3-watcher', version: '2.3.4' },
      'resources/app/dist/src/text/package.json': { type: 'module' }, // a nameless one is not ours
      'resources/app/dist/src/text/version.js': '',
    });
    expect(findPackageVersion(path.join(dir, 'resources', 'app', 'dist', 'src', 'text'))).toBe('2.3.4');
  });

  it.each([
    ['no package.json at all', {}],
    ['only another package', { 'package.json': { name: 'other', version: '9.9.9' } }],
    ['ours without a version', { 'package.json': { name: 'series3-watcher' } }],
    ['a damaged package.json', { 'package.json': '{ "name": "series3-watcher", ' }],
  ] as const)('is null with %s', async (_case, files) => {
    const dir = await tree(files as Record<string, unknown>);
    await mkdir(path.join(dir, 'a', 'b'), { recursive: true });
    // Stops at the temp folder's own root; nothing above it is ours (the temp folder is outside the repo).
    expect(findPackageVersion(path.join(dir, 'a', 'b'))).toBeNull();
  });
});
