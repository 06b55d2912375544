// `check`'s look at the watch folder (issue 10 item 7): there, a folder, listable, and how many
// event binaries it holds, on real temp folders; a missing folder is no longer "OK".
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkWatchFolder } from '../../src/agent/check-folder.js';
import { writeEvent } from '../support/fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 's3w-check-folder-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const check = (series3Path: string, maxEventAgeDays = 365) => checkWatchFolder({ series3Path, maxEventAgeDays });

describe('item 7: the watch folder check', () => {
  it('counts the event binaries only (not reports, monitor logs or stray files)', async () => {
    await writeEvent(dir, 'M529LK44.AB0', { report: true });
    await writeEvent(dir, 'S353L4H0.3M0W');
    await writeFile(join(dir, 'BE1234.MLG'), 'monitor log');
    await writeFile(join(dir, 'notes.txt'), 'x');
    expect(await check(dir)).toEqual({ kind: 'ok', events: 2, tooOld: 0, detail: 'readable, 2 events in it' });
  });

  it.each([
    [0, 0, 'readable, no events in it yet'],
    [1, 0, 'readable, 1 event in it'],
    [3, 2, 'readable, 3 events in it (2 older than MAX_EVENT_AGE_DAYS = 1, never sent)'],
  ])('%i events, %i too old: "%s"', async (events, tooOld, detail) => {
    for (let i = 0; i < events; i++) await writeEvent(dir, `M529L${i}00.AB0`, { ageSeconds: i < tooOld ? 3 * 86_400 : 60 });
    expect(await check(dir, 1)).toMatchObject({ kind: 'ok', events, tooOld, detail });
  });

  it('a folder that does not exist fails, naming SERIES3_PATH and the folder', async () => {
    const missing = join(dir, 'autocall home');
    expect(await check(missing)).toEqual({ kind: 'failed', reason: `SERIES3_PATH folder ${missing} does not exist: check the path in config.ini` });
  });

  it('a file in place of the folder fails', async () => {
    const file = join(dir, 'events.zip');
    await writeFile(file, 'x');
    const result = await check(file);
    expect(result.kind === 'failed' && result.reason).toMatch(/is a file, not a folder: set SERIES3_PATH/);
  });

  it('an empty SERIES3_PATH fails with what to set', async () => {
    expect(await check('  ')).toEqual({ kind: 'failed', reason: 'SERIES3_PATH is empty: set it to the folder Blastware writes ACH events into' });
  });
});
