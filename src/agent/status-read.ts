// What `series3-watcher status` shows: the running agent's own status.json, or, when no agent
// runs, what the record and the last agent knew, built by the one status function.
import type { Config } from '../config/types.js';
import { liveLockHolder, openLedger } from '../record/index.js';
import { loadHeldBack } from './held-back.js';
import { idleStatus, readStatusFile, startOfLocalDay } from './status-file.js';
import type { AgentStatus } from './status-types.js';
import { factsOf, statusFrom } from './status-view.js';
import { stoppedBacklog } from './backlog.js';

export async function currentStatus(config: Config, nowMs: number = Date.now()): Promise<AgentStatus> {
  const written = await readStatusFile(config.stateDir);
  // Running means the record's lock has a heartbeat, not that status.json's pid is alive: after a
  // hard kill or a reboot another program soon has that pid (Windows recycles them).
  const holder = written?.running ? await liveLockHolder(config.stateDir) : null;
  if (written && written.running && holder !== null && (holder.pid === 0 || holder.pid === written.pid)) return written;
  // No agent running: tell what the record and the last agent knew.
  const ledger = await openLedger(config.stateDir, { readOnly: true });
  try {
    const heldBack = await loadHeldBack(config.stateDir, config.holdBackAfterFailures);
    return statusFrom({
      ...factsOf(written ?? idleStatus(config, nowMs)),
      running: false,
      passInProgress: false,
      forwardEnabled: config.forwardEnabled,
      watchFolder: config.series3Path,
      serverUrl: config.sfmUrl,
      deliveredTotal: ledger.size,
      deliveredToday: ledger.countSince(startOfLocalDay(nowMs)),
      heldBack: heldBack.list(),
      recent: ledger.recent(),
      // No agent runs: nothing is going out and no batch is scheduled.
      backlog: stoppedBacklog(written?.waiting ?? 0, written?.backlog.capReached ?? false),
    });
  } finally {
    await ledger.close();
  }
}
