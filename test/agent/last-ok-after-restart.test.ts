// After a restart, "Last OK" in the status (and so the tray and `status`) is the last delivery in
// the record, not "never"; a seeded or imported entry is no delivery. Real record, real temp folders.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgent, createMemoryLogger } from '../../src/agent/index.js';
import { openLedger } from '../../src/record/index.js';
import { makeSite, testConfig, type Site } from '../support/fixtures.js';

let site: Site;
beforeEach(async () => {
  site = await makeSite();
});
afterEach(async () => {
  await site.cleanup();
});

const entry = (n: number, forwardedAt: string, source: 'sent' | 'seeded') => ({
  entry: { sha256: String(n).repeat(64).slice(0, 64), filename: `M52${n}LK44.AB0`, size: 10, forwardedAt, withReport: true, source },
});

describe('the status after a restart', () => {
  it('says when the last event was sent, from the record, and ignores later seeded entries', async () => {
    const ledger = await openLedger(site.stateDir);
    await ledger.record([entry(1, '2026-11-20T08:00:00.000Z', 'sent'), entry(2, '2026-11-21T09:30:00.000Z', 'sent'), entry(3, '2026-11-22T10:00:00.000Z', 'seeded')]);
    await ledger.close();
    const agent = createAgent(testConfig(site, { forwardEnabled: false }), { log: createMemoryLogger(), watch: false, statusFile: false });
    await agent.start();
    try {
      expect(agent.status().lastSuccessAt).toBe('2026-11-21T09:30:00.000Z');
    } finally {
      await agent.stop();
    }
  });

  it('says never when nothing was ever sent', async () => {
    const agent = createAgent(testConfig(site, { forwardEnabled: false }), { log: createMemoryLogger(), watch: false, statusFile: false });
    await agent.start();
    try {
      expect(agent.status().lastSuccessAt).toBeNull();
    } finally {
      await agent.stop();
    }
  });
});
