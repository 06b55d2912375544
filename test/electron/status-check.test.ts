// Issue 8 item 8: the agent status that crosses from the worker is checked field by field,
// with texts and lists bounded, before the tray renders it; driven through the supervisor's
// real message listener with the real trayView as the renderer.
import { describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../src/agent/status-types.js';
import { checkStatus, MAX_HELD_BACK_ITEMS, MAX_PROBLEMS, MAX_RECENT_ITEMS, MAX_TEXT_CHARS } from '../../electron/shared/status-check.js';
import { trayView, TOOLTIP_MAX_CHARS, type TrayView } from '../../electron/main/tray-view.js';
import { createSupervisor, type WorkerHandle } from '../../electron/main/worker-supervisor.js';
import { defaultConfig } from '../../src/config/index.js';
import { heldBack, NOW_MS, statusWith } from './status-fixture.js';

/** A worker the test speaks for, and a supervisor whose status goes through trayView like main.ts's. */
function supervised(): { say(message: unknown): void; views: TrayView[]; logs: string[] } {
  const listeners: Array<(m: unknown) => void> = [];
  const views: TrayView[] = [];
  const logs: string[] = [];
  const worker: WorkerHandle = {
    post: () => undefined,
    onMessage: (l) => void listeners.push(l),
    onExit: () => undefined,
    kill: () => undefined,
  };
  const config = defaultConfig('/tmp/s3w-status-check/config.ini');
  const supervisor = createSupervisor({
    spawn: () => worker,
    startArgs: async () => ({ config, configPath: '/tmp/s3w-status-check/config.ini' }),
    onStatus: (s) => void views.push(trayView(s, NOW_MS)),
    log: (line) => void logs.push(line),
  });
  supervisor.start();
  return { say: (m) => listeners.forEach((l) => l(m)), views, logs };
}

const without = (key: keyof AgentStatus): Record<string, unknown> => {
  const copy: Record<string, unknown> = { ...statusWith() };
  delete copy[key];
  return copy;
};
const withField = (key: string, value: unknown): Record<string, unknown> => ({ ...statusWith(), [key]: value });

describe('item 8: a malformed status is rejected, never thrown inside the main process’s listener', () => {
  const malformed: ReadonlyArray<readonly [string, unknown]> = [
    ['only a version', { version: 1 }],
    ['no heldBack', without('heldBack')],
    ['no problems', without('problems')],
    ['no serverReachable', without('serverReachable')],
    ['heldBack not a list', withField('heldBack', { length: 3 })],
    ['a held-back event that is a string', withField('heldBack', ['M529LK44.AB0'])],
    ['a held-back reason that is a number', withField('heldBack', [{ ...heldBack('A.AB0', 'x'), reason: 7 }])],
    ['a held-back "dismissed" that is not true or false', withField('heldBack', [{ ...heldBack('A.AB0', 'x'), dismissed: 'yes' }])],
    ['a held-back event without its refusals', withField('heldBack', [{ ...heldBack('A.AB0', 'x'), refusals: undefined }])],
    ['problems holding an object', withField('problems', [{ toString: 'x' }])],
    ['a count that is text', withField('waiting', '37')],
    ['a count that is NaN', withField('deliveredToday', Number.NaN)],
    ['a negative count', withField('deliveredTotal', -1)],
    ['running as "yes"', withField('running', 'yes')],
    ['serverReachable as "no"', withField('serverReachable', 'no')],
    ['lastPass as a string', withField('lastPass', 'yesterday')],
    ['lastPass missing a count', withField('lastPass', { startedAt: 'x', seconds: 1, forwarded: 1, withReport: 0, errors: 0, pending: 0, stoppedEarly: false })],
    ['lastFailureReason as a number', withField('lastFailureReason', 404)],
    ['no recent list', without('recent')],
    ['a recent delivery without its time', withField('recent', [{ filename: 'A.AB0', size: 1, withReport: true, lateReport: false }])],
    ['a recent delivery whose lateReport is text', withField('recent', [{ deliveredAt: 'x', filename: 'A.AB0', size: 1, withReport: true, lateReport: 'no' }])],
    ['an array instead of a status', [statusWith()]],
    ['item 3: no units', without('units')],
    ['item 3: a unit in an unknown state', withField('units', { ...statusWith().units, list: [{ unit: 'BE12345', lastCallIn: 'x', state: 'gone', file: 'A.MLG' }] })],
    ['item 3: units without counts', withField('units', { ...statusWith().units, counts: null })],
    ['item 3: an unreadable monitor log as a string', withField('units', { ...statusWith().units, unreadable: ['A.MLG'] })],
  ];

  it.each(malformed)('%s', (_name, status) => {
    const s = supervised();
    expect(() => s.say({ type: 'status', status })).not.toThrow();
    expect(s.views).toEqual([]); // the tray keeps what it showed
    expect(s.logs).toContain('ignored a malformed message from the worker');
    expect(checkStatus(status).ok).toBe(false);
  });

  it('item 3: a status with units passes through unchanged', () => {
    const units = {
      ...statusWith().units,
      list: [{ unit: 'BE12345', lastCallIn: '2026-05-08T11:00:00.000Z', state: 'ok' as const, file: 'M529LK44.MLG' }],
      counts: { ok: 1, late: 0, missing: 0 },
      unreadable: [{ file: 'S353L4H0.MLG', reason: 'monitor log S353L4H0.MLG cannot be read (permission denied)' }],
      scannedAt: '2026-05-08T11:59:00.000Z',
    };
    const status = statusWith({ units });
    expect(checkStatus(status)).toEqual({ ok: true, status });
  });

  it('a well-formed status passes through unchanged and is rendered', () => {
    const status = statusWith({ heldBack: [heldBack('M529LK44.AB0', 'HTTP 422: not a Series 3 event')], problems: ['the watch folder cannot be read'] });
    expect(checkStatus(status)).toEqual({ ok: true, status });
    const s = supervised();
    s.say({ type: 'status', status });
    expect(s.views.map((v) => v.state)).toEqual(['failing']);
  });
});

describe('item 8: texts and lists from the worker are bounded', () => {
  const megabyte = 'x'.repeat(1024 * 1024);

  it('1 MB strings are clipped in every text field before the tray sees them', () => {
    const status = statusWith({
      watchFolder: megabyte,
      serverUrl: megabyte,
      lastFailureReason: megabyte,
      failingSince: megabyte,
      problems: [megabyte],
      heldBack: [heldBack(megabyte, megabyte)],
    });
    const checked = checkStatus(status);
    if (!checked.ok) throw new Error(checked.why);
    expect(JSON.stringify(checked.status).length).toBeLessThan(20_000);
    expect(checked.status.problems[0]).toHaveLength(MAX_TEXT_CHARS);
    expect(checked.status.problems[0]?.endsWith('…')).toBe(true);
    expect(checked.status.heldBack[0]?.reason).toHaveLength(MAX_TEXT_CHARS);
    const s = supervised();
    s.say({ type: 'status', status });
    expect(s.views[0]?.tooltip.length).toBeLessThanOrEqual(TOOLTIP_MAX_CHARS);
  });

  it('100,000 held-back events are cut to the first 1,000 quickly, and 10,000 problems to 50', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => heldBack(`M${String(i).padStart(3, '0')}LK44.AB0`, 'HTTP 422'));
    const problems = Array.from({ length: 10_000 }, (_, i) => `problem ${i}`);
    const startedMs = performance.now();
    const checked = checkStatus(statusWith({ heldBack: many, problems }));
    const elapsedMs = performance.now() - startedMs;
    if (!checked.ok) throw new Error(checked.why);
    expect(checked.status.heldBack).toHaveLength(MAX_HELD_BACK_ITEMS);
    expect(checked.status.heldBack[0]).toEqual(many[0]);
    expect(checked.status.problems).toHaveLength(MAX_PROBLEMS);
    expect(elapsedMs).toBeLessThan(200);
  });

  it('the recent deliveries pass through, cut to the 50 an agent keeps', () => {
    const row = (i: number): AgentStatus['recent'][number] => ({ deliveredAt: new Date(NOW_MS - i * 1000).toISOString(), filename: `M${i}LK44.AB0`, size: 4400, withReport: i % 2 === 0, lateReport: i === 1 });
    const checked = checkStatus(statusWith({ recent: Array.from({ length: 80 }, (_, i) => row(i)) }));
    if (!checked.ok) throw new Error(checked.why);
    expect(checked.status.recent).toHaveLength(MAX_RECENT_ITEMS);
    expect(checked.status.recent[1]).toEqual(row(1));
  });

  it('a 1 MB fatal message and reply error are clipped too', () => {
    const s = supervised();
    s.say({ type: 'fatal', message: megabyte });
    const line = s.logs.find((l) => l.startsWith('worker: '));
    expect(line?.length).toBeLessThanOrEqual('worker: '.length + MAX_TEXT_CHARS);
  });

  it('a rendering error is caught and logged, not thrown into the listener', () => {
    const listeners: Array<(m: unknown) => void> = [];
    const logs: string[] = [];
    const supervisor = createSupervisor({
      spawn: () => ({ post: () => undefined, onMessage: (l) => void listeners.push(l), onExit: () => undefined, kill: () => undefined }),
      startArgs: async () => ({ config: defaultConfig('/tmp/x/config.ini'), configPath: '/tmp/x/config.ini' }),
      onStatus: () => {
        throw new Error('tray.setImage failed');
      },
      log: (line) => void logs.push(line),
    });
    supervisor.start();
    expect(() => listeners.forEach((l) => l({ type: 'status', status: statusWith() }))).not.toThrow();
    expect(logs).toContain('could not show the agent status: tray.setImage failed');
  });
});
