// Child-process entry for the large-event benchmark: one `once` pass (the product's own path,
// default streaming threshold) over a folder holding one big event, then its own peak RSS.
// Its own process, so the figure is the sender's alone: the receiver runs in another one.
import { runOnce, createMemoryLogger } from '../src/agent/index.js';
import type { Config } from '../src/config/types.js';

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const outcome = await runOnce(config, { log: createMemoryLogger() });
// maxRSS is the kernel's high-water mark in KiB: nothing between samples is missed.
const peakRssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify({ peakRssMb, forwarded: outcome.forwarded, errors: outcome.errors, lastFailure: outcome.lastFailure })}\n`);
