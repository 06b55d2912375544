// The config module's public face: the key table, one-key validation, reading
// (text and file) and the careful writer. Everything else in the core imports from here.

export type { Config, ConfigProblem } from './types.js';
export {
  CONFIG_KEYS,
  DEFAULT_CONFIG_NAME,
  DEFAULT_SERIES3_PATH,
  WATCHER_SECTION,
  defaultConfig,
  describeConfig,
  findKeySpec,
  hideUrlCredentials,
  type ConfigKeyName,
  type KeyGroup,
  type KeyKind,
  type KeySpec,
} from './schema.js';
export { validateSetting, type SettingResult } from './validate.js';
export { parseConfigText, splitConfigText, type ParsedConfig } from './parse-config.js';
export { writeFileAtomic } from './atomic-file.js';
export {
  ConfigFileError,
  isConfigFileError,
  readConfigFile,
  type ConfigFileErrorReason,
  type LoadedConfig,
} from './load-config.js';
export { saveConfigChanges, updateConfigText, type SaveResult } from './write-config.js';
export { changedKeys, followConfigFile, sameConfig, type ConfigFollower, type FollowerOptions } from './config-follower.js';
