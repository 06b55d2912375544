// Hand edits of config.ini while `run` or the tray app runs: applied when good, refused (keeping the last
// good settings) and told once when bad. Real file, real core parsing, real polling.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readConfigFile } from '../../src/config/index.js';
import type { Config } from '../../src/config/types.js';
import { followConfigFile, type ConfigFollower } from '../../src/config/config-follower.js';
import { makeSite, sleep, waitFor, type Site } from '../support/fixtures.js';

let site: Site;
let follower: ConfigFollower | undefined;
beforeEach(async () => {
  site = await makeSite('s3w-follow-');
});
afterEach(async () => {
  follower?.close();
  await site.cleanup();
});

const ini = (lines: string): string => `; edited by hand\n[watcher]\nSERIES3_PATH = ${'C:\\Blastware 10\\Event\\autocall home'}\n${lines}\n`;

/** Follows config.ini with the core's own reading, as main.ts does with the settings service. */
function follow(
  configPath: string,
  current: () => Config | null,
  apply: (config: Config) => void,
  onBad: (problems: readonly string[]) => void,
  timing: { intervalMs: number; settleMs: number },
  onGood?: () => void,
): ConfigFollower {
  return followConfigFile(configPath, {
    read: async () => {
      const { config, problems } = await readConfigFile(configPath);
      return { config, problems: problems.map((p) => p.message) };
    },
    current,
    apply,
    onBad,
    ...(onGood ? { onGood } : {}),
    ...timing,
  });
}

describe('following config.ini', () => {
  it('applies a good hand edit, refuses a bad one once, and applies the fix', async () => {
    const configPath = join(site.root, 'config.ini');
    await writeFile(configPath, ini('SCAN_INTERVAL_SECONDS = 60'));
    let current: Config | null = (await readConfigFile(configPath)).config;
    const applied: Config[] = [];
    const bad: (readonly string[])[] = [];
    follower = follow(configPath, () => current, (config) => {
      applied.push(config);
      current = config;
    }, (problems) => bad.push(problems), { intervalMs: 50, settleMs: 150 });

    await sleep(150);
    await writeFile(configPath, ini('SCAN_INTERVAL_SECONDS = 30'));
    await waitFor(() => applied.length === 1, 'the good edit to be applied');
    expect(applied[0]!.scanIntervalSeconds).toBe(30);

    await writeFile(configPath, ini('SCAN_INTERVAL_SECONDS = soon'));
    await waitFor(() => bad.length === 1, 'the bad value to be told');
    expect(bad[0]!.join(' ')).toMatch(/SCAN_INTERVAL_SECONDS.*soon/);
    await writeFile(configPath, ini('SCAN_INTERVAL_SECONDS = soon  ; still bad'));
    await sleep(500);
    expect(bad).toHaveLength(1);
    expect(applied).toHaveLength(1);

    await writeFile(configPath, ini('SCAN_INTERVAL_SECONDS = 45'));
    await waitFor(() => applied.length === 2, 'the fix to be applied');
    expect(applied[1]!.scanIntervalSeconds).toBe(45);

    // A save that changes nothing the agent runs on applies nothing.
    await writeFile(configPath, ini('SCAN_INTERVAL_SECONDS = 45  ; comment added'));
    await sleep(500);
    expect(applied).toHaveLength(2);
  });

  it('item 14: a file saved again and again with only comments added is never applied', async () => {
    const configPath = join(site.root, 'config.ini');
    await writeFile(configPath, ini('SFM_MAX_FORWARDS_PER_PASS = 10'));
    const current: Config = (await readConfigFile(configPath)).config;
    const applied: Config[] = [];
    follower = follow(configPath, () => current, (config) => void applied.push(config), () => undefined, { intervalMs: 20, settleMs: 50 });
    for (let i = 0; i < 5; i++) {
      await sleep(120);
      await writeFile(configPath, ini(`SFM_MAX_FORWARDS_PER_PASS = 10\n${'; another comment\n'.repeat(i + 1)}`));
    }
    await sleep(300);
    expect(applied).toEqual([]);
  });

  it('item 15: a bad file is told, and told as fixed when a good one follows, even one with the running settings', async () => {
    const configPath = join(site.root, 'config.ini');
    await writeFile(configPath, ini('SCAN_INTERVAL_SECONDS = 60'));
    const current: Config = (await readConfigFile(configPath)).config;
    const events: string[] = [];
    follower = follow(configPath, () => current, () => events.push('apply'), (problems) => events.push(`bad ${problems.join()}`),
      { intervalMs: 20, settleMs: 50 }, () => events.push('good'));
    await sleep(100);
    await writeFile(configPath, ini('SCAN_INTERVAL_SECONDS = -3'));
    await waitFor(() => events.length === 1, 'the bad value to be told');
    expect(events[0]).toMatch(/^bad .*SCAN_INTERVAL_SECONDS/);
    await writeFile(configPath, ini('SCAN_INTERVAL_SECONDS = 60  ; fixed'));
    await waitFor(() => events.length === 2, 'the fix to be told');
    await sleep(200);
    expect(events.slice(1)).toEqual(['good']);
  });

  it('item 15: a file that cannot be decoded is told with the file named', async () => {
    const configPath = join(site.root, 'config.ini');
    await writeFile(configPath, ini('SCAN_INTERVAL_SECONDS = 60'));
    const current: Config = (await readConfigFile(configPath)).config;
    const bad: string[] = [];
    follower = follow(configPath, () => current, () => undefined, (problems) => bad.push(...problems), { intervalMs: 20, settleMs: 50 });
    await sleep(100);
    await writeFile(configPath, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x08, 0x00, 0x21, 0x00, 0x7f, 0x10]));
    await waitFor(() => bad.length === 1, 'the undecodable file to be told');
    expect(bad[0]).toContain(configPath);
    expect(bad[0]).toMatch(/Save config\.ini as UTF-8/);
  });

  it('does not read a file an editor has emptied for a moment before writing it again', async () => {
    const configPath = join(site.root, 'config.ini');
    await writeFile(configPath, ini('SCAN_INTERVAL_SECONDS = 90'));
    let current: Config | null = (await readConfigFile(configPath)).config;
    const applied: Config[] = [];
    follower = follow(configPath, () => current, (config) => {
      applied.push(config);
      current = config;
    }, () => undefined, { intervalMs: 20, settleMs: 300 });
    await sleep(100);
    await writeFile(configPath, '');
    await sleep(120); // the poll sees the empty file
    await writeFile(configPath, ini('SCAN_INTERVAL_SECONDS = 30'));
    await waitFor(() => applied.length > 0, 'the edit to be applied');
    await sleep(400);
    // Only the finished file was applied, never the defaults an empty file parses to.
    expect(applied.map((c) => c.scanIntervalSeconds)).toEqual([30]);
  });
});
