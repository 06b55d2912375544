// Item 1 of issue 9: a small bounded pool runs the sends. Pure: jobs are promises the test settles.
import { describe, expect, it } from 'vitest';
import { runPool } from '../../src/agent/send-pool.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('item 1: the send pool', () => {
  it('runs the items in order, never more than the limit at once, and waits for every job', async () => {
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const started = await runPool({
      items: Array.from({ length: 20 }, (_, i) => i),
      limit: () => 3,
      canStart: () => true,
      trailing: () => new Set(),
      run: async (i) => {
        order.push(i);
        most = Math.max(most, ++running);
        await tick();
        running--;
      },
    });
    expect(started).toBe(20);
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(most).toBe(3);
    expect(running).toBe(0);
  });

  it('keeps jobs in flight plus trailing work (record writes not yet durable) under twice the limit, and waits for the trailing work', async () => {
    const trailing = new Set<Promise<void>>();
    const releases: (() => void)[] = [];
    let worst = 0;
    let inFlight = 0;
    const pool = runPool({
      items: Array.from({ length: 12 }, (_, i) => i),
      limit: () => 2,
      canStart: () => true,
      trailing: () => trailing,
      run: async () => {
        inFlight++;
        worst = Math.max(worst, inFlight + trailing.size);
        await tick();
        inFlight--;
        // The delivery's record write lands only when the test says so (a slow fsync).
        const write: Promise<void> = new Promise<void>((resolve) => releases.push(resolve)).finally(() => trailing.delete(write));
        trailing.add(write);
      },
    });
    for (let i = 0; i < 50; i++) await tick();
    // Nothing durable yet: at most 2 × 2 events sent and not recorded, then the pool waits.
    expect(releases.length).toBe(4);
    while (releases.length > 0) {
      releases.shift()!();
      for (let i = 0; i < 5; i++) await tick();
    }
    expect(await pool).toBe(12);
    expect(trailing.size).toBe(0);
    expect(worst).toBeLessThanOrEqual(4);
  });

  it('starts nothing more once canStart says no (cap, back-off, pause, record problem), and reads the limit as it goes', async () => {
    let count = 0;
    let limit = 1;
    let most = 0;
    let running = 0;
    const started = await runPool({
      items: Array.from({ length: 10 }, (_, i) => i),
      limit: () => limit,
      canStart: () => count < 6,
      trailing: () => new Set(),
      run: async () => {
        count++;
        most = Math.max(most, ++running);
        await tick();
        // A lone probe succeeded: full concurrency resumes.
        limit = 4;
        running--;
      },
    });
    expect(started).toBe(6);
    expect(most).toBe(4);
  });
});
