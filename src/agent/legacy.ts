// Imports a series3-watcher JSON record once: a marker in STATE_DIR remembers which file (by path,
// size and mtime) was imported, so a 100,000-entry legacy file is not re-read at every start.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Ledger } from '../record/index.js';
import { writeFileAtomic } from '../config/atomic-file.js';

export interface LegacyCounts {
  readonly imported: number;
  readonly alreadyKnown: number;
  readonly invalid: number;
}

const MARKER = 'legacy-imported.json';

/** Returns the counts, or null when this very file was imported before. Throws with a clear message on a bad file. */
export async function importLegacyOnce(
  ledger: Ledger,
  stateDir: string,
  legacyPath: string,
  importer: (ledger: Ledger, path: string) => Promise<LegacyCounts>,
): Promise<LegacyCounts | null> {
  let fingerprint: string;
  try {
    const info = await stat(legacyPath);
    fingerprint = `${legacyPath}|${info.size}|${info.mtimeMs}`;
  } catch {
    throw new Error(
      `LEGACY_STATE_FILE ${legacyPath} cannot be read: fix the path in config.ini or remove the key (nothing is sent until then, so nothing already sent is sent again)`,
    );
  }
  const markerPath = join(stateDir, MARKER);
  try {
    const marker = JSON.parse(await readFile(markerPath, 'utf8')) as { fingerprint?: string };
    if (marker.fingerprint === fingerprint) return null;
  } catch {
    // never imported
  }
  const counts = await importer(ledger, legacyPath);
  await writeFileAtomic(markerPath, JSON.stringify({ fingerprint, ...counts, importedAt: new Date().toISOString() }));
  return counts;
}
