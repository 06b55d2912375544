// One pass, end to end: real files in a temp ACH folder, the real record, a real receiver on
// 127.0.0.1. Each `it` is one rule of SPEC §2–4.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { copyFile, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runOnce, runSeed, createMemoryLogger } from '../../src/agent/index.js';
import { openLedger } from '../../src/record/index.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { makeSite, testConfig, writeAged, writeEvent, sleep, type Site } from '../support/fixtures.js';
import type { Config } from '../../src/config/types.js';

let site: Site;
let receiver: Receiver;

beforeEach(async () => {
  site = await makeSite();
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
  await site.cleanup();
});

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const config = (overrides: Partial<Config> = {}): Config => testConfig(site, { sfmUrl: receiver.url, ...overrides });
const once = (overrides: Partial<Config> = {}) => runOnce(config(overrides), { log: createMemoryLogger() });
const sentNames = (): string[] => receiver.requests.filter((r) => r.method === 'POST').map((r) => r.files[0]?.filename ?? '?');

describe('one pass', () => {
  it('delivers each ready event once, binary then report, and a second pass sends nothing', async () => {
    const a = await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
    await writeEvent(site.watchDir, 'S353L4H0.3M0W', { report: true });

    const first = await once();
    expect(first).toMatchObject({ forwarded: 2, withReport: 2, errors: 0, pending: 0 });
    const request = receiver.requests.find((r) => r.files[0]?.filename === 'M529LK44.AB0')!;
    expect(request.files.map((f) => [f.field, f.filename, f.contentType.split(';')[0]])).toEqual([
      ['files', 'M529LK44.AB0', 'application/octet-stream'],
      ['files', 'M529LK44.AB0.TXT', 'text/plain'],
    ]);
    expect(request.files[0]!.sha256).toBe(sha(a.binary));

    const second = await once();
    expect(second).toMatchObject({ forwarded: 0, errors: 0, pending: 0, alreadyDelivered: 2 });
    expect(receiver.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
  });

  it('records sha256, file name, size, UTC time and whether the report went along', async () => {
    const { binary } = await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true, size: 5000 });
    await writeEvent(site.watchDir, 'P036L318.C80H', { report: false, ageSeconds: 600 });
    await once();
    const ledger = await openLedger(site.stateDir, { readOnly: true });
    const entry = ledger.get(sha(binary));
    expect(entry).toMatchObject({ filename: 'M529LK44.AB0', size: 5000, withReport: true, source: 'sent' });
    expect(entry!.forwardedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(ledger.size).toBe(2);
    await ledger.close();
  });

  it('pairs the report case-insensitively', async () => {
    await writeEvent(site.watchDir, 'M529LIY6.N00', { report: 'm529liy6.n00.txt' });
    const result = await once();
    expect(result).toMatchObject({ forwarded: 1, withReport: 1 });
    expect(receiver.requests[0]!.files.map((f) => f.filename)).toEqual(['M529LIY6.N00', 'm529liy6.n00.txt']);
  });

  it('takes the oldest first and sends at most the cap per pass', async () => {
    const ages = { 'A001AAAA.AB0': 500, 'B002BBBB.AB0': 900, 'C003CCCC.AB0': 700, 'D004DDDD.AB0': 300, 'E005EEEE.AB0': 800 };
    for (const [name, age] of Object.entries(ages)) await writeEvent(site.watchDir, name, { report: true, ageSeconds: age });

    const first = await once({ maxForwardsPerPass: 2, concurrency: 1 });
    expect(first).toMatchObject({ forwarded: 2, pending: 3 });
    expect(sentNames()).toEqual(['B002BBBB.AB0', 'E005EEEE.AB0']);

    const second = await once({ maxForwardsPerPass: 2, concurrency: 1 });
    expect(second).toMatchObject({ forwarded: 2, pending: 1 });
    const third = await once({ maxForwardsPerPass: 2, concurrency: 1 });
    expect(third).toMatchObject({ forwarded: 1, pending: 0 });
    expect(sentNames()).toEqual(['B002BBBB.AB0', 'E005EEEE.AB0', 'C003CCCC.AB0', 'A001AAAA.AB0', 'D004DDDD.AB0']);
  });

  it('never sends the same content twice, even renamed', async () => {
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
    await once();
    await copyFile(join(site.watchDir, 'M529LK44.AB0'), join(site.watchDir, 'M529ZZZZ.AB0'));
    await writeAged(site.watchDir, 'M529ZZZZ.AB0.TXT', 'copy', 60);
    const when = new Date(Date.now() - 60_000);
    await utimes(join(site.watchDir, 'M529ZZZZ.AB0'), when, when);

    const second = await once();
    expect(second).toMatchObject({ forwarded: 0, alreadyDelivered: 2 });
    expect(receiver.requests).toHaveLength(1);
  });

  it('does not read an unchanged, delivered file again (the hash is remembered by name, size and mtime)', async () => {
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
    await once();
    // Same size and mtime, other bytes: a pass that read the file would see new content and send it.
    const path = join(site.watchDir, 'M529LK44.AB0');
    const before = await stat(path);
    await writeFile(path, Buffer.alloc(before.size, 7));
    await utimes(path, before.atime, before.mtime);
    const second = await once();
    expect(second.forwarded).toBe(0);
    expect(receiver.requests).toHaveLength(1);
  });

  it('waits while a binary or its report is still being written (quiescence)', async () => {
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true, ageSeconds: 0 });
    await writeEvent(site.watchDir, 'M529LK45.AB0', { report: true, ageSeconds: 600, reportAgeSeconds: 0 });
    const result = await once({ quiescenceSeconds: 30, missingReportGraceSeconds: 3600 });
    expect(result).toMatchObject({ forwarded: 0, settling: 2 });
    expect(receiver.requests).toHaveLength(0);
  });

  it('holds a binary back for its report until the grace runs out, then sends it alone', async () => {
    await writeEvent(site.watchDir, 'M529LK44.AB0', { ageSeconds: 0.5 });
    const early = await once({ quiescenceSeconds: 0.2, missingReportGraceSeconds: 1.5 });
    expect(early).toMatchObject({ forwarded: 0, settling: 1 });
    expect(early.nextReadyAtMs).not.toBeNull();

    await sleep(Math.max(0, early.nextReadyAtMs! - Date.now()) + 50);
    const late = await once({ quiescenceSeconds: 0.2, missingReportGraceSeconds: 1.5 });
    expect(late).toMatchObject({ forwarded: 1, withReport: 0 });
    expect(receiver.requests[0]!.files.map((f) => f.filename)).toEqual(['M529LK44.AB0']);
  });

  it('sends the pair again, once, when the report appears after the binary went alone', async () => {
    const { binary } = await writeEvent(site.watchDir, 'M529LK44.AB0', { ageSeconds: 600 });
    expect(await once()).toMatchObject({ forwarded: 1, withReport: 0 });

    await writeAged(site.watchDir, 'M529LK44.AB0.TXT', 'late report', 10);
    expect(await once()).toMatchObject({ forwarded: 1, withReport: 1 });
    expect(receiver.requests[1]!.files.map((f) => f.filename)).toEqual(['M529LK44.AB0', 'M529LK44.AB0.TXT']);

    expect(await once()).toMatchObject({ forwarded: 0 });
    expect(receiver.requests).toHaveLength(2);
    const ledger = await openLedger(site.stateDir, { readOnly: true });
    expect(ledger.get(sha(binary))?.withReport).toBe(true);
    await ledger.close();
  });

  it('never sends binaries older than MAX_EVENT_AGE_DAYS', async () => {
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true, ageSeconds: 3 * 86_400 });
    await writeEvent(site.watchDir, 'M529LK45.AB0', { report: true, ageSeconds: 600 });
    const result = await once({ maxEventAgeDays: 2 });
    expect(result).toMatchObject({ forwarded: 1, tooOld: 1 });
    expect(sentNames()).toEqual(['M529LK45.AB0']);
  });

  it('ignores and never touches files that are not events', async () => {
    const others = ['M529LK44.MLG', 'notes.txt', 'Blastware.ini', 'M529LK44.AB0.bak', 'data.json', 'X12.AB0'];
    for (const name of others) await writeAged(site.watchDir, name, `keep ${name}`, 600);
    const result = await once();
    expect(result.forwarded).toBe(0);
    expect(receiver.requests).toHaveLength(0);
    for (const name of others) expect(await readFile(join(site.watchDir, name), 'utf8')).toBe(`keep ${name}`);
  });
});

describe('failures', () => {
  const cases = [
    { name: 'HTTP 500', behaviour: { kind: 'status', status: 500, body: 'boom' } as const, reason: /HTTP 500/ },
    { name: 'connection reset', behaviour: { kind: 'reset' } as const, reason: /.+/ },
    { name: 'an answer that is not JSON', behaviour: { kind: 'not-json' } as const, reason: /JSON/i },
    { name: 'HTTP 400', behaviour: { kind: 'status', status: 400, body: '{"detail":"bad file"}' } as const, reason: /HTTP 400/ },
    { name: 'a row that is not ok', behaviour: { kind: 'row', status: 'error', detail: 'cannot parse header' } as const, reason: /cannot parse header/ },
    { name: 'a time-out', behaviour: { kind: 'delay', ms: 3000 } as const, reason: /within|time/i },
  ];
  for (const c of cases) {
    it(`leaves the event pending after ${c.name}, and delivers it when the server is well again`, async () => {
      await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
      receiver.behave(() => c.behaviour);
      const failed = await once({ httpTimeoutSeconds: 0.5 });
      expect(failed).toMatchObject({ forwarded: 0, errors: 1, pending: 1 });
      expect(failed.lastFailure?.reason).toMatch(c.reason);

      receiver.behave(() => ({ kind: 'ok' }));
      const retried = await once({ httpTimeoutSeconds: 0.5 });
      expect(retried).toMatchObject({ forwarded: 1, errors: 0, pending: 0 });
    });
  }

  it('holds back an event the server keeps refusing, without blocking the others', async () => {
    await writeEvent(site.watchDir, 'B000BADD.AB0', { report: true, ageSeconds: 900 });
    for (const name of ['G001GOOD.AB0', 'G002GOOD.AB0']) await writeEvent(site.watchDir, name, { report: true, ageSeconds: 600 });
    receiver.behave((request) =>
      request.files[0]?.filename === 'B000BADD.AB0' ? { kind: 'row', status: 'error', detail: 'not a Series 3 event' } : { kind: 'ok' },
    );
    const first = await once({ holdBackAfterFailures: 2 });
    expect(first).toMatchObject({ forwarded: 2, errors: 1, heldBack: 0 });
    const second = await once({ holdBackAfterFailures: 2 });
    expect(second).toMatchObject({ forwarded: 0, errors: 1, heldBack: 1 });
    const third = await once({ holdBackAfterFailures: 2 });
    expect(third).toMatchObject({ forwarded: 0, errors: 0, heldBack: 1, pending: 0 });
    expect(receiver.requests.filter((r) => r.files[0]?.filename === 'B000BADD.AB0')).toHaveLength(2);
  });

  it('stops a pass early while the server is down instead of failing every upload', async () => {
    for (let i = 0; i < 30; i++) await writeEvent(site.watchDir, `M529L${String(i).padStart(3, '0')}.AB0`, { report: true });
    receiver.behave(() => ({ kind: 'status', status: 503, body: 'maintenance' }));
    const result = await once({ concurrency: 2, retryBaseSeconds: 5, retryMaxSeconds: 60 });
    expect(result.stoppedEarly).toBe(true);
    expect(result.pending).toBe(30);
    expect(receiver.requests.length).toBeLessThanOrEqual(2);
  });

  it('sends the token as a bearer header and never writes it to the log', async () => {
    await receiver.close();
    receiver = await startReceiver({ token: 's3cret-t0ken' });
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
    const log = createMemoryLogger();
    const result = await runOnce(config({ apiToken: 's3cret-t0ken' }), { log });
    expect(result.forwarded).toBe(1);
    expect(receiver.requests[0]!.authorization).toBe('Bearer s3cret-t0ken');
    const logFile = await readFile(config().logFile, 'utf8').catch(() => '');
    expect(log.lines.join('\n') + logFile).not.toContain('s3cret-t0ken');
  });
});

describe('seeding and the legacy record', () => {
  it('marks in-window binaries delivered, counting scanned, marked, known and too old', async () => {
    await writeEvent(site.watchDir, 'A001AAAA.AB0', { report: true });
    await writeEvent(site.watchDir, 'A002AAAA.AB0', { report: false });
    await writeEvent(site.watchDir, 'A003AAAA.AB0', { ageSeconds: 400 * 86_400 });
    await once();
    await writeEvent(site.watchDir, 'A004AAAA.AB0', { report: true });
    await writeEvent(site.watchDir, 'A005AAAA.AB0', { report: true, ageSeconds: 0 });

    const preview = await runSeed(config(), { preview: true });
    expect(preview).toMatchObject({ scanned: 5, seeded: 0, wouldSeed: 2, alreadyKnown: 2, tooOld: 1 });
    const counts = await runSeed(config(), { preview: false });
    expect(counts).toMatchObject({ scanned: 5, seeded: 2, alreadyKnown: 2, tooOld: 1 });

    const requestsBefore = receiver.requests.length;
    const after = await once({ quiescenceSeconds: 0 });
    expect(after.forwarded).toBe(0);
    expect(receiver.requests.length).toBe(requestsBefore);
  });

  it('imports a series3-watcher JSON record so nothing already sent is sent again', async () => {
    const { binary } = await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
    await writeEvent(site.watchDir, 'M529LK45.AB0', { report: true });
    const legacy = join(site.root, 'series3_forwarded.json');
    await writeFile(
      legacy,
      JSON.stringify({ version: 1, forwarded: { [sha(binary)]: { filename: 'M529LK44.AB0', size: binary.length, forwarded_at: '2026-05-08T10:00:00Z' } } }),
    );
    const result = await once({ legacyStateFile: legacy });
    expect(result.forwarded).toBe(1);
    expect(sentNames()).toEqual(['M529LK45.AB0']);
  });
});
