// Issue 7 item 8: large binaries are streamed from their file, never held whole, and what is
// recorded is the sha256 of exactly the bytes the server got. The threshold is set small here so
// real temp files of a few MB take the streaming path against the real receiver.
import { createHash } from 'node:crypto';
import { open, readFile, stat, truncate, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryLogger, loadHeldBack, runPass, type PassOutcome } from '../../src/agent/index.js';
import { uploaderOptions } from '../../src/agent/check-server.js';
import { openLedger, type Ledger } from '../../src/record/index.js';
import { createBackoff, createUploader, type Backoff, type Uploader } from '../../src/upload/index.js';
import { startReceiver, type Behaviour, type Receiver, type ReceiverOptions } from '../support/receiver.js';
import { makeSite, testConfig, waitFor, writeEvent, type Site } from '../support/fixtures.js';

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

let site: Site;
let receiver: Receiver;
let ledger: Ledger;
let uploader: Uploader | undefined;
let backoff: Backoff;

async function setUp(options: ReceiverOptions = {}): Promise<void> {
  receiver = await startReceiver(options);
}

beforeEach(async () => {
  site = await makeSite();
  ledger = await openLedger(site.stateDir);
  backoff = createBackoff({ baseMs: 50, maxMs: 100 });
});
afterEach(async () => {
  await uploader?.close();
  uploader = undefined;
  await ledger.close();
  await receiver?.close();
  await site.cleanup();
});

async function pass(streamAboveBytes: number): Promise<PassOutcome> {
  const config = testConfig(site, { sfmUrl: receiver.url, concurrency: 2 });
  uploader ??= createUploader(uploaderOptions(config));
  return runPass({
    config,
    ledger,
    uploader,
    backoff,
    heldBack: await loadHeldBack(config.stateDir, config.holdBackAfterFailures),
    log: createMemoryLogger(),
    now: Date.now,
    budget: Number.POSITIVE_INFINITY,
    shouldStop: () => false,
    streamAboveBytes,
  });
}

/** Every sha256 in the record is one the server received. */
function recordedHashes(): string[] {
  return receiver
    .received()
    .map((r) => r.sha256)
    .filter((h) => ledger.has(h));
}

describe('item 8: a large event is streamed, and the recorded hash is that of the bytes sent', () => {
  it('streams binaries above the threshold as the same multipart request, and records the sha256 the receiver got', async () => {
    await setUp();
    const big = await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true, size: 3 * 1024 * 1024 + 17 });
    const alone = await writeEvent(site.watchDir, 'S353L4H0.3M0W', { report: false, size: 2 * 1024 * 1024 });
    const small = await writeEvent(site.watchDir, 'P036L318.C80H', { report: true, size: 4400 });

    const outcome = await pass(1024 * 1024);
    expect(outcome).toMatchObject({ forwarded: 3, errors: 0, pending: 0 });

    const request = receiver.requests.find((r) => r.files[0]?.filename === 'M529LK44.AB0')!;
    expect(request.files.map((f) => [f.field, f.filename, f.contentType.split(';')[0], f.size])).toEqual([
      ['files', 'M529LK44.AB0', 'application/octet-stream', big.binary.length],
      ['files', 'M529LK44.AB0.TXT', 'text/plain', big.report!.length],
    ]);
    expect(request.files[1]!.sha256).toBe(sha(big.report!));
    for (const bytes of [big.binary, alone.binary, small.binary]) {
      expect(receiver.received().map((r) => r.sha256)).toContain(sha(bytes));
      expect(ledger.get(sha(bytes))).toMatchObject({ size: bytes.length, source: 'sent' });
    }
    expect(ledger.get(sha(big.binary))).toMatchObject({ withReport: true });
    expect(ledger.get(sha(alone.binary))).toMatchObject({ withReport: false });

    // Delivered means delivered: the next pass sends nothing.
    const again = await pass(1024 * 1024);
    expect(again).toMatchObject({ forwarded: 0, alreadyDelivered: 3 });
    expect(receiver.requests).toHaveLength(3);
  });

  it('a file whose content changes while it is sent is not recorded; the next pass sends and records what is there', async () => {
    // 24 MB read at 8 MB/s: three seconds in flight. The tail is rewritten as soon as the body
    // reaches the receiver (the hash before the send is done by then, however busy the machine):
    // a few MB have left the file, so the tail is rewritten before it is read.
    await setUp({ readBytesPerSecond: 8 * 1024 * 1024 });
    const size = 24 * 1024 * 1024;
    const { binary } = await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true, size });
    const path = join(site.watchDir, 'M529LK44.AB0');
    const listed = await stat(path);

    const sending = pass(1024 * 1024);
    await waitFor(() => receiver.bodyBytesRead() > 0, 'the upload to reach the receiver');
    // Same size, same mtime: only the bytes that went out can tell.
    const handle = await open(path, 'r+');
    await handle.write(Buffer.alloc(1024 * 1024, 0xab), 0, 1024 * 1024, size - 1024 * 1024);
    await handle.close();
    await utimes(path, listed.atime, listed.mtime);
    const first = await sending;

    expect(first).toMatchObject({ forwarded: 0, errors: 0 });
    expect(receiver.requests).toHaveLength(1);
    const got = receiver.requests[0]!.files[0]!.sha256;
    expect(got).not.toBe(sha(binary));
    // Neither the hash checked before the send nor the torn bytes' hash is filed as this event.
    expect(ledger.has(sha(binary))).toBe(false);
    expect(ledger.has(got)).toBe(false);

    await receiver.close();
    await setUp();
    await uploader?.close();
    uploader = undefined;
    // The rewrite kept the mtime; a later write by Blastware would move it, as here.
    const now = new Date(Date.now() - 60_000);
    await utimes(path, now, now);
    const second = await pass(1024 * 1024);
    expect(second).toMatchObject({ forwarded: 1 });
    const current = await readFile(path);
    expect(receiver.received().map((r) => r.sha256)).toEqual([sha(current)]);
    expect(recordedHashes()).toEqual([sha(current)]);
  });

  it('a file cut short while it is sent is not recorded and does not back the server off', async () => {
    await setUp({ readBytesPerSecond: 8 * 1024 * 1024 });
    const size = 24 * 1024 * 1024;
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: false, size });
    const path = join(site.watchDir, 'M529LK44.AB0');

    const sending = pass(1024 * 1024);
    await waitFor(() => receiver.bodyBytesRead() > 0, 'the upload to reach the receiver');
    await truncate(path, 16 * 1024 * 1024);
    const outcome = await sending;

    expect(outcome).toMatchObject({ forwarded: 0, errors: 0, serverReachable: null });
    expect(backoff.consecutiveFailures).toBe(0);
    expect(receiver.received()).toEqual([]);
    expect(ledger.size).toBe(0);
  });

  it('a large body on a slow line is not cut off by the time limit while its bytes keep going out', async () => {
    // 20 MB at 4 MB/s: five seconds of sending, twice the time limit. The limit then counts from
    // the last chunk handed to the socket: the few MB the kernel buffers (up to 4 MB here) drain
    // at the slow reader's pace, about a second, before the answer comes; 2.5 s leaves room for a
    // busy machine.
    await setUp({ readBytesPerSecond: 4 * 1024 * 1024 });
    const { binary } = await writeEvent(site.watchDir, 'M529LK44.AB0', { report: false, size: 20 * 1024 * 1024 });
    const path = join(site.watchDir, 'M529LK44.AB0');
    const listed = await stat(path);
    const upload = createUploader({ ...uploaderOptions(testConfig(site, { sfmUrl: receiver.url })), timeoutMs: 2_500 });
    uploader = upload;
    const outcome = await upload.upload({
      binaryName: 'M529LK44.AB0',
      binaryFile: { path, size: listed.size, mtimeMs: listed.mtimeMs },
      reportName: null,
      reportBytes: null,
    });
    expect(outcome.kind === 'delivered' ? 'delivered' : outcome.reason).toBe('delivered');
    expect(outcome).toMatchObject({ kind: 'delivered', sent: { sha256: sha(binary), size: binary.length, changed: null } });
  });

  const endings: ReadonlyArray<[string, Behaviour, number, number | null]> = [
    ['delivered', { kind: 'ok' }, 5_000, null],
    ['a reset connection', { kind: 'reset' }, 5_000, null],
    ['a time-out', { kind: 'delay', ms: 3_000 }, 200, null],
    ['an abort (the agent stopping)', { kind: 'delay', ms: 3_000 }, 5_000, 100],
  ];
  it.each(endings)('the uploader closes the file as soon as the send ends: %s', async (_name, behaviour, timeoutMs, abortAfterMs) => {
    await setUp();
    receiver.behave(() => behaviour);
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: false, size: 2 * 1024 * 1024 });
    const path = join(site.watchDir, 'M529LK44.AB0');
    const listed = await stat(path);
    const upload = createUploader({ ...uploaderOptions(testConfig(site, { sfmUrl: receiver.url })), timeoutMs });
    uploader = upload;
    const controller = new AbortController();
    if (abortAfterMs !== null) setTimeout(() => controller.abort(), abortAfterMs);
    const outcome = await upload.upload(
      { binaryName: 'M529LK44.AB0', binaryFile: { path, size: listed.size, mtimeMs: listed.mtimeMs }, reportName: null, reportBytes: null },
      controller.signal,
    );
    expect(outcome.kind).toBe(behaviour.kind === 'ok' ? 'delivered' : 'transient');
    // No handle on the file is left in this process, at once (Linux: /proc/self/fd).
    if (process.platform === 'linux') expect(await openPaths()).not.toContain(path);
  });
});

async function openPaths(): Promise<string[]> {
  const { readdir, readlink } = await import('node:fs/promises');
  const fds = await readdir('/proc/self/fd').catch(() => [] as string[]);
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return targets;
}
