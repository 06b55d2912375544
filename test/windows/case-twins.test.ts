// Windows lane: names that differ only in case. On NTFS they are one file, but a folder on a
// Samba share (or a case-sensitive folder) can hold both, and Wine shows both, each opening by
// its exact name (found when the lane was built). The agent must pick one report, send each
// content once, and never fail on them.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { writeAged, writeEvent } from '../support/fixtures.js';
import { makeWinSite, type WinSite } from './support/win-site.js';
import { winCli } from './support/wine.js';

let receiver: Receiver;
let site: WinSite;

beforeEach(async () => {
  receiver = await startReceiver();
  site = await makeWinSite(receiver.url);
});
afterEach(async () => {
  await receiver.close();
  await site.cleanup();
});

describe('Windows lane: case-only twins', () => {
  it('windows: X.TXT and x.txt next to one binary: one request with one report, no error, nothing twice', async () => {
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: 'M529LK44.AB0.TXT' });
    await writeAged(site.watchDir, 'm529lk44.ab0.txt', 'the same report, saved again in lower case\r\n', 600);

    const first = await winCli(['once', ...site.configArgs, '--json']);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stderr).toBe('');
    expect(first.json).toMatchObject({ forwarded: 1, withReport: 1, errors: 0, heldBack: 0 });
    expect(receiver.requests).toHaveLength(1);
    const parts = receiver.requests[0]!.files;
    expect(parts.map((p) => p.contentType)).toEqual(['application/octet-stream', 'text/plain']);
    expect(parts[1]!.filename.toLowerCase()).toBe('m529lk44.ab0.txt');

    const second = await winCli(['once', ...site.configArgs, '--json']);
    expect(second.json).toMatchObject({ forwarded: 0, errors: 0, heldBack: 0 });
    expect(receiver.requests).toHaveLength(1);
  });

  it('windows: M529LK44.AB0 and m529lk44.ab0 with the same content (one file on NTFS) are sent once, no error', async () => {
    const { binary } = await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
    await writeAged(site.watchDir, 'm529lk44.ab0', binary, 600);

    const first = await winCli(['once', ...site.configArgs, '--json']);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stderr).toBe('');
    expect(first.json).toMatchObject({ errors: 0, heldBack: 0 });
    expect(receiver.received()).toHaveLength(1);
    expect(receiver.requests.every((r) => r.files.filter((f) => f.contentType === 'text/plain').length <= 1)).toBe(true);

    const second = await winCli(['once', ...site.configArgs, '--json']);
    expect(second.json).toMatchObject({ forwarded: 0, errors: 0, heldBack: 0 });
    expect(receiver.received()).toHaveLength(1);
  });

  it('windows: binary twins with different content are two events, each sent once, no error', async () => {
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
    await writeEvent(site.watchDir, 'm529lk44.ab0', { ageSeconds: 590 });

    const first = await winCli(['once', ...site.configArgs, '--json']);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stderr).toBe('');
    expect(first.json).toMatchObject({ forwarded: 2, errors: 0, heldBack: 0 });
    expect(receiver.received()).toHaveLength(2);
    expect(receiver.requests.every((r) => r.files.filter((f) => f.contentType === 'text/plain').length <= 1)).toBe(true);

    const second = await winCli(['once', ...site.configArgs, '--json']);
    expect(second.json).toMatchObject({ forwarded: 0, errors: 0, heldBack: 0 });
    expect(receiver.requests).toHaveLength(2);
  });
});
