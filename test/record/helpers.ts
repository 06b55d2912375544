// Shared bits for the record tests: temp STATE_DIRs and entries that are easy to tell apart.

import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeliveredEntry } from '../../src/record/index.js';

export async function makeTempDir(): Promise<{ readonly dir: string; readonly cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'series3-record-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function shaOf(label: string): string {
  return createHash('sha256').update(label).digest('hex');
}

export function entryFor(label: string, overrides: Partial<DeliveredEntry> = {}): DeliveredEntry {
  return {
    sha256: shaOf(label),
    filename: `${label}.IDF`,
    size: 4400,
    forwardedAt: '2026-05-08T10:00:00.000Z',
    withReport: true,
    source: 'sent',
    ...overrides,
  };
}
