// The one error and secret helper (issue 9, item 7).
import { describe, expect, it } from 'vitest';
import { errorCode, errorMessage, isRecord, redactSecrets, REDACTED } from '../../src/text/errors.js';

describe('errors: decided once', () => {
  it.each([
    ['a Node error', Object.assign(new Error('x'), { code: 'ENOENT' }), 'ENOENT'],
    ['an error without a code', new Error('x'), undefined],
    ['a numeric code', { code: 28 }, undefined],
    ['a string thrown', 'boom', undefined],
    ['null', null, undefined],
  ])('errorCode of %s', (_what, err, code) => {
    expect(errorCode(err)).toBe(code);
  });

  it.each([
    ['an Error', new Error('disk full'), 'disk full'],
    ['a string', 'boom', 'boom'],
    ['a number', 42, '42'],
  ])('errorMessage of %s', (_what, err, message) => {
    expect(errorMessage(err)).toBe(message);
  });

  it('isRecord takes objects, not null or primitives', () => {
    expect([{}, [], null, 'x', 1].map(isRecord)).toEqual([true, true, false, false, false]);
  });

  it('redactSecrets replaces every occurrence of every secret, and ignores empty ones', () => {
    expect(redactSecrets('Bearer abc and abc; xyz', ['abc', '', 'xyz'])).toBe(`Bearer ${REDACTED} and ${REDACTED}; ${REDACTED}`);
    expect(redactSecrets('nothing', [''])).toBe('nothing');
  });
});
