// The agent's public surface for the CLI and the tray's worker.
export { createAgent, type AgentOptions } from './agent.js';
export { checkServer } from './check-server.js';
export { runPass, type PassOutcome, type PlannedEvent, type WaitingItem } from './pass.js';
export { seedBacklog } from './seed.js';
export { readStatusFile, statusFilePath, startOfLocalDay, idleStatus } from './status-file.js';
export { createFileLogger, createMemoryLogger, type Logger } from './logger.js';
export { loadHeldBack } from './held-back.js';
export { importLegacyOnce } from './legacy.js';
export type { Agent, SeedCounts } from './types.js';
export type { AgentStatus, HeldBackEvent, PassSummary } from './status-types.js';
export { runOnce, runSeed } from './once.js';
