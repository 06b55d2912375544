// item 4: the one status function and the one glance rule that every view of the agent uses.
import { describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../src/agent/status-types.js';
import { idleStatus } from '../../src/agent/status-file.js';
import { factsOf, failingHeadline, glanceState, heldBackWords, isFailing, statusFrom } from '../../src/agent/status-view.js';

const NOW_MS = Date.parse('2026-05-08T12:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const held = { sha256: 'a'.repeat(64), filename: 'M529LK44.AB0', reason: 'row status "error"', refusals: 3, since: iso(NOW_MS - 60_000), dismissed: false };

function running(overrides: Partial<AgentStatus> = {}): AgentStatus {
  return { ...idleStatus({ forwardEnabled: true, series3Path: 'C:\\events', sfmUrl: 'http://sfm:8000' }, NOW_MS), pid: 7, running: true, serverReachable: true, ...overrides };
}

describe('item 4: statusFrom builds the status every command and view shows', () => {
  it('turns the agent\'s times in ms into ISO UTC, and a back-off already over into none', () => {
    const facts = { ...factsOf(running()), updatedAtMs: NOW_MS };
    expect(statusFrom({ ...facts, backoffUntilMs: NOW_MS + 30_000 })).toMatchObject({ version: 1, updatedAt: iso(NOW_MS), backoffUntil: iso(NOW_MS + 30_000) });
    expect(statusFrom({ ...facts, backoffUntilMs: NOW_MS }).backoffUntil).toBeNull();
    expect(statusFrom({ ...facts, backoffUntilMs: null }).backoffUntil).toBeNull();
  });

  it('a status read back and rebuilt unchanged is the same status (once, status and a crashed worker update one this way)', () => {
    const status = running({ backoffUntil: iso(NOW_MS + 5_000), heldBack: [held], problems: ['x'], waiting: 4, lastPass: null });
    expect(statusFrom(factsOf(status))).toEqual(status);
  });

  it('copies the lists, so a later change to the agent\'s own list cannot change a status already shown', () => {
    const problems = ['one'];
    const status = statusFrom({ ...factsOf(running()), problems });
    problems.push('two');
    expect(status.problems).toEqual(['one']);
  });
});

describe('item 4: one rule for failing', () => {
  const cases: ReadonlyArray<readonly [string, Partial<AgentStatus>, boolean]> = [
    ['healthy', {}, false],
    ['a backlog is not failing', { waiting: 500 }, false],
    ['server unreachable', { serverReachable: false }, true],
    ['server not asked yet', { serverReachable: null }, false],
    ['uploads failing for a while', { failingSince: iso(NOW_MS - 60_000) }, true],
    ['events held back', { heldBack: [held] }, true],
    ['held back, every one dismissed by a person', { heldBack: [{ ...held, dismissed: true }] }, false],
    ['one dismissed, one not', { heldBack: [{ ...held, dismissed: true }, { ...held, filename: 'M529LK45.AB0' }] }, true],
    ['a lasting problem (missing watch folder)', { problems: ['cannot read the watch folder'] }, true],
  ];
  it.each(cases)('%s -> %s', (_name, overrides, failing) => {
    expect(isFailing(running(overrides))).toBe(failing);
  });
});

describe('item 4: the glance state every view shows', () => {
  const cases: ReadonlyArray<readonly [string, AgentStatus | null, string, string | null]> = [
    ['starting', null, 'busy', null],
    ['all delivered', running(), 'ok', null],
    ['backlog', running({ waiting: 3 }), 'busy', null],
    ['off', running({ forwardEnabled: false, problems: ['x'] }), 'off', null],
    ['paused', running({ paused: true, serverReachable: false }), 'paused', null],
    ['stopped unasked', running({ running: false, forwardEnabled: false }), 'failing', 'Stopped'],
    ['server unreachable', running({ serverReachable: false }), 'failing', 'Server unreachable'],
    ['uploads failing', running({ failingSince: iso(NOW_MS) }), 'failing', 'Uploads failing'],
    ['held back', running({ heldBack: [held] }), 'failing', '1 held back'],
    ['held back, one of two dismissed', running({ heldBack: [held, { ...held, dismissed: true }] }), 'failing', '2 held back (1 dismissed)'],
    ['held back and dismissed: all delivered', running({ heldBack: [{ ...held, dismissed: true }] }), 'ok', null],
    ['a problem', running({ problems: ['cannot read the watch folder'] }), 'failing', 'Problem'],
  ];
  it.each(cases)('%s -> %s', (_name, status, state, headline) => {
    expect(glanceState(status)).toBe(state);
    if (status !== null && headline !== null) expect(failingHeadline(status)).toBe(headline);
  });
});

describe('issue 10 item 2: held-back events in words, the same in every view', () => {
  const dismissed = { ...held, dismissed: true };
  const cases: ReadonlyArray<readonly [string, AgentStatus['heldBack'], string | null]> = [
    ['none', [], null],
    ['one', [held], '1 held back'],
    ['three, one dismissed', [held, held, dismissed], '3 held back (1 dismissed)'],
    ['one, dismissed', [dismissed], '1 held back (dismissed)'],
    ['two, both dismissed', [dismissed, dismissed], '2 held back (all dismissed)'],
    ['1,204 (counts grouped)', Array.from({ length: 1204 }, () => held), '1,204 held back'],
  ];
  it.each(cases)('%s -> %s', (_name, heldBack, words) => {
    expect(heldBackWords({ heldBack })).toBe(words);
  });
});
