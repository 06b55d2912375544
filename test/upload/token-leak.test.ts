// Issue 7 item 6: a server that echoes the Authorization header must not leave any piece of
// the token in a reason, the log or status.json, wherever the echo falls relative to the cuts
// (the 200-character excerpt, the 500-character row detail, the 16 KB body cap).
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryLogger, runOnce, statusFilePath } from '../../src/agent/index.js';
import type { BehaviourFn } from '../support/receiver.js';
import { makeSite, testConfig, writeEvent, type Site } from '../support/fixtures.js';
import { event, receiver, uploader } from './helpers.js';

const token = 'SECRET-XYZ-1a2b3c4d5e6f7g8h9i0j';

/** Every 6-character piece of the token found in `text`. */
function tokenPieces(text: string): string[] {
  const found: string[] = [];
  for (let i = 0; i + 6 <= token.length; i += 1) {
    const piece = token.slice(i, i + 6);
    if (text.includes(piece)) found.push(piece);
  }
  return found;
}

const echo = (before: (offset: number) => string, after = ''): ((offset: number) => BehaviourFn) => (offset) => (request) => ({
  kind: 'status',
  status: 400,
  body: `${before(offset)}Authorization: ${request.authorization ?? ''}${after}`,
  headers: { 'content-type': 'text/plain' },
});

// [what the server answers, offsets of the echoed header to try]
const cases: ReadonlyArray<[string, (offset: number) => BehaviourFn, readonly number[]]> = [
  ['a plain-text 400 (200-character excerpt)', echo((n) => 'x'.repeat(n)), [150, 170, 180, 185, 190, 195, 199, 200, 210]],
  [
    'a JSON 400 detail (200-character excerpt)',
    (n) => (request) => ({ kind: 'status', status: 400, body: JSON.stringify({ detail: `${'d'.repeat(n)}Authorization: ${request.authorization}` }) }),
    [170, 185, 190, 195, 200],
  ],
  [
    'a 200 row detail (500-character cut)',
    (n) => (request) => ({ kind: 'row', status: 'error', detail: `${'r'.repeat(n)}Authorization: ${request.authorization}` }),
    [400, 450, 470, 480, 490, 500],
  ],
  [
    'a 200 proxy page (200-character excerpt)',
    (n) => (request) => ({ kind: 'status', status: 200, body: `${'p'.repeat(n)}Authorization: ${request.authorization}`, headers: { 'content-type': 'text/plain' } }),
    [170, 190, 200],
  ],
  [
    'an HTML 502 cut at the 16 KB read cap (markup shrinks to a short excerpt)',
    (n) => (request) => ({
      kind: 'status',
      status: 502,
      // 16 KB of markup and a few visible letters, then the echo straddling the cap.
      body: `<html><body>${'<i></i>'.repeat(Math.floor((n - 12) / 7))}${'v'.repeat((n - 12) % 7)}Authorization: ${request.authorization}</body></html>`,
      headers: { 'content-type': 'text/html' },
    }),
    [16_384 - 40, 16_384 - 30, 16_384 - 22, 16_384 - 15, 16_384 - 10],
  ],
];

describe('item 6: no piece of the token leaks, wherever a server echoes it', () => {
  it.each(cases)('%s', async (_name, answer, offsets) => {
    const server = await receiver();
    const upload = uploader({ url: server.url, token });
    for (const offset of offsets) {
      server.behave(answer(offset));
      const outcome = await upload.upload(event());
      expect(outcome.kind).not.toBe('delivered');
      const reason = outcome.kind === 'delivered' ? '' : outcome.reason;
      expect({ offset, pieces: tokenPieces(reason) }).toEqual({ offset, pieces: [] });
    }
    // The server did see the whole header each time: the echo really carried the token.
    expect(server.requests.every((r) => r.authorization === `Bearer ${token}`)).toBe(true);
  });

  describe('through a one-off pass', () => {
    let site: Site;
    beforeEach(async () => {
      site = await makeSite();
    });
    afterEach(async () => {
      await site.cleanup();
    });

    it('item 6: the log and status.json of `once` hold no 6-character piece of the token', async () => {
      const server = await receiver();
      // The token itself starts about 185 characters in: the 200-character cut goes through it.
      server.behave(echo(() => 'x'.repeat(185 - 'Authorization: Bearer '.length))(0));
      await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
      const config = testConfig(site, { sfmUrl: server.url, apiToken: token });
      const log = createMemoryLogger();
      const outcome = await runOnce(config, { log });

      expect(outcome).toMatchObject({ forwarded: 0, errors: 1 });
      const status = await readFile(statusFilePath(site.stateDir), 'utf8');
      const logFile = await readFile(config.logFile, 'utf8').catch(() => '');
      expect(log.lines.join('\n')).toMatch(/HTTP 400/);
      expect(status).toMatch(/HTTP 400/);
      expect(tokenPieces(log.lines.join('\n'))).toEqual([]);
      expect(tokenPieces(status)).toEqual([]);
      expect(tokenPieces(logFile)).toEqual([]);
      expect(tokenPieces(JSON.stringify(outcome))).toEqual([]);
    });
  });
});
