import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';

// Each role loads what it runs and nothing else: a bot without Slack or Discord configured loads
// neither chat library, and never the Kubernetes client (only the client's error class, to word
// errors); a worker loads no chat library. Neither loads a forge's client (Octokit, gitea-js)
// before it opens or looks up a pull request. Checked on the packages each process resolved.

const dir = mkdtempSync(join(tmpdir(), 'coxswain-role-modules-'));
const prefix = testPrefix();
const loaded: Record<'bot' | 'worker', string[]> = { bot: [], worker: [] };

/** Starts a role with the module recorder preloaded, stops it once it listens, and reads the list. */
async function modulesOf(role: 'bot' | 'worker'): Promise<string[]> {
  const list = join(dir, `${role}.txt`);
  const run = runCli([role], {
    NODE_OPTIONS: `--import ${join(import.meta.dirname, '../support/record-modules.ts')}`,
    RECORD_MODULES_TO: list,
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: prefix,
    PORT: '0',
    WORKER_PORT: '0',
    ALERTMANAGER_AUTH: 'none',
    LOG_LEVEL: 'info',
    // No chat platform and no cluster: the role still starts, and the test is about its modules.
    SLACK_BOT_TOKEN: undefined,
    SLACK_APP_TOKEN: undefined,
    SLACK_SIGNING_SECRET: undefined,
    DISCORD_TOKEN: undefined,
    ANTHROPIC_API_KEY: undefined,
    KUBECONFIG: join(dir, 'no-kubeconfig'),
  });
  await run.waitFor(/"msg":"listening"/, 20_000);
  run.child.kill('SIGTERM');
  await run.exited;
  return readFileSync(list, 'utf8').trim().split('\n');
}

/** The files of a package the process loaded, relative to the package's folder. */
function filesOf(urls: string[], pkg: string): string[] {
  const marker = `/node_modules/${pkg}/`;
  return urls.filter((url) => url.includes(marker)).map((url) => url.split(marker)[1] ?? url);
}

beforeAll(async () => {
  [loaded.bot, loaded.worker] = await Promise.all([modulesOf('bot'), modulesOf('worker')]);
}, 40_000);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await dropPrefix(testRedisUrl(), prefix);
});

describe('coxswain bot without Slack and Discord', () => {
  it('loads neither chat library, and of the Kubernetes client only its error class', () => {
    expect(filesOf(loaded.bot, 'bullmq').length).toBeGreaterThan(0);
    expect(filesOf(loaded.bot, '@slack/bolt')).toEqual([]);
    expect(filesOf(loaded.bot, 'discord.js')).toEqual([]);
    expect(filesOf(loaded.bot, '@kubernetes/client-node')).toEqual(['dist/gen/apis/exception.js']);
    expect(filesOf(loaded.bot, '@anthropic-ai/sdk')).toEqual([]);
    expect(filesOf(loaded.bot, '@octokit')).toEqual([]);
    expect(filesOf(loaded.bot, 'gitea-js')).toEqual([]);
  });
});

describe('coxswain worker', () => {
  it('loads the Kubernetes client, no chat library, and no forge client before a pull request', () => {
    expect(filesOf(loaded.worker, '@kubernetes/client-node')).toContain('dist/index.js');
    expect(filesOf(loaded.worker, '@slack/bolt')).toEqual([]);
    expect(filesOf(loaded.worker, 'discord.js')).toEqual([]);
    expect(filesOf(loaded.worker, '@octokit')).toEqual([]);
    expect(filesOf(loaded.worker, 'gitea-js')).toEqual([]);
  });
});
