// The tray icons in assets/ (made by scripts/make-icons.mjs): valid PNGs and ICOs with the
// sizes Windows needs, and five silhouettes that differ by shape, not only by colour.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { TrayState } from '../../electron/main/tray-view.js';
import { repoRoot } from './page-harness.js';

const STATES: readonly TrayState[] = ['off', 'ok', 'busy', 'paused', 'failing'];
const asset = (name: string): Buffer => readFileSync(path.join(repoRoot, 'assets', name));
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Decodes the RGBA 8-bit, unfiltered PNGs the script writes. */
function alphaOf(png: Buffer): { width: number; height: number; alpha: Uint8Array; luma: Uint8Array } {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([data[8], data[9]]).toEqual([8, 6]); // 8-bit RGBA
    }
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const alpha = new Uint8Array(width * height);
  const luma = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width * 4 + 1)]).toBe(0);
    for (let x = 0; x < width; x++) {
      const at = y * (width * 4 + 1) + 1 + x * 4;
      alpha[y * width + x] = raw[at + 3] ?? 0;
      luma[y * width + x] = Math.round(0.299 * (raw[at] ?? 0) + 0.587 * (raw[at + 1] ?? 0) + 0.114 * (raw[at + 2] ?? 0));
    }
  }
  return { width, height, alpha, luma };
}

function icoEntries(ico: Buffer): { size: number; png: Buffer }[] {
  expect(ico.readUInt16LE(0)).toBe(0);
  expect(ico.readUInt16LE(2)).toBe(1);
  const count = ico.readUInt16LE(4);
  return Array.from({ length: count }, (_, i) => {
    const e = 6 + 16 * i;
    const size = ico[e] === 0 ? 256 : (ico[e] ?? 0);
    const bytes = ico.readUInt32LE(e + 8);
    const at = ico.readUInt32LE(e + 12);
    return { size, png: ico.subarray(at, at + bytes) };
  });
}

describe('tray icons', () => {
  it.each(STATES)('tray-%s: 16 and 32 px PNGs', (state) => {
    expect(alphaOf(asset(`tray-${state}-16.png`))).toMatchObject({ width: 16, height: 16 });
    expect(alphaOf(asset(`tray-${state}-32.png`))).toMatchObject({ width: 32, height: 32 });
  });

  it.each(STATES)('tray-%s.ico holds every size Windows picks from for 100%..400% scaling', (state) => {
    const entries = icoEntries(asset(`tray-${state}.ico`));
    expect(entries.map((e) => e.size)).toEqual([16, 20, 24, 32, 40, 48, 64]);
    for (const e of entries) expect(alphaOf(e.png).width).toBe(e.size);
  });

  it('the app icon has a 256 px entry (the installer and Windows need it)', () => {
    expect(icoEntries(asset('icon.ico')).map((e) => e.size)).toContain(256);
    expect(alphaOf(asset('icon.png')).width).toBe(512);
  });

  it('the five states differ without colour: in greyscale (clear / dark / light pixels) at 16 px', () => {
    // What a colour-blind technician sees is shape and lightness: classify each pixel as
    // transparent, dark or light, and require every pair of icons to differ widely.
    const classes = STATES.map((s) => {
      const { alpha, luma } = alphaOf(asset(`tray-${s}-16.png`));
      return Array.from(alpha, (a, k) => (a < 128 ? 0 : (luma[k] ?? 0) < 128 ? 1 : 2));
    });
    for (let i = 0; i < classes.length; i++) {
      for (let j = i + 1; j < classes.length; j++) {
        const differing = classes[i]!.filter((v, k) => v !== classes[j]![k]).length;
        // 16x16 = 256 pixels; distinct icons differ in well over a tenth of them.
        expect(differing, `${STATES[i]} vs ${STATES[j]}`).toBeGreaterThan(40);
      }
    }
  });
});
