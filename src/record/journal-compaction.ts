// Compaction: the journal replaced by a snapshot of memory, one line per delivered sha256 and per
// cached hash, written to delivered.jsonl.tmp, fsynced and renamed over the journal (the journal
// is whole at every moment; a crash leaves the old one and a temp file the next open removes).
// The writer decides when; this module only writes the snapshot and swaps it in.
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { commitTempFile, syncDirectory, writeAll, writeTempFile } from '../config/atomic-file.js';
import type { CachedHash, DeliveryIndex } from './delivery-index.js';
import { deliveredLine, hashedLine, headerLine, tempPathOf } from './journal-reader.js';
import type { JournalWriter } from './journal-writer.js';

// The snapshot is built and written in pieces of about this many characters, not as one string.
const snapshotChunkChars = 1024 * 1024;

/** Writes the snapshot and renames it over the journal; the caller is the writer's running job. */
export async function compactJournal(writer: JournalWriter): Promise<void> {
  const { journalPath } = writer;
  const tempPath = tempPathOf(journalPath);
  writer.pendingHashNames.clear(); // the snapshot holds the whole cache as it is now
  let written = { bytes: 0, lines: 0 };
  await writeTempFile(tempPath, async (temp) => {
    written = await writeSnapshot(temp, writer.index);
  });
  // Windows will not rename over a file we hold open (nor finish deleting one we hold open).
  await writer.handle?.close();
  writer.handle = undefined;
  // If the rename fails, the journal is unchanged; the next append opens it again.
  await commitTempFile(tempPath, journalPath);
  writer.handle = await open(journalPath, 'a');
  writer.goodBytes = written.bytes;
  writer.tailMayBeDirty = false;
  writer.journalLines = written.lines;
  writer.wasteLines = 0;
  writer.autoCompactFloor = 0; // no wait beyond the writer's compactMinLines
  await syncDirectory(writer.dir);
}

/** The header, the cache lines of their own, then one line per delivery; returns bytes and lines (header excluded). */
export async function writeSnapshot(temp: FileHandle, index: DeliveryIndex): Promise<{ bytes: number; lines: number }> {
  const { identityBySha, separateHashes } = splitCache(index);
  let bytes = 0;
  let lines = 0;
  let chunk = headerLine();
  const flushChunk = async (): Promise<void> => {
    const buffer = Buffer.from(chunk);
    chunk = '';
    await writeAll(temp, buffer);
    bytes += buffer.length;
  };
  for (const [name, cached] of separateHashes) {
    chunk += hashedLine(name, cached);
    lines++;
    if (chunk.length >= snapshotChunkChars) await flushChunk();
  }
  for (const entry of index.entries.values()) {
    const identity = identityBySha.get(entry.sha256);
    const file = identity === undefined ? undefined : { name: identity.name, ...identity.cached };
    chunk += deliveredLine(entry, file, index.lateReports.has(entry.sha256));
    lines++;
    if (chunk.length >= snapshotChunkChars) await flushChunk();
  }
  await flushChunk();
  return { bytes, lines };
}

// Cache entries for a delivery's own file ride on its line; the rest get lines of their own.
function splitCache(index: DeliveryIndex): {
  identityBySha: Map<string, { name: string; cached: CachedHash }>;
  separateHashes: [string, CachedHash][];
} {
  const identityBySha = new Map<string, { name: string; cached: CachedHash }>();
  const separateHashes: [string, CachedHash][] = [];
  for (const [name, cached] of index.cache) {
    const entry = index.entries.get(cached.sha256);
    if (entry !== undefined && entry.filename === name && !identityBySha.has(cached.sha256)) {
      identityBySha.set(cached.sha256, { name, cached });
    } else {
      separateHashes.push([name, cached]);
    }
  }
  return { identityBySha, separateHashes };
}
