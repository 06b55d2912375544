// Before the Windows lane: the prefix and node.exe that scripts/windows-lane.sh prepares, and the
// built CLI. Keeps one wineserver up for the whole run (each wine start is then about a second).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, restartWineServer, stopWineServer, winePrefix } from './wine.js';

export function setup(): void {
  const nodeExe = join(winePrefix, 'drive_c', 'series3-lane', 'node.exe');
  if (!existsSync(nodeExe)) {
    throw new Error(`the Windows lane is not prepared (no ${nodeExe}): run 'bash scripts/windows-lane.sh' or 'npm run test:windows'`);
  }
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run 'npm run build' first ('npm run test:windows' does)`);
  // Ours alone (the lane's own prefix): whatever server a setup probe or an earlier run left is
  // replaced by one that stays up between the scenarios' processes.
  restartWineServer();
}

export function teardown(): void {
  stopWineServer();
}
