// The config module's public face: the key table, one-key validation, reading
// (text and file) and the careful writer. Everything else in the core imports from here.

export type { Config } from './types.js';
export { CONFIG_KEYS, DEFAULT_CONFIG_NAME, defaultConfig, describeConfig, findKeySpec, type KeySpec } from './schema.js';
export { validateSetting } from './validate.js';
export { parseConfigText, splitConfigText } from './parse-config.js';
export { ConfigFileError, isConfigFileError, readConfigFile } from './load-config.js';
export { saveConfigChanges, updateConfigText, type SaveResult } from './write-config.js';
export { changedKeys, followConfigFile, type ConfigFollower } from './config-follower.js';
