// Issue 10 item 2: the held-back requests from main to the worker carry event file names only
// (electron/shared/protocol-check.ts); anything else is dropped before the agent sees it.
import { describe, expect, it } from 'vitest';
import { decodeMainToWorker } from '../../electron/shared/protocol-check.js';

describe('held-back requests to the worker', () => {
  it.each(['held-back-retry', 'held-back-dismiss'])('%s with event names passes, names and all', (op) => {
    expect(decodeMainToWorker({ type: 'request', id: 4, op, filenames: ['M529LK44.AB0', 'S353L4H0.3M0W'] })).toEqual({
      type: 'request',
      id: 4,
      op,
      filenames: ['M529LK44.AB0', 'S353L4H0.3M0W'],
    });
  });

  const bad: ReadonlyArray<readonly [string, unknown]> = [
    ['no names', { type: 'request', id: 1, op: 'held-back-retry' }],
    ['an empty list', { type: 'request', id: 1, op: 'held-back-retry', filenames: [] }],
    ['a path', { type: 'request', id: 1, op: 'held-back-dismiss', filenames: ['..\\config.ini'] }],
    ['a monitor log', { type: 'request', id: 1, op: 'held-back-dismiss', filenames: ['M529LK44.MLG'] }],
    ['a name that is not text', { type: 'request', id: 1, op: 'held-back-dismiss', filenames: [7] }],
    ['names that are one string', { type: 'request', id: 1, op: 'held-back-dismiss', filenames: 'M529LK44.AB0' }],
    ['more names than a list shows', { type: 'request', id: 1, op: 'held-back-retry', filenames: Array.from({ length: 1001 }, () => 'M529LK44.AB0') }],
    ['names on an op that takes none', { type: 'request', id: 1, op: 'seed', filenames: ['M529LK44.AB0'] }],
  ];
  it.each(bad)('is dropped with %s', (_name, message) => {
    expect(decodeMainToWorker(message)).toBeNull();
  });

  it('seed requests still pass as before', () => {
    expect(decodeMainToWorker({ type: 'request', id: 2, op: 'seed' })).toEqual({ type: 'request', id: 2, op: 'seed' });
  });
});
