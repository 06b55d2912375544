import { describe, expect, it } from 'vitest';
import { classifyAnswer, parseRetryAfterMs } from '../../src/upload/index.js';
import type { HttpAnswer } from '../../src/upload/index.js';

const now = Date.parse('2026-05-08T12:00:00Z');

describe('Retry-After', () => {
  it.each([
    ['120', 120_000],
    ['0', undefined],
    [' 5 ', 5_000],
    ['Fri, 08 May 2026 12:01:30 GMT', 90_000],
    ['Fri, 08 May 2026 11:00:00 GMT', undefined],
    ['soon', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%j -> %j ms', (value, expected) => {
    expect(parseRetryAfterMs(value, now)).toBe(expected);
  });
});

describe('a 200 answer', () => {
  const context = { url: 'http://sfm:8000/db/import/blastware_file', binaryName: 'M1234AB.XYZ', hasToken: false, nowMs: now };
  const answer = (body: string): HttpAnswer => ({ status: 200, headers: { 'content-type': 'application/json' }, body, truncated: false });

  it('is delivered only by the row named like the binary, not by another ok row', () => {
    const body = JSON.stringify({
      count: 2,
      results: [
        { filename: 'M1234AB.TXT', status: 'ok', filesize: 40, inserted: 1, skipped: 0 },
        { filename: 'M1234AB.XYZ', status: 'error', detail: 'truncated record' },
      ],
    });
    expect(classifyAnswer(answer(body), context)).toEqual({
      kind: 'permanent',
      reason: 'the server did not import M1234AB.XYZ (status "error"): truncated record',
    });
  });

  it('with an ok row for the binary is delivered even if the report row failed', () => {
    const body = JSON.stringify({
      count: 2,
      results: [
        { filename: 'M1234AB.XYZ', status: 'ok', filesize: 4400, inserted: 1, skipped: 0 },
        { filename: 'M1234AB.TXT', status: 'error', detail: 'unreadable report' },
      ],
    });
    expect(classifyAnswer(answer(body), context)).toEqual({ kind: 'delivered', status: 200 });
  });

  it('with a non-ok row and no detail says so', () => {
    const body = JSON.stringify({ count: 1, results: [{ filename: 'M1234AB.XYZ', status: 'duplicate_error' }] });
    expect(classifyAnswer(answer(body), context)).toEqual({
      kind: 'permanent',
      reason: 'the server did not import M1234AB.XYZ (status "duplicate_error"): no detail given',
    });
  });

  it('with an empty results list names the binary', () => {
    expect(classifyAnswer(answer('{"count":0,"results":[]}'), context)).toEqual({
      kind: 'permanent',
      reason: "the server's answer has no row for M1234AB.XYZ (no rows at all)",
    });
  });

  it('that is empty says so', () => {
    expect(classifyAnswer(answer(''), context)).toEqual({
      kind: 'transient',
      reason: 'the server answered HTTP 200 but not with JSON (empty answer); is http://sfm:8000/db/import/blastware_file the seismo-relay import endpoint?',
    });
  });
});

describe('item 3: a 200 that is not the server\'s JSON never holds an event back', () => {
  const context = { url: 'http://sfm:8000/db/import/blastware_file', binaryName: 'M1234AB.XYZ', hasToken: false, nowMs: now };
  const cases: ReadonlyArray<[string, string, string, RegExp]> = [
    ['a proxy page (200 text/html)', 'text/html', '<html><body><h1>Guest Wi-Fi: accept the terms</h1></body></html>', /^the server answered HTTP 200 but not with JSON: "Guest Wi-Fi: accept the terms"; is http:\/\/sfm:8000\/db\/import\/blastware_file the seismo-relay import endpoint\?$/],
    ['an empty 200', 'application/json', '', /not with JSON \(empty answer\)/],
    ['JSON cut short', 'application/json', '{"count":1,"results":[{"filename":"M12', /not with JSON/],
    ['JSON without "results"', 'application/json', '{"status":"ok"}', /^the server answered HTTP 200 with JSON but without a "results" list: "\{"status":"ok"\}"; is http:\/\/sfm:8000\/db\/import\/blastware_file the seismo-relay import endpoint\?$/],
    ['JSON whose "results" is not a list', 'application/json', '{"count":1,"results":{"M1234AB.XYZ":"ok"}}', /without a "results" list/],
    ['a JSON list', 'application/json', '[]', /without a "results" list/],
  ];
  it.each(cases)('%s is a server-wide transient failure', (_name, contentType, body, reason) => {
    const outcome = classifyAnswer({ status: 200, headers: { 'content-type': contentType }, body, truncated: false }, context);
    expect(outcome).toEqual({ kind: 'transient', reason: expect.stringMatching(reason) });
  });
});

describe('a redirect', () => {
  it('backs off the server and names the new address', () => {
    const outcome = classifyAnswer(
      { status: 301, headers: { location: 'https://sfm:8443/db/import/blastware_file' }, body: '', truncated: false },
      { url: 'http://sfm:8000/db/import/blastware_file', binaryName: 'M1234AB.XYZ', hasToken: false, nowMs: now },
    );
    expect(outcome).toEqual({
      kind: 'transient',
      reason:
        'HTTP 301: Moved Permanently: the server sends http://sfm:8000/db/import/blastware_file to https://sfm:8443/db/import/blastware_file; set SFM_URL to the new address',
    });
  });
});

describe('item 4 (issue 8): what a server writes into a row never forges a log line nor floods a reason', () => {
  it('a row status with a line break and 20,000 characters becomes one clipped line', () => {
    const forged = `rejected\n2026-01-01T00:00:00Z INFO delivered FORGED.EVT${'A'.repeat(20_000)}`;
    const body = JSON.stringify({ count: 1, results: [{ filename: 'M529LK44.AB0', status: forged, detail: `bad\r\n${'B'.repeat(20_000)}` }] });
    const outcome = classifyAnswer({ status: 200, headers: { 'content-type': 'application/json' }, body, truncated: false }, {
      url: 'http://127.0.0.1:1/db/import/blastware_file',
      binaryName: 'M529LK44.AB0',
      hasToken: false,
      nowMs: 0,
    });
    expect(outcome.kind).toBe('permanent');
    const reason = outcome.kind === 'permanent' ? outcome.reason : '';
    expect(reason).not.toMatch(/[\n\r]/);
    expect(reason.length).toBeLessThan(800);
  });

  it('row file names in "no row for" are clipped and counted, not listed without end', () => {
    const rows = Array.from({ length: 500 }, (_, i) => ({ filename: `N${i}\n${'x'.repeat(1000)}`, status: 'ok' }));
    const outcome = classifyAnswer(
      { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count: rows.length, results: rows }), truncated: false },
      { url: 'http://127.0.0.1:1/x', binaryName: 'M529LK44.AB0', hasToken: false, nowMs: 0 },
    );
    const reason = outcome.kind === 'permanent' ? outcome.reason : '';
    expect(reason).toMatch(/and 495 more/);
    expect(reason).not.toMatch(/\n/);
    expect(reason.length).toBeLessThan(800);
  });
});
