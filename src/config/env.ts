import { z } from 'zod';

const port = (fallback: number) =>
  z.coerce
    .number({ error: 'must be a port number' })
    .int('must be a whole number')
    .min(0, 'must be between 0 and 65535')
    .max(65535, 'must be between 0 and 65535')
    .default(fallback);

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

/** The least time between two messages to one chat channel; unset: the platform's own rate. */
const paceMs = optionalText.pipe(
  z.coerce
    .number<string>({ error: 'must be a number of milliseconds' })
    .int('must be a whole number')
    .min(0, 'must be between 0 and 60000')
    .max(60_000, 'must be between 0 and 60000')
    .optional(),
);

/** The base URL of a service the worker reads, without its trailing slashes. */
const serviceUrl = (example: string) =>
  optionalText
    .refine(
      (value) => value === undefined || /^https?:\/\/[^\s?#]+$/.test(value),
      `must be an http(s) URL (like ${example})`,
    )
    .transform((value) => value?.replace(/\/+$/, ''));

/** The metrics sources alone, for commands that read no other variable. */
export const MetricsEnv = z.object({
  PROMETHEUS_URL: serviceUrl('http://prometheus:9090'),
  ALERTMANAGER_URL: serviceUrl('http://alertmanager:9093'),
});

/** Every environment variable the product reads. `.env.example` documents each one. */
export const Env = z
  .object({
    /** Required unless REDIS_SENTINELS is set (see the check below). */
    REDIS_URL: optionalText.refine(
      (value) => value === undefined || isRedisUrl(value),
      'must be a redis:// or rediss:// URL',
    ),
    /** The Sentinels that know the current primary, as host:port pairs separated by commas. */
    REDIS_SENTINELS: optionalText
      .refine(
        (value) => value === undefined || value.split(',').every((entry) => isHostPort(entry)),
        'must be host:port pairs separated by commas (like redis-sentinel-0:26379,redis-sentinel-1:26379)',
      )
      .transform((value) => (value === undefined ? undefined : value.split(',').map(hostPort))),
    /** The master name the Sentinels monitor (`sentinel monitor NAME …`). */
    REDIS_SENTINEL_NAME: optionalText.refine(
      (value) => value === undefined || /^[A-Za-z0-9._-]{1,64}$/.test(value),
      'must be the name the Sentinels monitor: 1-64 letters, digits, ., _ or -',
    ),
    /** The data nodes' password; wins over a password in REDIS_URL. */
    REDIS_PASSWORD: optionalText,
    REDIS_SENTINEL_PASSWORD: optionalText,
    /** After an alert is enqueued, how many replicas must have it before the webhook says 2xx. */
    REDIS_WAIT_REPLICAS: optionalText.pipe(
      z.coerce
        .number<string>({ error: 'must be a number of replicas' })
        .int('must be a whole number')
        .min(1, 'must be between 1 and 10')
        .max(10, 'must be between 1 and 10')
        .optional(),
    ),
    REDIS_WAIT_TIMEOUT_MS: optionalText.pipe(
      z.coerce
        .number<string>({ error: 'must be a number of milliseconds' })
        .int('must be a whole number')
        .min(1, 'must be between 1 and 4000')
        .max(4_000, 'must be between 1 and 4000')
        .optional(),
    ),
    REDIS_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be 1-40 letters, digits, _ or -')
      .default('coxswain'),
    HOST: z
      .string()
      .regex(/^[A-Za-z0-9.:[\]-]+$/, 'must be a host name or IP address')
      .default('127.0.0.1'),
    ALLOWED_HOSTS: z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((host) => host.trim().toLowerCase())
          .filter((host) => host !== ''),
      )
      .refine(
        (hosts) =>
          hosts.every((host) =>
            /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(host),
          ),
        'must be host names separated by commas, without ports',
      ),
    PORT: port(8080),
    WORKER_PORT: port(8081),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        error: 'must be one of fatal, error, warn, info, debug, trace, silent',
      })
      .default('info'),
    COXSWAIN_CONFIG: optionalText,
    ALERTMANAGER_TOKEN: optionalText.refine(
      (value) => value === undefined || value.length >= 16,
      'must be at least 16 characters',
    ),
    ALERTMANAGER_USERNAME: optionalText,
    ALERTMANAGER_PASSWORD: optionalText.refine(
      (value) => value === undefined || value.length >= 16,
      'must be at least 16 characters',
    ),
    /** `none` leaves the webhook open on purpose; unset, `bot` and `all` require a token or basic auth. */
    ALERTMANAGER_AUTH: optionalText.refine(
      (value) => value === undefined || value === 'none',
      'must be "none" (to leave the webhook open on purpose) or unset',
    ),
    /** The Prometheus the prometheus-analyst queries (its HTTP API); unset, its tools say so. */
    PROMETHEUS_URL: serviceUrl('http://prometheus:9090'),
    /** The Alertmanager whose alerts and silences the prometheus-analyst reads (API v2). */
    ALERTMANAGER_URL: serviceUrl('http://alertmanager:9093'),
    ANTHROPIC_API_KEY: optionalText,
    ANTHROPIC_BASE_URL: optionalText.refine(
      (value) => value === undefined || /^https?:\/\/[^\s]+$/.test(value),
      'must be an http(s) URL',
    ),
    SLACK_BOT_TOKEN: optionalText.refine(
      (value) => value === undefined || /^xoxb-\S+$/.test(value),
      'must be a bot token (xoxb-…)',
    ),
    SLACK_APP_TOKEN: optionalText.refine(
      (value) => value === undefined || /^xapp-\S+$/.test(value),
      'must be an app-level token (xapp-…) with the connections:write scope',
    ),
    SLACK_SIGNING_SECRET: optionalText.refine(
      (value) => value === undefined || /^\S{16,}$/.test(value),
      'must be the app signing secret (16 or more characters)',
    ),
    SLACK_API_URL: optionalText.refine(
      (value) => value === undefined || /^https?:\/\/[^\s]+\/$/.test(value),
      'must be an http(s) URL ending in / (like https://slack.com/api/)',
    ),
    SLACK_PACE_MS: paceMs,
    DISCORD_TOKEN: optionalText.refine(
      (value) => value === undefined || /^\S{20,}$/.test(value),
      'must be the bot token of the Discord application',
    ),
    DISCORD_GUILD_ID: optionalText.refine(
      (value) => value === undefined || /^\d{15,25}$/.test(value),
      'must be a server (guild) id: digits only',
    ),
    DISCORD_API_URL: optionalText.refine(
      (value) => value === undefined || /^https?:\/\/[^\s]+$/.test(value),
      'must be an http(s) URL (like https://discord.com/api)',
    ),
    DISCORD_PACE_MS: paceMs,
    AUDIT_DIR: z.string().min(1).default('audit'),
    /** The workflow files; the shipped folder when unset. */
    WORKFLOWS_DIR: optionalText,
    /** The agents' prompt files; the shipped folder when unset. */
    PROMPTS_DIR: optionalText,
    PUBLIC_URL: optionalText
      .refine(
        (value) => value === undefined || /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(value),
        'must be the http(s) address people open Coxswain at, like https://coxswain.example.com',
      )
      .transform((value) => value?.replace(/\/+$/, '')),
    DASHBOARD_TOKENS: optionalText
      .refine(
        (value) =>
          value === undefined ||
          value.split(',').every((pair) => /^[a-z0-9][a-z0-9._-]{0,39}:\S{16,}$/.test(pair.trim())),
        'must be name:token pairs separated by commas (lower-case names, tokens of 16+ characters)',
      )
      .transform((value) =>
        (value ?? '')
          .split(',')
          .map((pair) => pair.trim())
          .filter((pair) => pair !== '')
          .map((pair) => {
            const at = pair.indexOf(':');
            return { name: pair.slice(0, at), token: pair.slice(at + 1) };
          }),
      ),
    /**
     * Jobs of the runs queue a worker runs at once. An agent run spends nearly all its time
     * waiting on the model and the cluster (about 50 ms of CPU for 8 model calls in
     * `npm run bench flight`), and an orchestrator waiting for its specialists gives its slot
     * back, so a slot is a model call or a tool call waiting: 100 of them keep a burst of 50
     * investigations under a minute with a model at 2 s a call, for about 2 MiB more memory per
     * run in flight (RSS at peak: 410 MiB with 4 in flight, 610-650 MiB with 100). Approved
     * actions have a worker of their own with 2 slots (actions-worker.ts).
     */
    WORKER_CONCURRENCY: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be between 1 and 1000')
      .max(1000, 'must be between 1 and 1000')
      .default(100),
    WORKER_LOCK_SECONDS: z.coerce
      .number({ error: 'must be a number' })
      .min(1, 'must be between 1 and 600')
      .max(600, 'must be between 1 and 600')
      .default(30),
    /** The Lease the bot replicas elect their leader on: `name` or `namespace/name`. */
    LEADER_LEASE: optionalText.refine(
      (value) =>
        value === undefined ||
        /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\/)?[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?$/.test(value),
      'must be a Lease name or namespace/name (lower-case letters, digits, - and .)',
    ),
    /** How long a Lease holds without renewal; unset: 15 (with LEADER_LEASE only). */
    LEADER_LEASE_SECONDS: optionalText.pipe(
      z.coerce
        .number<string>({ error: 'must be a number of seconds' })
        .int('must be a whole number')
        .min(3, 'must be between 3 and 300')
        .max(300, 'must be between 3 and 300')
        .optional(),
    ),
    /** This replica's name in the Lease (the downward API's metadata.name); else host and pid. */
    POD_NAME: optionalText.refine(
      (value) => value === undefined || /^\S{1,128}$/.test(value),
      'must be 1-128 characters without spaces',
    ),
    SHUTDOWN_TIMEOUT_SECONDS: z.coerce
      .number({ error: 'must be a number' })
      .min(0, 'must be between 0 and 600')
      .max(600, 'must be between 0 and 600')
      .default(10),
  })
  .superRefine((env, ctx) => {
    if (
      env.SLACK_BOT_TOKEN !== undefined &&
      env.SLACK_APP_TOKEN === undefined &&
      env.SLACK_SIGNING_SECRET === undefined
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_SIGNING_SECRET'],
        message:
          'is required with SLACK_BOT_TOKEN for HTTP mode; or set SLACK_APP_TOKEN for Socket Mode',
      });
    }
    for (const name of [
      'SLACK_APP_TOKEN',
      'SLACK_SIGNING_SECRET',
      'SLACK_API_URL',
      'SLACK_PACE_MS',
    ] as const) {
      if (env[name] !== undefined && env.SLACK_BOT_TOKEN === undefined)
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'is set but SLACK_BOT_TOKEN is not',
        });
    }
    for (const name of ['DISCORD_GUILD_ID', 'DISCORD_API_URL', 'DISCORD_PACE_MS'] as const) {
      if (env[name] !== undefined && env.DISCORD_TOKEN === undefined)
        ctx.addIssue({ code: 'custom', path: [name], message: 'is set but DISCORD_TOKEN is not' });
    }
    if (env.LEADER_LEASE_SECONDS !== undefined && env.LEADER_LEASE === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['LEADER_LEASE_SECONDS'],
        message: 'is set but LEADER_LEASE is not',
      });
    }
    checkRedis(env, ctx);
    const hasUser = env.ALERTMANAGER_USERNAME !== undefined;
    const hasPassword = env.ALERTMANAGER_PASSWORD !== undefined;
    if (hasUser !== hasPassword) {
      ctx.addIssue({
        code: 'custom',
        path: [hasUser ? 'ALERTMANAGER_PASSWORD' : 'ALERTMANAGER_USERNAME'],
        message: 'is required when the other of ALERTMANAGER_USERNAME/ALERTMANAGER_PASSWORD is set',
      });
    }
    if (env.ALERTMANAGER_AUTH === 'none' && (env.ALERTMANAGER_TOKEN !== undefined || hasUser)) {
      ctx.addIssue({
        code: 'custom',
        path: ['ALERTMANAGER_AUTH'],
        message: 'is "none" but webhook credentials are set; unset one or the other',
      });
    }
  });
export type Env = z.infer<typeof Env>;

type RedisEnv = Pick<
  Env,
  | 'REDIS_URL'
  | 'REDIS_SENTINELS'
  | 'REDIS_SENTINEL_NAME'
  | 'REDIS_SENTINEL_PASSWORD'
  | 'REDIS_WAIT_REPLICAS'
  | 'REDIS_WAIT_TIMEOUT_MS'
>;

/** One Redis: by URL, or by Sentinels and the name they monitor (both), never both ways. */
function checkRedis(env: RedisEnv, ctx: z.RefinementCtx): void {
  const issue = (path: string, message: string) =>
    ctx.addIssue({ code: 'custom', path: [path], message });
  const sentinels = env.REDIS_SENTINELS !== undefined;
  if (sentinels !== (env.REDIS_SENTINEL_NAME !== undefined))
    issue(
      sentinels ? 'REDIS_SENTINEL_NAME' : 'REDIS_SENTINELS',
      'is required when the other of REDIS_SENTINELS/REDIS_SENTINEL_NAME is set',
    );
  if (env.REDIS_URL === undefined && !sentinels)
    issue('REDIS_URL', 'is required (or set REDIS_SENTINELS and REDIS_SENTINEL_NAME)');
  if (env.REDIS_URL !== undefined && sentinels)
    issue('REDIS_SENTINELS', 'is set with REDIS_URL; set one or the other');
  if (env.REDIS_SENTINEL_PASSWORD !== undefined && !sentinels)
    issue('REDIS_SENTINEL_PASSWORD', 'is set but REDIS_SENTINELS is not');
  if (env.REDIS_WAIT_TIMEOUT_MS !== undefined && env.REDIS_WAIT_REPLICAS === undefined)
    issue('REDIS_WAIT_TIMEOUT_MS', 'is set but REDIS_WAIT_REPLICAS is not');
}

function isRedisUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/;

function isHostPort(entry: string): boolean {
  const match = HOST_PORT.exec(entry.trim());
  if (match === null) return false;
  const port = Number(match[3]);
  return port >= 1 && port <= 65_535;
}

/** `host:port` (an IPv6 address in brackets) as ioredis takes a Sentinel. */
function hostPort(entry: string): { host: string; port: number } {
  const trimmed = entry.trim();
  const at = trimmed.lastIndexOf(':');
  return {
    host: trimmed.slice(0, at).replace(/^\[(.*)\]$/, '$1'),
    port: Number(trimmed.slice(at + 1)),
  };
}
