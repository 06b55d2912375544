// The hold-back rules (SPEC §3): refusals per event, held after SFM_HOLD_BACK_AFTER, shown with
// the reason, released by a person, remembered across a restart. Real files in a temp STATE_DIR.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadHeldBack } from '../../src/agent/held-back.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const T0 = Date.UTC(2026, 10, 23, 14, 2);
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 's3w-held-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('held-back events', () => {
  it.each([1, 3, 5])('an event refused %i times in a row is held back at that refusal, not before', async (after) => {
    const held = await loadHeldBack(dir, after);
    for (let i = 1; i < after; i++) expect(held.fail(A, 'M529LK44.AB0', 'bad header', T0 + i)).toBe(false);
    expect(held.isHeld(A)).toBe(false);
    expect(held.fail(A, 'M529LK44.AB0', 'bad header', T0 + after)).toBe(true);
    expect(held.isHeld(A)).toBe(true);
    expect(held.list()).toEqual([expect.objectContaining({ sha256: A, filename: 'M529LK44.AB0', reason: 'bad header', attempts: after })]);
  });

  it('a delivery in between starts the count again', async () => {
    const held = await loadHeldBack(dir, 2);
    held.fail(A, 'X.AB0', 'r', T0);
    held.succeed(A);
    expect(held.fail(A, 'X.AB0', 'r', T0 + 1)).toBe(false);
  });

  it('a person releases every held-back event, and only those', async () => {
    const held = await loadHeldBack(dir, 1);
    held.fail(A, 'A.AB0', 'r', T0);
    held.fail(B, 'B.AB0', 'r', T0);
    expect(held.releaseAll()).toBe(2);
    expect(held.isHeld(A) || held.isHeld(B)).toBe(false);
    expect(held.list()).toEqual([]);
  });

  it('is remembered across a restart, and a torn held-back.json only means a bad file is tried again', async () => {
    const held = await loadHeldBack(dir, 1);
    held.fail(A, 'A.AB0', 'bad header', T0);
    await held.save();
    expect((await loadHeldBack(dir, 1)).isHeld(A)).toBe(true);
    await writeFile(join(dir, 'held-back.json'), '{"aaaa": {"filena');
    expect((await loadHeldBack(dir, 1)).list()).toEqual([]);
  });
});
