// The agent's public surface for the CLI and the tray's worker.
export { createAgent } from './agent.js';
export { checkServer } from './check-server.js';
export { runPass, type PassOutcome } from './pass.js';
export { readStatusFile, statusFilePath } from './status-file.js';
export { createFileLogger, createMemoryLogger, type Logger } from './logger.js';
export { loadHeldBack } from './held-back.js';
export type { Agent } from './types.js';
export type { AgentStatus } from './status-types.js';
export { runOnce, runSeed } from './once.js';
export { changeHeldBack, AgentRunningError, type HeldBackAction } from './held-back-actions.js';
export type { HeldBackChange } from './held-back.js';
export { unitsNow } from './units-now.js';
export { callInAgo, type UnitsStatus } from '../units/index.js';
