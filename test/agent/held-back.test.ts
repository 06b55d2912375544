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
    expect(held.list()).toEqual([expect.objectContaining({ sha256: A, filename: 'M529LK44.AB0', reason: 'bad header', refusals: after, dismissed: false })]);
  });

  it('a delivery in between starts the count again', async () => {
    const held = await loadHeldBack(dir, 2);
    held.fail(A, 'X.AB0', 'r', T0);
    held.succeed(A);
    expect(held.fail(A, 'X.AB0', 'r', T0 + 1)).toBe(false);
  });

  it('a person releases every held-back event not dismissed, and only those', async () => {
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

  it('issue 10: with names, a person releases those (dismissed or not) and leaves the rest held back', async () => {
    const held = await loadHeldBack(dir, 1);
    held.fail(A, 'A.AB0', 'r', T0);
    held.fail(B, 'B.AB0', 'r', T0);
    held.dismiss(['B.AB0']);
    expect(held.release(['B.AB0'])).toEqual({ changed: ['B.AB0'], notHeldBack: [] });
    expect(held.isHeld(B)).toBe(false);
    expect(held.isHeld(A)).toBe(true);
  });

  it('issue 10: a name that is not held back changes nothing, not even the names that are', async () => {
    const held = await loadHeldBack(dir, 1);
    held.fail(A, 'A.AB0', 'r', T0);
    held.fail(B, 'B.AB0', 'r', T0 + 1);
    for (const act of [(n: string[]) => held.release(n), (n: string[]) => held.dismiss(n)]) {
      expect(act(['A.AB0', 'NOPE0000.AB0'])).toEqual({ changed: [], notHeldBack: ['NOPE0000.AB0'] });
      expect(held.list().map((h) => [h.filename, h.dismissed])).toEqual([['A.AB0', false], ['B.AB0', false]]);
    }
  });

  it('issue 10: a name in another case means the same file (Windows names are case-blind)', async () => {
    const held = await loadHeldBack(dir, 1);
    held.fail(A, 'M529LK44.AB0', 'r', T0);
    expect(held.dismiss(['m529lk44.ab0'])).toEqual({ changed: ['M529LK44.AB0'], notHeldBack: [] });
  });

  it('issue 10: a dismissed event stays held back and listed as dismissed, retry-all leaves it, and a restart keeps it so', async () => {
    const held = await loadHeldBack(dir, 1);
    held.fail(A, 'A.AB0', 'bad header', T0);
    held.fail(B, 'B.AB0', 'bad header', T0);
    expect(held.dismiss(['A.AB0'])).toEqual({ changed: ['A.AB0'], notHeldBack: [] });
    expect(held.isHeld(A)).toBe(true);
    expect(held.release()).toEqual({ changed: ['B.AB0'], notHeldBack: [] });
    await held.save();
    const again = await loadHeldBack(dir, 1);
    expect(again.isHeld(A)).toBe(true);
    expect(again.list()).toEqual([{ sha256: A, filename: 'A.AB0', reason: 'bad header', refusals: 1, since: new Date(T0).toISOString(), dismissed: true }]);
  });

  it('issue 10: an entry whose file left the watch folder is dropped (refusal counts too), and said once', async () => {
    const held = await loadHeldBack(dir, 2);
    held.fail(A, 'A.AB0', 'r', T0);
    held.fail(A, 'A.AB0', 'r', T0);
    held.fail(B, 'B.AB0', 'r', T0);
    expect(held.dropGone(new Set(['C.AB0']))).toEqual(['A.AB0']);
    expect(held.dropGone(new Set(['C.AB0']))).toEqual([]);
    expect(held.fail(B, 'B.AB0', 'r', T0)).toBe(false);
    await held.save();
    expect((await loadHeldBack(dir, 2)).list()).toEqual([]);
  });

  it('an older held-back.json (no dismissed field) still reads, as not dismissed', async () => {
    await writeFile(join(dir, 'held-back.json'), JSON.stringify({ [A]: { filename: 'A.AB0', attempts: 3, reason: 'r', since: 'x', held: true } }));
    expect((await loadHeldBack(dir, 3)).list()).toEqual([expect.objectContaining({ filename: 'A.AB0', refusals: 3, dismissed: false })]);
  });
});
