#!/usr/bin/env node
// Draws the tray and app icons into assets/: no image tools, no downloads.
// Shapes are signed-distance functions sampled 4x4 per pixel (anti-aliased), encoded as
// PNG with node:zlib, and packed into .ico containers written by hand (PNG entries,
// which Windows has read since Vista).
//
// Every tray state has its own silhouette as well as its own colour, so a colour-blind
// technician tells them apart by shape: ring with a slash (off), disc with a tick
// (all delivered), arrow (working through a backlog), square with bars (paused),
// triangle with "!" (failing). Colours are from the Okabe-Ito palette.
//
// Usage: node scripts/make-icons.mjs [outDir]   (default: assets/)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = process.argv[2] ?? join(here, '..', 'assets');

// ---- signed distance functions, unit square, y down ----
const len = (x, y) => Math.hypot(x, y);
const circle = (cx, cy, r) => (x, y) => len(x - cx, y - cy) - r;
const ring = (cx, cy, r, halfWidth) => (x, y) => Math.abs(len(x - cx, y - cy) - r) - halfWidth;
function segmentDistance(x, y, ax, ay, bx, by) {
  const px = x - ax, py = y - ay, dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)));
  return len(px - dx * t, py - dy * t);
}
const polyline = (points, halfWidth) => (x, y) => {
  let d = Infinity;
  for (let i = 0; i + 1 < points.length; i++) {
    const [ax, ay] = points[i], [bx, by] = points[i + 1];
    d = Math.min(d, segmentDistance(x, y, ax, ay, bx, by));
  }
  return d - halfWidth;
};
const polygon = (points) => (x, y) => {
  let d = Infinity, inside = false;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const [xi, yi] = points[i], [xj, yj] = points[j];
    d = Math.min(d, segmentDistance(x, y, xi, yi, xj, yj));
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside ? -d : d;
};
const roundedBox = (x0, y0, x1, y1, r) => (x, y) => {
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  const qx = Math.abs(x - cx) - ((x1 - x0) / 2 - r), qy = Math.abs(y - cy) - ((y1 - y0) / 2 - r);
  return len(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
};
const union = (...shapes) => (x, y) => Math.min(...shapes.map((s) => s(x, y)));
const rounded = (shape, r) => (x, y) => shape(x, y) - r;

// ---- colours ----
const rgba = (hex, a = 255) => [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16), a];
const WHITE = rgba('#ffffff');
const EDGE = rgba('#000000', 150); // a thin dark edge keeps light shapes visible on a light taskbar

/** An icon is a base shape (filled, with an edge) and glyphs painted on top. */
const ICONS = {
  // Forwarding off: grey ring with a slash ("not sending").
  'tray-off': {
    base: union(ring(0.5, 0.5, 0.36, 0.085), polyline([[0.25, 0.75], [0.75, 0.25]], 0.075)),
    fill: rgba('#9ca3af'),
    glyphs: [],
  },
  // All delivered: green disc with a tick.
  'tray-ok': {
    base: circle(0.5, 0.5, 0.45),
    fill: rgba('#009e73'),
    glyphs: [{ shape: polyline([[0.27, 0.52], [0.43, 0.68], [0.74, 0.34]], 0.075), color: WHITE }],
  },
  // Working through a backlog: blue upward arrow.
  'tray-busy': {
    base: rounded(polygon([[0.5, 0.07], [0.9, 0.5], [0.65, 0.5], [0.65, 0.92], [0.35, 0.92], [0.35, 0.5], [0.1, 0.5]]), 0.025),
    fill: rgba('#0072b2'),
    glyphs: [],
  },
  // Paused: amber square with two dark bars.
  'tray-paused': {
    base: roundedBox(0.08, 0.08, 0.92, 0.92, 0.14),
    fill: rgba('#e69f00'),
    glyphs: [
      { shape: roundedBox(0.3, 0.26, 0.43, 0.74, 0.02), color: rgba('#1f2937') },
      { shape: roundedBox(0.57, 0.26, 0.7, 0.74, 0.02), color: rgba('#1f2937') },
    ],
  },
  // Failing: vermillion triangle with "!".
  'tray-failing': {
    base: rounded(polygon([[0.5, 0.08], [0.93, 0.86], [0.07, 0.86]]), 0.04),
    fill: rgba('#d55e00'),
    glyphs: [
      { shape: polyline([[0.5, 0.37], [0.5, 0.6]], 0.065), color: WHITE },
      { shape: circle(0.5, 0.74, 0.065), color: WHITE },
    ],
  },
  // The application (installer, window, taskbar): a seismogram trace on a blue tile.
  icon: {
    base: roundedBox(0.04, 0.04, 0.96, 0.96, 0.18),
    fill: rgba('#0b4f7c'),
    glyphs: [
      {
        shape: polyline([[0.12, 0.55], [0.3, 0.55], [0.38, 0.3], [0.47, 0.78], [0.56, 0.2], [0.64, 0.66], [0.71, 0.45], [0.77, 0.55], [0.88, 0.55]], 0.035),
        color: WHITE,
      },
    ],
  },
};

function over(dst, src) {
  // Porter-Duff "source over", straight alpha in 0..1 floats.
  const sa = src[3] / 255, da = dst[3];
  const a = sa + da * (1 - sa);
  if (a === 0) return [0, 0, 0, 0];
  return [
    (src[0] * sa + dst[0] * da * (1 - sa)) / a,
    (src[1] * sa + dst[1] * da * (1 - sa)) / a,
    (src[2] * sa + dst[2] * da * (1 - sa)) / a,
    a,
  ];
}

/** Renders an icon to RGBA bytes at `size` px. */
function render(icon, size) {
  const samples = 4;
  const edgeWidth = Math.max(1 / size, 0.045); // about one pixel at 16 px
  const pixels = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (px + (sx + 0.5) / samples) / size;
          const y = (py + (sy + 0.5) / samples) / size;
          let c = [0, 0, 0, 0];
          const d = icon.base(x, y);
          if (d < 0) c = over(c, icon.fill);
          else if (d < edgeWidth && icon !== ICONS.icon) c = over(c, EDGE);
          if (d < 0) for (const glyph of icon.glyphs) if (glyph.shape(x, y) < 0) c = over(c, glyph.color);
          // Accumulate premultiplied so edges do not darken.
          r += c[0] * c[3]; g += c[1] * c[3]; b += c[2] * c[3]; a += c[3];
        }
      }
      const n = samples * samples, i = (py * size + px) * 4;
      pixels[i] = a ? Math.round(r / a) : 0;
      pixels[i + 1] = a ? Math.round(g / a) : 0;
      pixels[i + 2] = a ? Math.round(b / a) : 0;
      pixels[i + 3] = Math.round((a / n) * 255);
    }
  }
  return pixels;
}

// ---- PNG ----
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}
function encodePng(rgbaPixels, size) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  // compression, filter, interlace: 0
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    rgbaPixels.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---- ICO: ICONDIR + one 16-byte entry per image + the PNG images ----
function encodeIco(images) {
  const dir = Buffer.alloc(6);
  dir.writeUInt16LE(0, 0); // reserved
  dir.writeUInt16LE(1, 2); // type: icon
  dir.writeUInt16LE(images.length, 4);
  let offset = 6 + 16 * images.length;
  const entries = images.map(({ size, png }) => {
    const e = Buffer.alloc(16);
    e[0] = size >= 256 ? 0 : size; // 0 means 256
    e[1] = size >= 256 ? 0 : size;
    e[2] = 0; // palette colours
    e[3] = 0; // reserved
    e.writeUInt16LE(1, 4); // planes
    e.writeUInt16LE(32, 6); // bits per pixel
    e.writeUInt32LE(png.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += png.length;
    return e;
  });
  return Buffer.concat([dir, ...entries, ...images.map((i) => i.png)]);
}

// Windows picks the .ico size for the display scale (100% .. 300%).
const TRAY_ICO_SIZES = [16, 20, 24, 32, 40, 48, 64];
const APP_ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];

mkdirSync(outDir, { recursive: true });
const written = [];
const write = (name, bytes) => {
  writeFileSync(join(outDir, name), bytes);
  written.push(name);
};
for (const [name, icon] of Object.entries(ICONS)) {
  const png = (size) => encodePng(render(icon, size), size);
  if (name === 'icon') {
    write('icon.png', png(512));
    write('icon.ico', encodeIco(APP_ICO_SIZES.map((size) => ({ size, png: png(size) }))));
  } else {
    write(`${name}-16.png`, png(16));
    write(`${name}-32.png`, png(32));
    write(`${name}.ico`, encodeIco(TRAY_ICO_SIZES.map((size) => ({ size, png: png(size) }))));
  }
}
console.log(`wrote ${written.length} files to ${outDir}: ${written.join(', ')}`);
