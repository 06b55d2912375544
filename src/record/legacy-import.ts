// Migration from the old series3-watcher record, a JSON file
//   {"version": 1, "forwarded": {"<sha256>": {"filename": "...", "size": 4400, "forwarded_at": "...Z"}}}
// into the ledger, so nothing the old install already sent is sent again. The whole file is
// checked first and then written in one durable append: all or nothing, and fast.

import { readFile } from 'node:fs/promises';
import type { Ledger, LedgerRecordItem } from './ledger.js';
import { errorMessage } from '../text/errors.js';

export interface LegacyImportResult {
  readonly imported: number;
  /** Already in the ledger (or listed twice in the file). */
  readonly alreadyKnown: number;
  /** Skipped: the key is not a sha256, or filename / size / forwarded_at is missing or wrong. */
  readonly invalid: number;
}

/** The legacy file cannot be used at all; `kind` says why, the message names the path. */
export class LegacyImportError extends Error {
  readonly kind: 'missing' | 'unreadable' | 'malformed';
  readonly path: string;

  constructor(kind: LegacyImportError['kind'], path: string, message: string) {
    super(message);
    this.name = 'LegacyImportError';
    this.kind = kind;
    this.path = path;
  }
}

const legacySha256Pattern = /^[0-9a-fA-F]{64}$/;
// Python's isoformat() without a zone; the old agent wrote UTC, so read it as UTC, not local time.
const zonelessIsoPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

export async function importLegacy(ledger: Ledger, path: string): Promise<LegacyImportResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | null)?.code;
    if (code === 'ENOENT') {
      throw new LegacyImportError(
        'missing',
        path,
        `the legacy record ${path} does not exist; check LEGACY_STATE_FILE or clear it`,
      );
    }
    throw new LegacyImportError('unreadable', path, `cannot read the legacy record ${path} (${errorMessage(error)})`);
  }

  const forwarded = parseLegacyFile(text, path);
  const items: LedgerRecordItem[] = [];
  const seen = new Set<string>();
  let alreadyKnown = 0;
  let invalid = 0;
  for (const [key, value] of Object.entries(forwarded)) {
    if (!legacySha256Pattern.test(key)) {
      invalid++;
      continue;
    }
    const sha256 = key.toLowerCase();
    const entry = legacyEntry(sha256, value);
    if (entry === undefined) {
      invalid++;
      continue;
    }
    if (ledger.has(sha256) || seen.has(sha256)) {
      alreadyKnown++;
      continue;
    }
    seen.add(sha256);
    items.push({ entry });
  }
  await ledger.record(items);
  return { imported: items.length, alreadyKnown, invalid };
}

function parseLegacyFile(text: string, path: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    // A UTF-8 BOM (Windows editors) is not JSON.
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw malformed(path, `is not valid JSON (${errorMessage(error)})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw malformed(path, 'is not a JSON object');
  }
  const record = parsed as Record<string, unknown>;
  if (record['version'] !== 1) {
    throw malformed(path, `has version ${JSON.stringify(record['version'])}, expected 1`);
  }
  const forwarded = record['forwarded'];
  if (typeof forwarded !== 'object' || forwarded === null || Array.isArray(forwarded)) {
    throw malformed(path, 'has no "forwarded" object');
  }
  return forwarded as Record<string, unknown>;
}

function legacyEntry(sha256: string, value: unknown): LedgerRecordItem['entry'] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { filename, size, forwarded_at: forwardedAt } = value as Record<string, unknown>;
  if (typeof filename !== 'string' || filename === '') return undefined;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return undefined;
  if (typeof forwardedAt !== 'string') return undefined;
  const atMs = Date.parse(zonelessIsoPattern.test(forwardedAt) ? `${forwardedAt}Z` : forwardedAt);
  if (!Number.isFinite(atMs)) return undefined;
  return {
    sha256,
    filename,
    size,
    forwardedAt: new Date(atMs).toISOString(),
    withReport: false,
    source: 'legacy',
  };
}

function malformed(path: string, what: string): LegacyImportError {
  return new LegacyImportError(
    'malformed',
    path,
    `the legacy record ${path} ${what}; nothing was imported. Fix or remove the file, or clear LEGACY_STATE_FILE`,
  );
}

