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
    REDIS_URL: z
      .string({ error: 'is required' })
      .refine(isRedisUrl, 'must be a redis:// or rediss:// URL'),
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
    WORKER_CONCURRENCY: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be between 1 and 100')
      .max(100, 'must be between 1 and 100')
      .default(4),
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

function isRedisUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}
