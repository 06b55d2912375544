// TEST-ONLY helper for the Windows lane, run under Windows Node (never shipped).
// Holds a file open with share mode 0, as Windows viewers, backup and antivirus programs
// sometimes do, until a release file appears (or a time limit passes, so it can never leak).
// Node does not export UV_FS_O_EXLOCK (0x10000000): libuv then opens with no sharing at all.
// Usage: node.exe hold-file.cjs <file> <ready-file> <release-file> [maxMs]
'use strict';
const fs = require('node:fs');

const UV_FS_O_EXLOCK = 0x10000000;
const [file, readyFile, releaseFile, maxMsText] = process.argv.slice(2);
const maxMs = Number(maxMsText ?? 120000);
const startedAt = Date.now();

const fd = fs.openSync(file, fs.constants.O_RDONLY | UV_FS_O_EXLOCK);
// The ready file says "held" and names this Windows process, for the pid-reuse scenario.
fs.writeFileSync(readyFile, `${process.pid}\n`);

const timer = setInterval(() => {
  if (!fs.existsSync(releaseFile) && Date.now() - startedAt < maxMs) return;
  clearInterval(timer);
  fs.closeSync(fd);
}, 50);
