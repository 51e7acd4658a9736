export type { Budgets, ClusterEntry, Route } from './file.ts';
export type { GitOpsSettings } from './gitops-schema.ts';
export type { Config, EnvSource, LeaderLease, LogLevel, RedisTarget } from './load.ts';
export {
  DEFAULT_CLUSTER_NAME,
  loadClusterConfig,
  loadConfig,
  readConfigFile,
  readEnv,
} from './load.ts';
