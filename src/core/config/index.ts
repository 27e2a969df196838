// Agent configuration: sources (defaults, -dev, files, flags) -> merge -> zod -> RuntimeConfig.
// No network; reads only the config files and directories it is given.
export { loadRuntimeConfig, buildRuntime, configDurationMs } from './runtime.js';
export type { RuntimeConfig, Ports, SourceSpec } from './runtime.js';
export { ConfigError, readConfigPath, validateSource, mergeConfigs } from './load.js';
export { flagsToFileConfig } from './flags.js';
export type { AgentFlags } from './flags.js';
export type { FileConfig } from './schema.js';
