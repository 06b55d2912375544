// Which unreadable files a person is told about, when, and how often (issue 7, item 2).
import { describe, expect, it } from 'vitest';
import {
  createReadTroubles,
  keepOnly,
  noteReadFailure,
  noteReadSuccess,
  visibleTroubles,
} from '../../src/agent/read-troubles.js';
import type { FileErrorKind } from '../../src/scan/types.js';

const T0 = new Date(2026, 10, 23, 14, 2, 0).getTime();
const MIN = 60_000;
const failure = (kind: FileErrorKind) => ({ kind, reason: `/watch/X.AB0 failed as ${kind}` });

describe('item 2: read troubles', () => {
  it.each(['permission', 'other'] as const)('a %s failure is told at once, once, and shown while it lasts', (kind) => {
    const troubles = createReadTroubles(10 * MIN);
    expect(noteReadFailure(troubles, 'X.AB0', failure(kind), T0)).toMatch(/^X\.AB0 cannot be sent: \/watch\/X\.AB0 failed/);
    expect(noteReadFailure(troubles, 'X.AB0', failure(kind), T0 + MIN)).toBeNull();
    expect(visibleTroubles(troubles, T0 + MIN).map((t) => t.filename)).toEqual(['X.AB0']);
  });

  it.each([
    ['locked', /X\.AB0 is locked by another program since 14:02/],
    ['changed', /X\.AB0 keeps changing since 14:02/],
    ['missing', /X\.AB0 keeps vanishing before it can be read since 14:02/],
  ] as const)('a %s file stays quiet for the quiet time, then is told once with the time it started', (kind, told) => {
    const troubles = createReadTroubles(10 * MIN);
    expect(noteReadFailure(troubles, 'X.AB0', failure(kind), T0)).toBeNull();
    expect(noteReadFailure(troubles, 'X.AB0', failure(kind), T0 + 9 * MIN)).toBeNull();
    expect(visibleTroubles(troubles, T0 + 9 * MIN)).toEqual([]);
    expect(noteReadFailure(troubles, 'X.AB0', failure(kind), T0 + 10 * MIN)).toMatch(told);
    expect(noteReadFailure(troubles, 'X.AB0', failure(kind), T0 + 11 * MIN)).toBeNull();
    expect(visibleTroubles(troubles, T0 + 11 * MIN)[0]?.reason).toMatch(told);
  });

  it('a good read ends the trouble, and says so only when the person had been told', () => {
    const troubles = createReadTroubles(10 * MIN);
    noteReadFailure(troubles, 'Q.AB0', failure('locked'), T0);
    expect(noteReadSuccess(troubles, 'Q.AB0')).toBeNull();
    noteReadFailure(troubles, 'X.AB0', failure('permission'), T0);
    expect(noteReadSuccess(troubles, 'X.AB0')).toBe('X.AB0 can be read again');
    expect(visibleTroubles(troubles, T0)).toEqual([]);
  });

  it('a quiet failure of another kind starts its clock again', () => {
    const troubles = createReadTroubles(10 * MIN);
    noteReadFailure(troubles, 'X.AB0', failure('locked'), T0);
    noteReadFailure(troubles, 'X.AB0', failure('changed'), T0 + 9 * MIN);
    expect(visibleTroubles(troubles, T0 + 12 * MIN)).toEqual([]);
  });

  it('a file gone from the folder is forgotten', () => {
    const troubles = createReadTroubles(10 * MIN);
    noteReadFailure(troubles, 'X.AB0', failure('permission'), T0);
    keepOnly(troubles, new Set(['Y.AB0']));
    expect(visibleTroubles(troubles, T0)).toEqual([]);
  });
});
