export type { Route } from './file.ts';
export type { Config, EnvSource, LogLevel } from './load.ts';
export { loadConfig, readConfigFile, readEnv } from './load.ts';
