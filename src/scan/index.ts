// The scan module: list the watch folder, read one file briefly, and watch for "look again" hints.
export { listFolder } from './list-folder.js';
export { checkOpens, defaultStreamAboveBytes, hashWhole, readWhole } from './read-file.js';
export { watchFolder } from './watch-folder.js';
export type { DirEntry, ReadOutcome } from './types.js';
