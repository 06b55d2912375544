// The scan module: list the watch folder, read one file briefly, and watch for "look again" hints.
export { DEFAULT_STAT_CONCURRENCY, FolderError, folderErrorFrom, listFolder } from './list-folder.js';
export type { ListFolderOptions } from './list-folder.js';
export { classifyFileError, defaultStreamAboveBytes, hashWhole, readWhole } from './read-file.js';
export type { ExpectedFileState } from './read-file.js';
export { DEFAULT_HINT_DEBOUNCE_MS, watchFolder } from './watch-folder.js';
export type { FolderWatcher, WatchFolderOptions } from './watch-folder.js';
export type { DirEntry, FileErrorKind, HashOutcome, ReadOutcome } from './types.js';
