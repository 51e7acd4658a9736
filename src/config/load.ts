import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isMap, LineCounter, parseDocument } from 'yaml';
import { CoxswainError } from '../errors.ts';
import { channelPlatform, type Platform } from '../queue/channel.ts';
import { Env } from './env.ts';
import { ConfigFile, type Route } from './file.ts';
import { formatIssues } from './format-issues.ts';

export type LogLevel = Env['LOG_LEVEL'];

export type Config = Readonly<{
  redis: Readonly<{ url: string; prefix: string }>;
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
  }>;
  worker: Readonly<{ concurrency: number }>;
  shutdownTimeoutMs: number;
  routes: readonly Route[];
  platforms: readonly Platform[];
  configFile: string | undefined;
}>;

export type EnvSource = Readonly<Record<string, string | undefined>>;

/** The environment as the process received it, plus `.env` in the working directory if present. */
export function readEnv(cwd = process.cwd()): EnvSource {
  const dotEnv = resolve(cwd, '.env');
  if (existsSync(dotEnv)) process.loadEnvFile(dotEnv);
  return { ...process.env };
}

/**
 * Parses env and the optional config file into one frozen object. Throws a `config_invalid`
 * error whose message lists every problem by variable or path, never by value.
 */
export function loadConfig(source: EnvSource): Config {
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
  // Only the web console exists so far; Slack and Discord join this list when their tokens are set.
  const platforms: Platform[] = ['web'];
  checkRoutePlatforms(fileConfig.routes, platforms, file ?? 'COXSWAIN_CONFIG');

  const basic =
    env.ALERTMANAGER_USERNAME !== undefined && env.ALERTMANAGER_PASSWORD !== undefined
      ? { username: env.ALERTMANAGER_USERNAME, password: env.ALERTMANAGER_PASSWORD }
      : undefined;
  return deepFreeze({
    redis: { url: env.REDIS_URL, prefix: env.REDIS_PREFIX },
    http: {
      host: env.HOST,
      port: env.PORT,
      workerPort: env.WORKER_PORT,
      allowedHosts: env.ALLOWED_HOSTS,
    },
    logLevel: env.LOG_LEVEL,
    alertmanager: { token: env.ALERTMANAGER_TOKEN, basic },
    worker: { concurrency: env.WORKER_CONCURRENCY },
    shutdownTimeoutMs: Math.round(env.SHUTDOWN_TIMEOUT_SECONDS * 1000),
    routes: fileConfig.routes,
    platforms,
    configFile: file,
  });
}

export function readConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : 'cannot be read';
    throw new CoxswainError('config_invalid', `invalid configuration:\n  ${path}: ${reason}`, {
      cause: error,
    });
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
  const content = doc.contents === null ? {} : doc.toJS();
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

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
