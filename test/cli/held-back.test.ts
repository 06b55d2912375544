// Issue 10 item 2 from the command line: `held-back`, `retry [FILE…]` and `dismiss FILE…` with the
// built series3-watcher, a real config.ini and the real receiver refusing some events for good.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BIN, cli, startCli } from './spawn-cli.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { makeSite, writeEvent, waitFor, type Site } from '../support/fixtures.js';
import { localDateTime } from '../../src/text/local-time.js';

let site: Site;
let receiver: Receiver;
let configPath: string;
let logPath: string;

const BAD = ['B000BADD.AB0', 'B000BADE.AB0'];

beforeEach(async () => {
  expect(existsSync(BIN), `${BIN} is built by 'npm test' (npm run build) before vitest`).toBe(true);
  site = await makeSite('s3w-held-cli-');
  receiver = await startReceiver();
  configPath = join(site.root, 'config.ini');
  logPath = join(site.root, 'agent.log');
  const keys: Record<string, string> = {
    SERIES3_PATH: site.watchDir,
    SFM_FORWARD_ENABLED: 'true',
    SFM_URL: receiver.url,
    SFM_QUIESCENCE_SECONDS: '0.2',
    SFM_MISSING_REPORT_GRACE_SECONDS: '1',
    SFM_HTTP_TIMEOUT_SECONDS: '2',
    SFM_RETRY_BASE_SECONDS: '0.2',
    SFM_HOLD_BACK_AFTER: '1',
    STATE_DIR: 'state',
    LOG_FILE: logPath,
  };
  await writeFile(configPath, `[watcher]\n${Object.entries(keys).map(([k, v]) => `${k} = ${v}`).join('\n')}\n`);
  // The server refuses the two bad events for good (a row that is not ok), and takes the rest.
  receiver.behave((request) =>
    request.files.some((f) => BAD.includes(f.filename)) ? { kind: 'row', status: 'error', detail: 'unsupported format' } : { kind: 'ok' },
  );
  for (const name of [...BAD, 'M529LK44.AB0']) await writeEvent(site.watchDir, name, { report: true });
});
afterEach(async () => {
  await receiver.close();
  await site.cleanup();
});

const sentFor = (name: string): number => receiver.requests.filter((r) => r.files.some((f) => f.filename === name)).length;
type Listed = { heldBack: Array<{ filename: string; reason: string; since: string; refusals: number; dismissed: boolean }> };

describe('series3-watcher held-back, retry and dismiss', () => {
  it('lists each held-back event (JSON: ISO UTC; for people: local time) and dismisses one by name', async () => {
    const refused = await cli(['once', '--config', configPath, '--json']);
    expect(refused.json).toMatchObject({ forwarded: 1, errors: 2, heldBack: 2 });

    const listed = await cli(['held-back', '--config', configPath, '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const { heldBack } = listed.json as unknown as Listed;
    expect(heldBack.map((h) => h.filename).sort()).toEqual(BAD);
    for (const h of heldBack) {
      expect(Object.keys(h).sort()).toEqual(['dismissed', 'filename', 'reason', 'refusals', 'since']);
      expect(h).toMatchObject({ reason: expect.stringMatching(/unsupported format/), refusals: 1, dismissed: false });
      expect(h.since).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(listed.stdout).toContain(`${h.filename}  held back since ${localDateTime(h.since)}, 1 refusal: `);
    }
    expect(listed.stdout).toContain('2 held back\n');

    const dismissed = await cli(['dismiss', 'B000BADD.AB0', '--config', configPath, '--json']);
    expect(dismissed.code, dismissed.stderr).toBe(0);
    expect(dismissed.json).toEqual({ dismissed: 1, filenames: ['B000BADD.AB0'] });
    const after = (await cli(['held-back', '--config', configPath, '--json'])).json as unknown as Listed;
    expect(after.heldBack.map((h) => [h.filename, h.dismissed]).sort()).toEqual([['B000BADD.AB0', true], ['B000BADE.AB0', false]]);
    const status = await cli(['status', '--config', configPath]);
    expect(status.stdout).toContain('held back: 2 held back (1 dismissed)');
    expect(status.stdout).toMatch(/B000BADD\.AB0 {2}dismissed, held back since/);

    // Dismissed stays out of the queue; retry with no names releases only the ones not dismissed.
    const released = await cli(['retry', '--config', configPath, '--json']);
    expect(released.json).toEqual({ released: 1, filenames: ['B000BADE.AB0'] });
    receiver.behave(() => ({ kind: 'ok' }));
    const sent = await cli(['once', '--config', configPath, '--json']);
    expect(sent.json).toMatchObject({ forwarded: 1, heldBack: 1 });
    expect(sentFor('B000BADD.AB0')).toBe(1);
    expect(sentFor('B000BADE.AB0')).toBe(2);

    // Dismissal is kept on disk: a later run still has it, and retry by name sends it.
    expect(((await cli(['held-back', '--config', configPath, '--json'])).json as unknown as Listed).heldBack).toEqual([
      expect.objectContaining({ filename: 'B000BADD.AB0', dismissed: true }),
    ]);
    expect((await cli(['retry', 'B000BADD.AB0', '--config', configPath, '--json'])).json).toEqual({ released: 1, filenames: ['B000BADD.AB0'] });
    expect((await cli(['once', '--config', configPath, '--json'])).json).toMatchObject({ forwarded: 1, heldBack: 0 });
    const none = await cli(['held-back', '--config', configPath]);
    expect(none.stdout.trim()).toBe('no held-back events');
  });

  it('a name that is not held back is refused with exit 2, naming it, and nothing changes', async () => {
    await cli(['once', '--config', configPath]);
    for (const command of ['dismiss', 'retry']) {
      const ran = await cli([command, 'B000BADD.AB0', 'M529LK44.AB0', 'NOPE0000.AB0', '--config', configPath]);
      expect(ran.code).toBe(2);
      expect(ran.stderr).toContain('M529LK44.AB0, NOPE0000.AB0 are not held back, so nothing was changed');
    }
    const listed = (await cli(['held-back', '--config', configPath, '--json'])).json as unknown as Listed;
    expect(listed.heldBack.map((h) => h.dismissed)).toEqual([false, false]);
    const bare = await cli(['dismiss', '--config', configPath]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('dismiss needs the held-back events to dismiss');
  });

  it('an event whose file left the watch folder is dropped by the next pass, and the log says so once', async () => {
    await cli(['once', '--config', configPath]);
    await rm(join(site.watchDir, 'B000BADD.AB0'));
    await cli(['once', '--config', configPath]);
    await cli(['once', '--config', configPath]);
    const listed = (await cli(['held-back', '--config', configPath, '--json'])).json as unknown as Listed;
    expect(listed.heldBack.map((h) => h.filename)).toEqual(['B000BADE.AB0']);
    const log = await readFile(logPath, 'utf8');
    expect(log.match(/dropped the held-back event B000BADD\.AB0: it is no longer in /g)).toHaveLength(1);
  });

  it('while an agent runs: held-back lists its list; retry and dismiss change nothing and say where to do it (exit 2)', async () => {
    const running = startCli(['run', '--config', configPath]);
    const listed = await waitFor(async () => {
      const ran = await cli(['held-back', '--config', configPath, '--json']);
      return (ran.json as unknown as Listed).heldBack?.length === 2 ? ran : null;
    }, 'the running agent to hold back both');
    expect(listed!.code).toBe(0);
    const refused = await cli(['dismiss', 'B000BADD.AB0', '--config', configPath]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/cannot dismiss held-back events while series3-watcher \(pid \d+\) runs on .*Held back page.*stop 'series3-watcher run'/);
    running.child.kill('SIGTERM');
    expect((await running.done).code).toBe(0);
    const after = (await cli(['held-back', '--config', configPath, '--json'])).json as unknown as Listed;
    expect(after.heldBack.map((h) => h.dismissed)).toEqual([false, false]);
  });
});
