import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, LineCounter, parseDocument } from 'yaml';
import { CoxswainError } from '../errors.ts';
import { channelPlatform, type Platform } from '../shared/channel.ts';
import { formatIssues } from '../shared/format-issues.ts';
import { Env, MetricsEnv } from './env.ts';
import { type Budgets, type ClusterEntry, ConfigFile, type Route } from './file.ts';
import type { GitOps, GitOpsSettings } from './gitops-schema.ts';
import type { ModelIds } from './model-ids.ts';
import type { Autonomy, Binding, Identity } from './policy-schema.ts';

export type LogLevel = Env['LOG_LEVEL'];

/**
 * Where the data nodes are: one URL, or the Sentinels that name the current primary. A password
 * given apart (`REDIS_PASSWORD`) wins over the URL's.
 */
export type RedisTarget = Readonly<{
  url: string | undefined;
  sentinel:
    | Readonly<{
        sentinels: readonly Readonly<{ host: string; port: number }>[];
        name: string;
        password: string | undefined;
      }>
    | undefined;
  password: string | undefined;
}>;

export type Config = Readonly<{
  /** The Redis connection (a URL or Sentinels), the key prefix, and the webhook's WAIT. */
  redis: RedisTarget &
    Readonly<{
      prefix: string;
      /** Set: the webhook answers 2xx only once this many replicas have the enqueued alert. */
      wait: Readonly<{ replicas: number; timeoutMs: number }> | undefined;
    }>;
  http: Readonly<{
    host: string;
    port: number;
    workerPort: number;
    allowedHosts: readonly string[];
  }>;
  logLevel: LogLevel;
  alertmanager: Readonly<{
    token: string | undefined;
    basic: Readonly<{ username: string; password: string }> | undefined;
    /** ALERTMANAGER_AUTH=none: the webhook is meant to be open (no token, no basic auth). */
    open: boolean;
  }>;
  /** Set when SLACK_BOT_TOKEN is: Socket Mode with an app token, else HTTP mode at /slack/events. */
  slack:
    | Readonly<{
        botToken: string;
        appToken: string | undefined;
        signingSecret: string | undefined;
        apiUrl: string | undefined;
        /** The least ms between two messages to one channel; unset, Slack's documented rate. */
        paceMs: number | undefined;
      }>
    | undefined;
  discord:
    | Readonly<{
        token: string;
        guildId: string | undefined;
        apiUrl: string | undefined;
        /** The least ms between two messages to one channel; unset, Discord's documented rate. */
        paceMs: number | undefined;
      }>
    | undefined;
  /** Where the metrics tools read from; an unset URL makes those tools say so. */
  metrics: Readonly<{ prometheusUrl: string | undefined; alertmanagerUrl: string | undefined }>;
  /** Unset key: the agents answer from the analyzers alone (offline mode). */
  anthropic: Readonly<{ apiKey: string | undefined; baseUrl: string | undefined }>;
  worker: Readonly<{ concurrency: number; lockMs: number }>;
  /**
   * Who may sign in to the dashboard (and decide from the console), by name and token. Empty: the
   * dashboard serves only a loopback address, where the name typed is trusted (the demo).
   */
  dashboard: Readonly<{
    users: readonly Readonly<{ name: string; token: string }>[];
    /**
     * Trust the name typed at a console or dashboard reached from this machine itself: set only
     * by `coxswain demo`, never from the environment.
     */
    trustLocalNames: boolean;
    /** Where people reach the dashboard from their browsers, for links in chat (PUBLIC_URL). */
    publicUrl: string | undefined;
  }>;
  /** Where the daily audit files (audit-YYYY-MM-DD.jsonl) are written. */
  audit: Readonly<{ dir: string }>;
  /** The workflow files (WORKFLOWS_DIR; the shipped `workflows/` folder by default). */
  workflowsDir: string;
  /** The agents' prompt files (PROMPTS_DIR; the shipped `prompts/` folder by default). */
  promptsDir: string;
  shutdownTimeoutMs: number;
  routes: readonly Route[];
  /** How long an investigation of a subject takes in the alerts about it that come after. */
  investigationWindowSeconds: number;
  /** Empty means the current kubeconfig context (or in-cluster), called `default`. */
  clusters: readonly ClusterEntry[];
  bindings: readonly Binding[];
  /** People and their accounts on every platform; an id no person lists stands for itself. */
  people: readonly Identity[];
  autonomy: Autonomy;
  models: ModelIds;
  budgets: Budgets;
  platforms: readonly Platform[];
  configFile: string | undefined;
  /** The git-operator's repository and forge; unset: no repository tools. */
  gitops: GitOpsSettings | undefined;
  /** The Lease the bot replicas elect a leader on (LEADER_LEASE); unset: no election. */
  leader: LeaderLease | undefined;
}>;

export type LeaderLease = Readonly<{
  namespace: string;
  name: string;
  durationSeconds: number;
  /** This replica's name in the Lease: POD_NAME, else host name and pid. */
  identity: string;
  /** The pod's service account (KUBERNETES_SERVICE_HOST set), else the default kubeconfig. */
  inCluster: boolean;
}>;

const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** The `workflows/` folder at the project's root, from src/config or dist/config alike. */
const SHIPPED_WORKFLOWS = fileURLToPath(new URL('../../workflows/', import.meta.url));

function workflowsDirOf(dir: string | undefined): string {
  return dir === undefined ? SHIPPED_WORKFLOWS : resolve(dir);
}

/** The `prompts/` folder at the project's root, from src/config or dist/config alike. */
const SHIPPED_PROMPTS = fileURLToPath(new URL('../../prompts/', import.meta.url));

function promptsDirOf(dir: string | undefined): string {
  return dir === undefined ? SHIPPED_PROMPTS : resolve(dir);
}

export type EnvSource = Readonly<Record<string, string | undefined>>;

/** The environment as the process received it, plus `.env` in the working directory if present. */
export function readEnv(cwd = process.cwd()): EnvSource {
  const dotEnv = resolve(cwd, '.env');
  if (existsSync(dotEnv)) process.loadEnvFile(dotEnv);
  return { ...process.env };
}

const DEFAULT_WAIT_TIMEOUT_MS = 1_000;

function redisSettings(env: Env): Config['redis'] {
  const sentinel =
    env.REDIS_SENTINELS === undefined || env.REDIS_SENTINEL_NAME === undefined
      ? undefined
      : {
          sentinels: env.REDIS_SENTINELS,
          name: env.REDIS_SENTINEL_NAME,
          password: env.REDIS_SENTINEL_PASSWORD,
        };
  return {
    url: env.REDIS_URL,
    sentinel,
    password: env.REDIS_PASSWORD,
    prefix: env.REDIS_PREFIX,
    wait:
      env.REDIS_WAIT_REPLICAS === undefined
        ? undefined
        : {
            replicas: env.REDIS_WAIT_REPLICAS,
            timeoutMs: env.REDIS_WAIT_TIMEOUT_MS ?? DEFAULT_WAIT_TIMEOUT_MS,
          },
  };
}

/**
 * `chat: false` for a process that holds no chat connection (the worker): it is handed no chat
 * token, so it takes the config file's channels on every platform as they are, and the bot, which
 * holds the tokens, refuses the ones whose platform it is not configured for.
 */
export type LoadOptions = { chat: boolean };

/**
 * Parses env and the optional config file into one frozen object. Throws a `config_invalid`
 * error whose message lists every problem by variable or path, never by value.
 */
export function loadConfig(source: EnvSource, options: LoadOptions = { chat: true }): Config {
  const parsed = Env.safeParse(source);
  if (!parsed.success) {
    throw new CoxswainError(
      'config_invalid',
      `invalid configuration:\n  ${formatIssues(parsed.error.issues).join('\n  ')}`,
    );
  }
  const env = parsed.data;
  const file = env.COXSWAIN_CONFIG === undefined ? undefined : resolve(env.COXSWAIN_CONFIG);
  const fileConfig = file === undefined ? ConfigFile.parse({}) : readConfigFile(file);
  const platforms: Platform[] = ['web'];
  if (env.SLACK_BOT_TOKEN !== undefined || !options.chat) platforms.push('slack');
  if (env.DISCORD_TOKEN !== undefined || !options.chat) platforms.push('discord');
  checkRoutePlatforms(fileConfig.routes, platforms, file ?? 'COXSWAIN_CONFIG');
  checkBindings(fileConfig, platforms, file ?? 'COXSWAIN_CONFIG');
  checkPeople(fileConfig, file ?? 'COXSWAIN_CONFIG');

  const basic =
    env.ALERTMANAGER_USERNAME !== undefined && env.ALERTMANAGER_PASSWORD !== undefined
      ? { username: env.ALERTMANAGER_USERNAME, password: env.ALERTMANAGER_PASSWORD }
      : undefined;
  return deepFreeze({
    redis: redisSettings(env),
    http: {
      host: env.HOST,
      port: env.PORT,
      workerPort: env.WORKER_PORT,
      allowedHosts: env.ALLOWED_HOSTS,
    },
    logLevel: env.LOG_LEVEL,
    alertmanager: { token: env.ALERTMANAGER_TOKEN, basic, open: env.ALERTMANAGER_AUTH === 'none' },
    slack:
      env.SLACK_BOT_TOKEN === undefined
        ? undefined
        : {
            botToken: env.SLACK_BOT_TOKEN,
            appToken: env.SLACK_APP_TOKEN,
            signingSecret: env.SLACK_SIGNING_SECRET,
            apiUrl: env.SLACK_API_URL,
            paceMs: env.SLACK_PACE_MS,
          },
    discord:
      env.DISCORD_TOKEN === undefined
        ? undefined
        : {
            token: env.DISCORD_TOKEN,
            guildId: env.DISCORD_GUILD_ID,
            apiUrl: env.DISCORD_API_URL,
            paceMs: env.DISCORD_PACE_MS,
          },
    metrics: {
      prometheusUrl: env.PROMETHEUS_URL,
      alertmanagerUrl: env.ALERTMANAGER_URL,
    },
    anthropic: { apiKey: env.ANTHROPIC_API_KEY, baseUrl: env.ANTHROPIC_BASE_URL },
    worker: {
      concurrency: env.WORKER_CONCURRENCY,
      lockMs: Math.round(env.WORKER_LOCK_SECONDS * 1000),
    },
    audit: { dir: resolve(env.AUDIT_DIR) },
    workflowsDir: workflowsDirOf(env.WORKFLOWS_DIR),
    promptsDir: promptsDirOf(env.PROMPTS_DIR),
    dashboard: { users: env.DASHBOARD_TOKENS, trustLocalNames: false, publicUrl: env.PUBLIC_URL },
    shutdownTimeoutMs: Math.round(env.SHUTDOWN_TIMEOUT_SECONDS * 1000),
    routes: fileConfig.routes,
    investigationWindowSeconds: fileConfig.investigations.freshMinutes * 60,
    clusters: clustersOf(fileConfig, file),
    bindings: fileConfig.bindings,
    people: fileConfig.people,
    autonomy: fileConfig.autonomy,
    models: fileConfig.models,
    budgets: fileConfig.budgets,
    platforms,
    configFile: file,
    gitops: gitopsOf(fileConfig.gitops, source, file ?? 'COXSWAIN_CONFIG'),
    leader: leaderOf(env, source),
  });
}

/** LEADER_LEASE as a namespace and name; without a namespace, the pod's own, else `default`. */
export function leaderOf(
  env: Pick<Env, 'LEADER_LEASE' | 'LEADER_LEASE_SECONDS' | 'POD_NAME'>,
  source: EnvSource,
  namespaceFile = SERVICE_ACCOUNT_NAMESPACE,
): LeaderLease | undefined {
  if (env.LEADER_LEASE === undefined) return undefined;
  const slash = env.LEADER_LEASE.indexOf('/');
  const podNamespace = () => {
    try {
      return readFileSync(namespaceFile, 'utf8').trim() || 'default';
    } catch {
      return 'default';
    }
  };
  return {
    namespace: slash === -1 ? podNamespace() : env.LEADER_LEASE.slice(0, slash),
    name: env.LEADER_LEASE.slice(slash + 1),
    durationSeconds: env.LEADER_LEASE_SECONDS ?? 15,
    identity: env.POD_NAME ?? `${hostname()}_${process.pid}`,
    inCluster: (source.KUBERNETES_SERVICE_HOST ?? '') !== '',
  };
}

/** The GitOps settings with the forge's token read from the variable the file names. */
function gitopsOf(
  gitops: GitOps | undefined,
  source: EnvSource,
  file: string,
): GitOpsSettings | undefined {
  if (gitops === undefined) return undefined;
  const token = source[gitops.forge.tokenEnv];
  if (token === undefined || token === '') {
    throw new CoxswainError(
      'config_invalid',
      `invalid configuration:\n  ${file}: gitops.forge.tokenEnv: ${gitops.forge.tokenEnv} is not set`,
    );
  }
  const digest = createHash('sha256').update(gitops.repo).digest('hex').slice(0, 12);
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME'] as const) {
    const value = source[name];
    if (value !== undefined) env[name] = value;
  }
  return {
    repo: gitops.repo,
    branch: gitops.branch,
    path: gitops.path,
    workDir: resolve(gitops.workDir ?? join(tmpdir(), 'coxswain-git', digest)),
    forge: { type: gitops.forge.type, url: gitops.forge.url.replace(/\/+$/, ''), token },
    env,
  };
}

/** A config file is written by people: a megabyte is far more than one needs. */
const MAX_CONFIG_BYTES = 1024 * 1024;

export function readConfigFile(path: string): ConfigFile {
  const invalid = (reason: string, cause?: unknown) =>
    new CoxswainError('config_invalid', `invalid configuration:\n  ${path}: ${reason}`, { cause });
  let text: string;
  try {
    // A device or a pipe would never end, and a huge file would take minutes to parse.
    const stat = statSync(path);
    if (!stat.isFile()) throw invalid('is not a regular file');
    if (stat.size > MAX_CONFIG_BYTES)
      throw invalid(`is larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MiB`);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof CoxswainError) throw error;
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : 'cannot be read';
    throw invalid(reason, error);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter: lines });
  const yamlError = doc.errors[0];
  if (yamlError !== undefined) {
    // The position only: the library's message quotes the file, which may hold secrets one day.
    const at = lines.linePos(yamlError.pos[0]);
    const where = ` at line ${at.line} column ${at.col}`;
    throw new CoxswainError(
      'config_invalid',
      `invalid configuration:\n  ${path}: not valid YAML${where} (${yamlError.code})`,
    );
  }
  let content: unknown = {};
  try {
    // Aliases that expand without end (a "billion laughs") are refused, not expanded.
    if (doc.contents !== null) content = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw invalid('expands too far (aliases of aliases) or nests too deep', error);
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new CoxswainError(
      'config_invalid',
      `invalid configuration:\n  ${path}: must be a YAML mapping at the top level`,
    );
  }
  const parsed = ConfigFile.safeParse(content);
  if (!parsed.success) {
    throw new CoxswainError(
      'config_invalid',
      `invalid configuration:\n  ${formatIssues(parsed.error.issues, path).join('\n  ')}`,
    );
  }
  return parsed.data;
}

function checkRoutePlatforms(
  routes: readonly Route[],
  platforms: readonly Platform[],
  file: string,
) {
  const problems: string[] = [];
  routes.forEach((route, i) => {
    route.channels.forEach((channel, j) => {
      const platform = channelPlatform(channel);
      if (!platforms.includes(platform)) {
        problems.push(`${file}: routes[${i}].channels[${j}]: ${platform} is not configured`);
      }
    });
  });
  if (problems.length > 0) {
    throw new CoxswainError('config_invalid', `invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

/**
 * The parts of the config that reach clusters, for commands that need no Redis (`status`,
 * `diagnose`): only COXSWAIN_CONFIG is read from the environment.
 */
export function loadClusterConfig(
  source: EnvSource,
): Pick<
  Config,
  | 'clusters'
  | 'bindings'
  | 'autonomy'
  | 'models'
  | 'budgets'
  | 'anthropic'
  | 'metrics'
  | 'configFile'
  | 'workflowsDir'
  | 'promptsDir'
> {
  const path =
    source.COXSWAIN_CONFIG === undefined || source.COXSWAIN_CONFIG === ''
      ? undefined
      : resolve(source.COXSWAIN_CONFIG);
  const fileConfig = path === undefined ? ConfigFile.parse({}) : readConfigFile(path);
  checkBindings(fileConfig, ['web', 'slack', 'discord'], path ?? 'COXSWAIN_CONFIG');
  checkPeople(fileConfig, path ?? 'COXSWAIN_CONFIG');
  const text = (name: string) => (source[name] === '' ? undefined : source[name]);
  return deepFreeze({
    clusters: clustersOf(fileConfig, path),
    bindings: fileConfig.bindings,
    autonomy: fileConfig.autonomy,
    models: fileConfig.models,
    budgets: fileConfig.budgets,
    anthropic: { apiKey: text('ANTHROPIC_API_KEY'), baseUrl: text('ANTHROPIC_BASE_URL') },
    metrics: metricsOf(source),
    configFile: path,
    workflowsDir: workflowsDirOf(text('WORKFLOWS_DIR')),
    promptsDir: promptsDirOf(text('PROMPTS_DIR')),
  });
}

function metricsOf(source: EnvSource): Config['metrics'] {
  const parsed = MetricsEnv.safeParse(source);
  if (!parsed.success) {
    throw new CoxswainError(
      'config_invalid',
      `invalid configuration:\n  ${formatIssues(parsed.error.issues).join('\n  ')}`,
    );
  }
  return {
    prometheusUrl: parsed.data.PROMETHEUS_URL,
    alertmanagerUrl: parsed.data.ALERTMANAGER_URL,
  };
}

/** Kubeconfig paths in the file are relative to the file, as people expect when they write them. */
function clustersOf(config: ConfigFile, file: string | undefined): ClusterEntry[] {
  return config.clusters.map((c) =>
    c.kubeconfig === undefined || file === undefined
      ? c
      : { ...c, kubeconfig: resolve(dirname(file), c.kubeconfig) },
  );
}

/** The cluster name used when the file lists none: the current kubeconfig context or in-cluster. */
export const DEFAULT_CLUSTER_NAME = 'default';

/** Cross-field checks zod cannot do alone: unique names, known clusters, configured platforms. */
function checkBindings(config: ConfigFile, platforms: readonly Platform[], file: string) {
  const problems: string[] = [];
  const names =
    config.clusters.length === 0 ? [DEFAULT_CLUSTER_NAME] : config.clusters.map((c) => c.name);
  config.clusters.forEach((cluster, i) => {
    if (names.indexOf(cluster.name) !== i)
      problems.push(`${file}: clusters[${i}].name: ${cluster.name} is listed twice`);
  });
  const seen = new Set<string>();
  config.bindings.forEach((binding, i) => {
    if (seen.has(binding.channel))
      problems.push(`${file}: bindings[${i}].channel: ${binding.channel} is bound twice`);
    seen.add(binding.channel);
    const platform = channelPlatform(binding.channel);
    if (!platforms.includes(platform))
      problems.push(`${file}: bindings[${i}].channel: ${platform} is not configured`);
    binding.clusters.forEach((cluster, j) => {
      if (!names.includes(cluster)) {
        problems.push(
          `${file}: bindings[${i}].clusters[${j}]: no cluster named ${cluster} (clusters: ${names.join(', ')})`,
        );
      }
    });
  });
  if (problems.length > 0) {
    throw new CoxswainError('config_invalid', `invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

/** One name per person, and each account one person's: else who approves would be ambiguous. */
function checkPeople(config: ConfigFile, file: string) {
  const problems: string[] = [];
  const names = new Map<string, number>();
  const owners = new Map<string, string>();
  config.people.forEach((person, i) => {
    const earlier = names.get(person.name);
    if (earlier !== undefined)
      problems.push(`${file}: people[${i}].name: ${person.name} is listed twice`);
    names.set(person.name, earlier ?? i);
    person.ids.forEach((id, j) => {
      const owner = owners.get(id);
      if (owner !== undefined)
        problems.push(`${file}: people[${i}].ids[${j}]: ${id} is already ${owner}'s`);
      else owners.set(id, person.name);
    });
  });
  if (problems.length > 0) {
    throw new CoxswainError('config_invalid', `invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
