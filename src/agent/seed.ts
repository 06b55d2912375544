// "Skip existing backlog": mark every in-window event binary now in the folder as delivered
// without sending anything. Unchanged files already hashed are not read again; the rest are
// read and hashed a few at a time and recorded in large durable batches.
import type { Config } from '../config/types.js';
import type { Ledger, FileIdentity } from '../record/index.js';
import { listFolder, readWhole } from '../scan/index.js';
import { isEventBinaryName } from '../pair/index.js';
import type { DeliveredEntry } from '../record/types.js';
import type { SeedCounts } from './types.js';
import { sha256Hex } from './send-event.js';

export interface SeedOptions {
  readonly config: Config;
  readonly ledger: Ledger;
  readonly now: () => number;
  /** Count only: read and hash what must be, write nothing to the record. */
  readonly preview: boolean;
}

const READ_PARALLEL = 4;
const BATCH = 2000;

export async function seedBacklog(options: SeedOptions): Promise<SeedCounts> {
  const { config, ledger, now } = options;
  // Only the binaries are stat'ed: reports and other files do not matter to seeding.
  const binaries = await listFolder(config.series3Path, { include: isEventBinaryName });
  const oldestMs = now() - config.maxEventAgeDays * 86_400_000;
  let tooOld = 0;
  let alreadyKnown = 0;
  let unreadable = 0;
  const fresh = new Set<string>();
  let batch: { entry: DeliveredEntry; file: FileIdentity }[] = [];
  let seeded = 0;
  const forwardedAt = new Date(now()).toISOString();

  const flush = async (): Promise<void> => {
    if (batch.length === 0 || options.preview) return;
    const items = batch;
    batch = [];
    await ledger.record(items);
    seeded += items.length;
  };

  const work = binaries.filter((binary) => {
    if (binary.mtimeMs < oldestMs) {
      tooOld++;
      return false;
    }
    return true;
  });

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < work.length) {
      const binary = work[next++]!;
      const file: FileIdentity = { name: binary.name, size: binary.size, mtimeMs: binary.mtimeMs };
      let sha = ledger.knownHash(file);
      if (sha === undefined) {
        const read = await readWhole(binary.path, { size: binary.size, mtimeMs: binary.mtimeMs });
        if (read.kind === 'failed') {
          unreadable++;
          continue;
        }
        sha = sha256Hex(read.bytes);
        ledger.rememberHash(file, sha);
      }
      if (ledger.has(sha) || fresh.has(sha)) {
        alreadyKnown++;
        continue;
      }
      fresh.add(sha);
      batch.push({
        entry: { sha256: sha, filename: binary.name, size: binary.size, forwardedAt, withReport: false, source: 'seeded' },
        file,
      });
      if (batch.length >= BATCH) await flush();
    }
  };
  await Promise.all(Array.from({ length: READ_PARALLEL }, worker));
  await flush();
  if (options.preview) await ledger.flush();
  return {
    scanned: binaries.length,
    seeded,
    alreadyKnown,
    tooOld,
    wouldSeed: options.preview ? fresh.size : 0,
    ...(unreadable > 0 ? { unreadable } : {}),
  };
}
