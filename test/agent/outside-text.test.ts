// Issue 8, item 4, end to end: a real receiver answers with hostile rows; nothing it says forges a
// line in the log or floods status.json.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createFileLogger, runOnce } from '../../src/agent/index.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { makeSite, testConfig, writeEvent, type Site } from '../support/fixtures.js';

let site: Site;
let receiver: Receiver;
beforeEach(async () => {
  site = await makeSite();
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
  await site.cleanup();
});

describe('item 4: servers cannot write into the log', () => {
  it('a row status carrying a forged log line and 20,000 characters stays one clipped line in the log and status.json', async () => {
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true });
    const forged = `rejected\n2026-01-01T00:00:00Z INFO  delivered FORGED.EVT\r\n${'A'.repeat(20_000)}`;
    receiver.behave(() => ({ kind: 'row', status: forged, detail: `x\u2028y\n${'B'.repeat(20_000)}` }));
    const config = testConfig(site, { sfmUrl: receiver.url });
    const log = createFileLogger({ file: config.logFile, maxBytes: 1024 * 1024 });
    await runOnce(config, { log });
    log.close?.();

    const lines = (await readFile(config.logFile, 'utf8')).split('\n').filter((line) => line !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (INFO |WARN |ERROR) /);
    expect(lines.some((line) => line.startsWith('2026-01-01T00:00:00Z'))).toBe(false);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThan(2000);

    const status = JSON.parse(await readFile(join(site.stateDir, 'status.json'), 'utf8')) as { lastFailureReason: string };
    expect(status.lastFailureReason).toMatch(/status "rejected 2026-01-01T00:00:00Z INFO delivered FORGED\.EVT A+…"/);
    expect(status.lastFailureReason).not.toMatch(/[\n\r\u2028]/);
    expect(status.lastFailureReason.length).toBeLessThan(1000);
  });
});
