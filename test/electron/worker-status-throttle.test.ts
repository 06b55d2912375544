// The worker forwards the agent's status to the main process a few times a second, not once
// per event: a backlog changes the status hundreds of times a second, and each message makes the
// main process redraw the tray. The last status is never dropped.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgent, createMemoryLogger } from '../../src/agent/index.js';
import type { AgentStatus } from '../../src/agent/status-types.js';
import { runWorker, STATUS_POST_GAP_MS, type WorkerPort } from '../../electron/worker/worker-runtime.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { makeSite, testConfig, waitFor, writeEvent, type Site } from '../support/fixtures.js';

let site: Site;
let receiver: Receiver;
beforeEach(async () => {
  site = await makeSite('s3w-worker-');
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
  await site.cleanup();
});

describe('status messages from the worker', () => {
  it('are throttled during a backlog, and the final status arrives', async () => {
    for (let i = 0; i < 150; i++) await writeEvent(site.watchDir, `M529L${String(i).padStart(3, '0')}.AB0`, { report: true, size: 2000 });
    const posted: { at: number; status: AgentStatus }[] = [];
    let agentChanges = 0;
    let listener: ((event: { readonly data: unknown }) => void) | undefined;
    const port: WorkerPort = {
      on: (_event, l) => (listener = l),
      postMessage: (message) => {
        const m = message as { type: string; status?: AgentStatus };
        if (m.type === 'status' && m.status) posted.push({ at: Date.now(), status: m.status });
      },
    };
    let exited = false;
    runWorker(port, {
      createAgent: (config) => {
        const agent = createAgent(config, { log: createMemoryLogger() });
        agent.onStatus(() => agentChanges++);
        return agent;
      },
      exit: () => (exited = true),
    });
    const config = testConfig(site, { sfmUrl: receiver.url, concurrency: 4 });
    listener!({ data: { type: 'start', config } });

    await waitFor(() => posted.at(-1)?.status.deliveredTotal === 150, 'the final status with every event delivered', 15_000);
    expect(agentChanges).toBeGreaterThan(150);
    const spanMs = posted.at(-1)!.at - posted[0]!.at;
    // Leading + trailing: at most one message per gap, plus the first.
    expect(posted.length).toBeLessThanOrEqual(Math.ceil(spanMs / STATUS_POST_GAP_MS) + 2);
    expect(posted.length).toBeLessThan(agentChanges / 5);

    listener!({ data: { type: 'stop' } });
    await waitFor(() => exited, 'the worker to stop');
    expect(posted.at(-1)!.status.running).toBe(false);
  });
});
