// Issue 7 item 8: peak RSS of a process sending one 300 MB event to the receiver (which runs in
// its own process, as a real server would) must stay ≤ 250 MB: large binaries are streamed, never
// held whole. Also checks the record holds the sha256 of exactly the bytes the receiver got. The
// 300 MB temp file is removed afterwards, whatever happens.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { makeSite, testConfig } from '../test/support/fixtures.js';
import { openLedger } from '../src/record/index.js';
import { startRemoteReceiver } from './remote-receiver.js';
import { note, round, target, type Benchmark } from './report.js';

const execFileAsync = promisify(execFile);
const EVENT_MB = 300;
const TARGET_MB = 250;
const childScript = fileURLToPath(new URL('./large-event-child.js', import.meta.url));

export const largeEvent: Benchmark = async () => {
  const site = await makeSite('s3w-bench-large-');
  const receiver = await startRemoteReceiver({ maxBodyMb: EVENT_MB + 16 });
  try {
    const name = 'M529LK44.AB0';
    const path = join(site.watchDir, name);
    const written = await writeLargeFile(path, EVENT_MB * 1024 * 1024);
    const old = new Date(Date.now() - 600_000);
    await utimes(path, old, old);
    note('large', `wrote a ${EVENT_MB} MB event; sending it from a child process`);

    const config = testConfig(site, { sfmUrl: receiver.url, httpTimeoutSeconds: 600, concurrency: 1 });
    const started = Date.now();
    const { stdout } = await execFileAsync(process.execPath, [childScript, JSON.stringify(config)], { maxBuffer: 1024 * 1024 });
    const seconds = (Date.now() - started) / 1000;
    const child = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { peakRssMb: number; forwarded: number; errors: number; lastFailure: unknown };
    if (child.forwarded !== 1) throw new Error(`the 300 MB event was not delivered: ${JSON.stringify(child)}`);

    const got = await receiver.received();
    const ledger = await openLedger(site.stateDir, { readOnly: true });
    const recorded = ledger.get(written);
    await ledger.close();
    const hashMatches = got.length === 1 && got[0]!.sha256 === written && recorded !== undefined && recorded.size === EVENT_MB * 1024 * 1024;
    if (!hashMatches) throw new Error(`the record does not hold the sha256 of the bytes the receiver got (received ${JSON.stringify(got)})`);
    note('large', `sent in ${seconds.toFixed(1)} s, peak RSS ${child.peakRssMb.toFixed(0)} MB`);

    return {
      targets: [
        target({
          id: 'large.peakRss',
          label: `peak RSS sending one ${EVENT_MB} MB event`,
          measured: child.peakRssMb,
          unit: 'MB',
          baseline: null,
          baselineLabel: `issue 7: 1.3 GB before streaming`,
          target: `≤ ${TARGET_MB} MB`,
          passes: (mb) => mb <= TARGET_MB,
        }),
      ],
      figures: { eventMb: EVENT_MB, peakRssMb: round(child.peakRssMb, 1), seconds: round(seconds, 1), recordedHashIsReceived: hashMatches },
    };
  } finally {
    await receiver.close();
    await site.cleanup();
  }
};

/** Writes `size` random-ish bytes in 4 MB chunks (never the whole file in memory); returns its sha256. */
async function writeLargeFile(path: string, size: number): Promise<string> {
  const handle = await open(path, 'w');
  try {
    const block = randomBytes(4 * 1024 * 1024);
    for (let offset = 0, i = 0; offset < size; offset += block.length, i += 1) {
      // A different first word per block, so the file is not one block repeated.
      block.writeUInt32LE(i, 0);
      await handle.write(block, 0, Math.min(block.length, size - offset));
    }
  } finally {
    await handle.close();
  }
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
