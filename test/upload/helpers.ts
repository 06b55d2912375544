// Shared pieces for the upload tests: payloads, an uploader with test defaults, and
// cleanup so no server or socket outlives its test.

import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { createUploader, type Uploader, type UploadPayload } from '../../src/upload/index.js';
import type { UploaderOptions } from '../../src/upload/types.js';
import { startReceiver, type Receiver, type ReceiverOptions } from '../support/receiver.js';

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  const pending = cleanups.splice(0).reverse();
  for (const cleanup of pending) await cleanup();
});

export function onCleanup(cleanup: () => Promise<void>): void {
  cleanups.push(cleanup);
}

export async function receiver(options?: ReceiverOptions): Promise<Receiver> {
  const started = await startReceiver(options);
  onCleanup(() => started.close());
  return started;
}

export function uploader(options: Partial<UploaderOptions> & { url: string }): Uploader {
  const created = createUploader({ token: '', caFile: '', proxy: '', timeoutMs: 5_000, concurrency: 2, ...options });
  onCleanup(() => created.close());
  return created;
}

let serial = 0;

/** A distinct event each call (content differs), with a report unless told otherwise. */
export function event(options: { report?: boolean; name?: string } = {}): UploadPayload & { readonly binaryBytes: Uint8Array } {
  serial += 1;
  const name = options.name ?? `M${String(serial).padStart(4, '0')}AB.XYZ`;
  const binaryBytes = new Uint8Array(4400);
  for (let i = 0; i < binaryBytes.length; i += 1) binaryBytes[i] = (i * 31 + serial * 7) % 256;
  binaryBytes[0] = serial % 256;
  binaryBytes[1] = Math.floor(serial / 256) % 256;
  const withReport = options.report ?? true;
  return {
    binaryName: name,
    binaryBytes,
    reportName: withReport ? name.replace(/\.[^.]+$/, '.TXT') : null,
    reportBytes: withReport ? new TextEncoder().encode(`Event report for ${name}\r\nPPV 1.23 mm/s\r\n`) : null,
  };
}

/** A 127.0.0.1 port nothing listens on (bound, then released). */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
