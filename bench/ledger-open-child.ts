// Child-process entry for the record benchmark: times one fresh load of a record in a new
// process (cold JIT, warm page cache), and prints one JSON line.
//   node dist/bench/ledger-open-child.js <stateDir> ledger   openLedger + close
//   node dist/bench/ledger-open-child.js <stateDir> parse    the baseline: read the journal, JSON.parse every line
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openLedger, journalFileName } from '../src/record/index.js';

const [stateDir, mode] = process.argv.slice(2);
if (stateDir === undefined || (mode !== 'ledger' && mode !== 'parse')) {
  process.stderr.write('usage: ledger-open-child.js <stateDir> ledger|parse\n');
  process.exit(2);
}

const start = performance.now();
let entries = 0;
if (mode === 'ledger') {
  const ledger = await openLedger(stateDir);
  entries = ledger.size;
  const ms = performance.now() - start;
  const rssMb = process.memoryUsage().rss / 1048576;
  await ledger.close();
  process.stdout.write(`${JSON.stringify({ ms, entries, rssMb, corruptLines: ledger.loadReport.corruptLines })}\n`);
} else {
  const text = await readFile(join(stateDir, journalFileName), 'utf8');
  const kept: unknown[] = [];
  for (const line of text.split('\n')) if (line !== '') kept.push(JSON.parse(line));
  entries = kept.length - 1; // the header line
  const ms = performance.now() - start;
  process.stdout.write(`${JSON.stringify({ ms, entries, rssMb: process.memoryUsage().rss / 1048576 })}\n`);
}
