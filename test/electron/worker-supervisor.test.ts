import { mkdtemp, mkdir, rm, writeFile, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/index.js';
import type { Config } from '../../src/config/types.js';
import type { Agent } from '../../src/agent/types.js';
import type { AgentStatus } from '../../src/agent/status-types.js';
import { createAgent } from '../../src/agent/index.js';
import type { MainToWorker } from '../../electron/shared/worker-protocol.js';
import { createSupervisor, type Clock, type WorkerHandle } from '../../electron/main/worker-supervisor.js';
import { inMemoryWorker } from './in-memory-worker.js';

let dir: string;
let config: Config;
let configPath: string;
const agents: Agent[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 's3w-supervisor-'));
  configPath = path.join(dir, 'config.ini');
  const watch = path.join(dir, 'watch');
  await mkdir(watch);
  config = { ...defaultConfig(configPath), series3Path: watch, quiescenceSeconds: 0 };
});

afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop().catch(() => undefined)));
  await rm(dir, { recursive: true, force: true });
});

function realAgent(c: Config): Agent {
  const agent = createAgent(c, { watch: false });
  agents.push(agent);
  return agent;
}

/** Timers that run only when the test says time has passed. */
function manualClock(): Clock & { advance(ms: number): void; pending(): number[] } {
  let nowMs = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let next = 1;
  return {
    now: () => nowMs,
    setTimeout: (fn, ms) => {
      const id = next++;
      timers.set(id, { at: nowMs + ms, fn });
      return id;
    },
    clearTimeout: (id) => void timers.delete(id as number),
    advance(ms) {
      // Fire due timers in order, each at its own time (a timer may set another).
      const target = nowMs + ms;
      for (;;) {
        const due = [...timers].filter(([, t]) => t.at <= target).sort((a, b) => a[1].at - b[1].at)[0];
        if (due === undefined) break;
        timers.delete(due[0]);
        nowMs = due[1].at;
        due[1].fn();
      }
      nowMs = target;
    },
    pending: () => [...timers.values()].map((t) => t.at - nowMs),
  };
}

/** A scripted worker: records what it was sent; the test decides when it answers or exits. */
function scriptedWorker(onPost: (message: MainToWorker, w: ScriptedWorker) => void = () => undefined): ScriptedWorker {
  const messageListeners: Array<(m: unknown) => void> = [];
  const exitListeners: Array<(code: number) => void> = [];
  const w: ScriptedWorker = {
    received: [],
    killed: false,
    post(message) {
      w.received.push(message);
      onPost(message, w);
    },
    onMessage: (l) => void messageListeners.push(l),
    onExit: (l) => void exitListeners.push(l),
    kill() {
      w.killed = true;
      w.exit(137);
    },
    say: (m) => messageListeners.forEach((l) => l(m)),
    exit: (code) => exitListeners.forEach((l) => l(code)),
  };
  return w;
}
interface ScriptedWorker extends WorkerHandle {
  readonly received: MainToWorker[];
  killed: boolean;
  say(message: unknown): void;
  exit(code: number): void;
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the worker supervisor with the real worker body and agent', () => {
  it('starts the agent with the settings it is given and relays every status', async () => {
    const statuses: (AgentStatus | null)[] = [];
    const supervisor = createSupervisor({
      spawn: () => inMemoryWorker(realAgent),
      startArgs: async () => ({ config: { ...config, apiToken: 'secret-token' } }),
      onStatus: (s) => statuses.push(s),
    });
    supervisor.start();
    await until(() => statuses.some((s) => s?.running === true), 'a running status');
    expect(supervisor.lastStatus()?.watchFolder).toBe(config.series3Path);
    expect(agents).toHaveLength(1);
    expect(await supervisor.stop(5_000)).toBe('stopped');
  });

  it('answers Skip-backlog requests from the agent (preview, then seed)', async () => {
    const now = Date.now() / 1000;
    for (const name of ['M529LK44.AB0', 'M529LK45.AB0']) {
      await writeFile(path.join(config.series3Path, name), `event ${name}`);
      await utimes(path.join(config.series3Path, name), now - 600, now - 600);
    }
    const supervisor = createSupervisor({
      spawn: () => inMemoryWorker(realAgent),
      startArgs: async () => ({ config }),
      onStatus: () => undefined,
    });
    supervisor.start();
    await until(() => supervisor.lastStatus()?.running === true, 'a running agent');
    expect(await supervisor.request('seed-preview')).toMatchObject({ scanned: 2, wouldSeed: 2, seeded: 0 });
    expect(await supervisor.request('seed')).toMatchObject({ scanned: 2, seeded: 2 });
    expect(await supervisor.request('seed-preview')).toMatchObject({ alreadyKnown: 2, wouldSeed: 0 });
    await supervisor.stop(5_000);
  });

  it('issue 10: retries and dismisses held-back events by name in the running agent', async () => {
    const now = Date.now() / 1000;
    for (const name of ['M529LK44.AB0', 'M529LK45.AB0']) {
      await writeFile(path.join(config.series3Path, name), `event ${name}`);
      await utimes(path.join(config.series3Path, name), now - 600, now - 600);
    }
    const entry = (filename: string): object => ({ filename, attempts: 3, reason: 'row status "error"', since: '2026-11-23T13:06:02.679Z', held: true });
    await mkdir(config.stateDir, { recursive: true });
    await writeFile(path.join(config.stateDir, 'held-back.json'), JSON.stringify({ ['a'.repeat(64)]: entry('M529LK44.AB0'), ['b'.repeat(64)]: entry('M529LK45.AB0') }));
    const supervisor = createSupervisor({ spawn: () => inMemoryWorker(realAgent), startArgs: async () => ({ config }), onStatus: () => undefined });
    supervisor.start();
    await until(() => supervisor.lastStatus()?.heldBack.length === 2, 'the two held-back events');
    expect(await supervisor.request('held-back-dismiss', ['M529LK44.AB0'])).toEqual({ changed: ['M529LK44.AB0'], notHeldBack: [] });
    expect(await supervisor.request('held-back-retry', ['M529LK45.AB0'])).toEqual({ changed: ['M529LK45.AB0'], notHeldBack: [] });
    expect(await supervisor.request('held-back-retry', ['M529LK46.AB0'])).toEqual({ changed: [], notHeldBack: ['M529LK46.AB0'] });
    await until(() => supervisor.lastStatus()?.heldBack.length === 1, 'the retried one to leave the list');
    expect(supervisor.lastStatus()?.heldBack).toEqual([expect.objectContaining({ filename: 'M529LK44.AB0', dismissed: true, refusals: 3 })]);
    await supervisor.stop(5_000);
  });

  it('stops cleanly on Quit: the agent stops (record flushed) before stop() resolves', async () => {
    const supervisor = createSupervisor({
      spawn: () => inMemoryWorker(realAgent),
      startArgs: async () => ({ config }),
      onStatus: () => undefined,
    });
    supervisor.start();
    await until(() => supervisor.lastStatus()?.running === true, 'a running agent');
    expect(await supervisor.stop(5_000)).toBe('stopped');
    expect(agents[0]?.status().running).toBe(false);
  });
});

describe('crashes and restarts', () => {
  it('shows a crash as "not running" with the reason, and restarts after the first delay', async () => {
    const clock = manualClock();
    const workers: ScriptedWorker[] = [];
    const statuses: (AgentStatus | null)[] = [];
    const supervisor = createSupervisor({
      spawn: () => {
        const w = scriptedWorker();
        workers.push(w);
        return w;
      },
      startArgs: async () => ({ config }),
      onStatus: (s) => statuses.push(s),
      restartDelaysMs: [1_000, 5_000, 30_000],
      clock,
    });
    supervisor.start();
    await flush();
    expect(workers[0]?.received[0]).toMatchObject({ type: 'start' });
    workers[0]?.exit(3);
    const shown = statuses.at(-1);
    expect(shown?.running).toBe(false);
    expect(shown?.problems).toEqual(['The forwarding process stopped unexpectedly (exit code 3). Restarting in 1 s.']);
    clock.advance(999);
    expect(workers).toHaveLength(1);
    clock.advance(1);
    expect(workers).toHaveLength(2);
  });

  it('waits longer after each crash in a row, so a crash loop cannot spin', async () => {
    const clock = manualClock();
    const spawnedAt: number[] = [];
    const workers: ScriptedWorker[] = [];
    const supervisor = createSupervisor({
      spawn: () => {
        spawnedAt.push(clock.now());
        const w = scriptedWorker();
        workers.push(w);
        return w;
      },
      startArgs: async () => ({ config }),
      onStatus: () => undefined,
      restartDelaysMs: [1_000, 5_000, 30_000],
      clock,
    });
    supervisor.start();
    for (let i = 0; i < 5; i++) {
      await flush();
      workers.at(-1)?.exit(1);
      clock.advance(Math.min(...clock.pending())); // to the restart, no further
    }
    const gaps = spawnedAt.slice(1).map((t, i) => t - (spawnedAt[i] ?? 0));
    // Each worker died at once; the next one started after 1 s, 5 s, then 30 s each time.
    expect(gaps.slice(0, 4)).toEqual([1_000, 5_000, 30_000, 30_000]);
  });

  it('names the reason the worker gave before it exited (a fatal message)', async () => {
    const clock = manualClock();
    const statuses: (AgentStatus | null)[] = [];
    let worker: ScriptedWorker | undefined;
    const supervisor = createSupervisor({
      spawn: () => (worker = scriptedWorker()),
      startArgs: async () => ({ config }),
      onStatus: (s) => statuses.push(s),
      clock,
    });
    supervisor.start();
    await flush();
    worker?.say({ type: 'fatal', message: 'The agent could not start: the state folder is in use by another series3-watcher' });
    worker?.exit(1);
    expect(statuses.at(-1)?.problems[0]).toBe(
      'The agent could not start: the state folder is in use by another series3-watcher Restarting in 1 s.',
    );
  });

  it('starts counting afresh after a worker that stayed up a while', async () => {
    const clock = manualClock();
    const spawnedAt: number[] = [];
    const workers: ScriptedWorker[] = [];
    const supervisor = createSupervisor({
      spawn: () => {
        spawnedAt.push(clock.now());
        const w = scriptedWorker();
        workers.push(w);
        return w;
      },
      startArgs: async () => ({ config }),
      onStatus: () => undefined,
      restartDelaysMs: [1_000, 5_000],
      stableAfterMs: 60_000,
      clock,
    });
    supervisor.start();
    await flush();
    workers.at(-1)?.exit(1); // crash 1 -> 1 s
    clock.advance(1_000);
    await flush();
    workers.at(-1)?.exit(1); // crash 2 -> 5 s
    clock.advance(5_000);
    await flush();
    clock.advance(120_000); // stayed up two minutes
    workers.at(-1)?.exit(1); // counted afresh -> 1 s
    clock.advance(1_000);
    expect(spawnedAt).toEqual([0, 1_000, 6_000, 127_000]);
  });

  it('fails requests that were waiting when the worker died, and refuses new ones until it is back', async () => {
    const clock = manualClock();
    let worker: ScriptedWorker | undefined;
    const supervisor = createSupervisor({
      spawn: () => (worker = scriptedWorker()),
      startArgs: async () => ({ config }),
      onStatus: () => undefined,
      clock,
    });
    supervisor.start();
    await flush();
    const waiting = supervisor.request('seed-preview');
    worker?.exit(1);
    await expect(waiting).rejects.toThrow('The forwarding process stopped before it answered; try again in a moment.');
    await expect(supervisor.request('seed')).rejects.toThrow('The forwarding process is restarting; try again in a moment.');
  });

  it('keeps a pause across a restart', async () => {
    const clock = manualClock();
    const workers: ScriptedWorker[] = [];
    const supervisor = createSupervisor({
      spawn: () => {
        const w = scriptedWorker();
        workers.push(w);
        return w;
      },
      startArgs: async () => ({ config }),
      onStatus: () => undefined,
      clock,
    });
    supervisor.start();
    await flush();
    supervisor.send('pause');
    workers[0]?.exit(1);
    clock.advance(1_000);
    await flush();
    workers[1]?.say({ type: 'started' });
    expect(workers[1]?.received.map((m) => m.type)).toEqual(['start', 'pause']);
  });

  it('ignores malformed messages from the worker', async () => {
    const statuses: (AgentStatus | null)[] = [];
    let worker: ScriptedWorker | undefined;
    const supervisor = createSupervisor({
      spawn: () => (worker = scriptedWorker()),
      startArgs: async () => ({ config }),
      onStatus: (s) => statuses.push(s),
      clock: manualClock(),
    });
    supervisor.start();
    await flush();
    for (const junk of [null, 'status', { type: 'status', status: { version: 2 } }, { type: 'reply', id: 'x', ok: true, value: 1 }, { type: 'nope' }]) {
      worker?.say(junk);
    }
    expect(statuses).toEqual([]);
  });
});

describe('Quit', () => {
  it('waits for the worker to say it stopped, and does not restart it', async () => {
    let spawns = 0;
    const supervisor = createSupervisor({
      spawn: () => {
        spawns++;
        return scriptedWorker((message, w) => {
          if (message.type === 'stop') {
            setTimeout(() => {
              w.say({ type: 'stopped' });
              w.exit(0);
            }, 30);
          }
        });
      },
      startArgs: async () => ({ config }),
      onStatus: () => undefined,
    });
    supervisor.start();
    await flush();
    expect(await supervisor.stop(5_000)).toBe('stopped');
    await new Promise((r) => setTimeout(r, 50));
    expect(spawns).toBe(1);
  });

  it('kills a worker that does not stop within the time limit', async () => {
    let worker: ScriptedWorker | undefined;
    const supervisor = createSupervisor({
      spawn: () => (worker = scriptedWorker()),
      startArgs: async () => ({ config }),
      onStatus: () => undefined,
    });
    supervisor.start();
    await flush();
    expect(await supervisor.stop(100)).toBe('killed');
    expect(worker?.killed).toBe(true);
    expect(worker?.received.at(-1)).toEqual({ type: 'stop' });
  });
});
