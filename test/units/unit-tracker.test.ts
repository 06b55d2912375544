// Item 3: the units found in a real folder's monitor logs, with real modification times; each
// .MLG read once per (name, size, mtime); unreadable logs skipped and named.
import { chmod, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listFolder } from '../../src/scan/index.js';
import { createUnitTracker, isMonitorLogName, readFileHead, type ReadHead } from '../../src/units/index.js';
import { makeSite, writeEvent, writeMonitorLog, type Site } from '../support/fixtures.js';

let site: Site;
beforeEach(async () => {
  site = await makeSite('s3w-units-');
});
afterEach(async () => {
  await site.cleanup();
});

const HOUR_S = 3600;
const logs = () => listFolder(site.watchDir, { include: isMonitorLogName });

/** The real reader, counting what it reads. */
function countingReader(): { readonly readHead: ReadHead; readonly reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    readHead: async (path, bytes) => {
      reads.push(path.slice(site.watchDir.length + 1));
      return readFileHead(path, bytes);
    },
  };
}

describe('item 3: units from the monitor logs in the watch folder', () => {
  it('names each unit once, with its newest .MLG as its last call-in', async () => {
    await writeMonitorLog(site.watchDir, 'M529LK44.MLG', 'BE9529', { ageSeconds: 30 * HOUR_S });
    await writeMonitorLog(site.watchDir, 'M529LKA1.MLG', 'BE9529', { ageSeconds: 2 * HOUR_S });
    await writeMonitorLog(site.watchDir, 'S353L4H0.MLG', 'BA3353', { ageSeconds: 14 * HOUR_S });
    await writeEvent(site.watchDir, 'M529LK44.AB0', { report: true }); // events are not monitor logs
    const scan = await createUnitTracker().update(await logs(), Date.now());
    expect(scan.callIns.map((c) => [c.unit, c.file])).toEqual([
      ['BA3353', 'S353L4H0.MLG'],
      ['BE9529', 'M529LKA1.MLG'],
    ]);
    const newest = scan.callIns.find((c) => c.unit === 'BE9529')!;
    expect(Math.abs(newest.lastCallInMs - (Date.now() - 2 * HOUR_S * 1000))).toBeLessThan(5000);
    expect(scan.unreadable).toEqual([]);
  });

  it('leaves out a log that names no unit in its first 2 KB', async () => {
    await writeMonitorLog(site.watchDir, 'M529LK44.MLG', null);
    await writeMonitorLog(site.watchDir, 'M529LK45.MLG', 'BE9529', { unitAt: 3000 });
    expect((await createUnitTracker().update(await logs(), Date.now())).callIns).toEqual([]);
  });

  it('reads each .MLG once per (name, size, mtime): again only when one of them changes', async () => {
    await writeMonitorLog(site.watchDir, 'M529LK44.MLG', 'BE9529', { ageSeconds: 600 });
    await writeMonitorLog(site.watchDir, 'S353L4H0.MLG', 'BA3353', { ageSeconds: 600 });
    const counter = countingReader();
    const tracker = createUnitTracker({ readHead: counter.readHead });
    await tracker.update(await logs(), Date.now());
    expect(counter.reads.sort()).toEqual(['M529LK44.MLG', 'S353L4H0.MLG']);
    await tracker.update(await logs(), Date.now());
    await tracker.update(await logs(), Date.now());
    expect(counter.reads).toHaveLength(2); // two passes over an unchanged folder read nothing

    // A new call-in: Blastware writes the log again (new mtime), and another unit's log appears.
    const now = new Date();
    await utimes(join(site.watchDir, 'M529LK44.MLG'), now, now);
    await writeMonitorLog(site.watchDir, 'P036L318.MLG', 'BE10036', { ageSeconds: 60 });
    const scan = await tracker.update(await logs(), Date.now());
    expect(counter.reads.slice(2).sort()).toEqual(['M529LK44.MLG', 'P036L318.MLG']);
    expect(scan.callIns.map((c) => c.unit)).toEqual(['BA3353', 'BE10036', 'BE9529']);

    // The same mtime but another size is another file too.
    const path = join(site.watchDir, 'S353L4H0.MLG');
    const stamp = new Date(Date.now() - 600_000);
    await writeFile(path, Buffer.concat([Buffer.from('\0Serial\0BA3354\0'), Buffer.alloc(5000)]));
    await utimes(path, stamp, stamp);
    const again = await tracker.update(await logs(), Date.now());
    expect(counter.reads.slice(4)).toEqual(['S353L4H0.MLG']);
    expect(again.callIns.map((c) => c.unit)).toEqual(['BA3354', 'BE10036', 'BE9529']);
  });

  it('forgets a log that is gone, and its unit with it', async () => {
    await writeMonitorLog(site.watchDir, 'M529LK44.MLG', 'BE9529');
    const tracker = createUnitTracker();
    expect((await tracker.update(await logs(), Date.now())).callIns).toHaveLength(1);
    await rm(join(site.watchDir, 'M529LK44.MLG'));
    expect((await tracker.update(await logs(), Date.now())).callIns).toEqual([]);
  });

  it('skips a log that vanished after the listing without a word', async () => {
    await writeMonitorLog(site.watchDir, 'M529LK44.MLG', 'BE9529');
    const listed = await logs();
    await rm(join(site.watchDir, 'M529LK44.MLG'));
    expect(await createUnitTracker().update(listed, Date.now())).toMatchObject({ callIns: [], unreadable: [] });
  });

  it.skipIf(process.platform === 'win32' || process.getuid?.() === 0)('skips and names a log it cannot read, never failing the pass, and reads it once it can', async () => {
    await writeMonitorLog(site.watchDir, 'M529LK44.MLG', 'BE9529');
    await writeMonitorLog(site.watchDir, 'S353L4H0.MLG', 'BA3353');
    const locked = join(site.watchDir, 'S353L4H0.MLG');
    await chmod(locked, 0o000);
    const tracker = createUnitTracker();
    const scan = await tracker.update(await logs(), Date.now());
    expect(scan.callIns.map((c) => c.unit)).toEqual(['BE9529']);
    expect(scan.unreadable).toEqual([
      { file: 'S353L4H0.MLG', reason: 'monitor log S353L4H0.MLG cannot be read (permission denied); its unit is left out until it can' },
    ]);
    await chmod(locked, 0o644);
    const later = await tracker.update(await logs(), Date.now());
    expect(later.callIns.map((c) => c.unit)).toEqual(['BA3353', 'BE9529']);
    expect(later.unreadable).toEqual([]);
  });

  it('skips and names a log refused by the system (as for a user without rights; this test may run as root), and reads it once it can', async () => {
    await writeMonitorLog(site.watchDir, 'M529LK44.MLG', 'BE9529');
    await writeMonitorLog(site.watchDir, 'S353L4H0.MLG', 'BA3353');
    let refuse = true;
    const tracker = createUnitTracker({
      readHead: (path, bytes) =>
        refuse && path.endsWith('S353L4H0.MLG')
          ? Promise.reject(Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: 'EACCES' }))
          : readFileHead(path, bytes),
    });
    const scan = await tracker.update(await logs(), Date.now());
    expect(scan.callIns.map((c) => c.unit)).toEqual(['BE9529']);
    expect(scan.unreadable.map((u) => u.file)).toEqual(['S353L4H0.MLG']);
    refuse = false;
    expect((await tracker.update(await logs(), Date.now())).callIns.map((c) => c.unit)).toEqual(['BA3353', 'BE9529']);
  });

  it('a reader that throws something unexpected is named too', async () => {
    await writeMonitorLog(site.watchDir, 'M529LK44.MLG', 'BE9529');
    const tracker = createUnitTracker({ readHead: () => Promise.reject(Object.assign(new Error('EBUSY: resource busy or locked'), { code: 'EBUSY' })) });
    expect((await tracker.update(await logs(), Date.now())).unreadable).toEqual([
      { file: 'M529LK44.MLG', reason: 'monitor log M529LK44.MLG is locked by another program; it is read again on the next pass' },
    ]);
  });

  it('opens nothing for writing: the folder is unchanged after a look', async () => {
    await writeMonitorLog(site.watchDir, 'M529LK44.MLG', 'BE9529', { ageSeconds: 5 * HOUR_S });
    const before = await logs();
    await createUnitTracker().update(before, Date.now());
    expect(await logs()).toEqual(before);
  });
});
