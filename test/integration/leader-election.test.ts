import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
  RbacAuthorizationV1Api,
} from '@kubernetes/client-node';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postToChat } from '../../src/chat/post-to-chat.ts';
import { type CliRun, runCli } from '../support/cli.ts';
import { FakeDiscord } from '../support/discord-api.ts';
import { queuesIdle } from '../support/queues-idle.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';
import { eventually, useSandbox } from '../support/sandbox.ts';
import { FakeSlack } from '../support/slack-api.ts';

/**
 * Several real `coxswain bot` processes elect a leader on a Lease in the sandbox: only the holder
 * connects to Slack (Socket Mode) and Discord (gateway) and delivers the outbox. When the holder
 * is killed, a standby takes over and delivers what was queued meanwhile; when it is stopped with
 * SIGTERM, it releases the Lease on its way out.
 */
const sandbox = useSandbox([]);
const LEASE = 'coxswain-bot';
let slack: FakeSlack;
let discord: FakeDiscord;
let prefix: string;
let outbox: Queue;
const bots = new Map<string, CliRun>();

/**
 * The bots reach the sandbox as their own ServiceAccount, whose Role grants what the deployment's
 * does and no more: get, create and update on leases in their namespace.
 */
let botKubeconfig: string;

async function grantLeaseRole(): Promise<string> {
  const admin = new KubeConfig();
  admin.loadFromFile(sandbox.kubeconfig);
  const namespace = 'default';
  await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccount({
    namespace,
    body: { metadata: { name: 'coxswain-bot' } },
  });
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  await rbac.createNamespacedRole({
    namespace,
    body: {
      metadata: { name: 'coxswain-bot-lease' },
      rules: [
        {
          apiGroups: ['coordination.k8s.io'],
          resources: ['leases'],
          verbs: ['get', 'create', 'update'],
        },
      ],
    },
  });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name: 'coxswain-bot-lease' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'coxswain-bot-lease' },
      subjects: [{ kind: 'ServiceAccount', name: 'coxswain-bot', namespace }],
    },
  });
  const bot = new KubeConfig();
  bot.loadFromOptions({
    clusters: admin.clusters,
    contexts: admin.contexts,
    currentContext: admin.currentContext,
    users: admin.users.map((user) => ({
      ...user,
      impersonateUser: 'system:serviceaccount:default:coxswain-bot',
    })),
  });
  const file = join(mkdtempSync(join(tmpdir(), 'coxswain-bot-kubeconfig-')), 'kubeconfig');
  writeFileSync(file, bot.exportConfig());
  return file;
}

beforeAll(async () => {
  botKubeconfig = await grantLeaseRole();
  slack = await FakeSlack.start();
  discord = await FakeDiscord.start();
  prefix = testPrefix();
  outbox = new Queue('outbox', { connection: { url: testRedisUrl() }, prefix });
});

afterAll(async () => {
  for (const bot of bots.values()) {
    if (bot.child.exitCode === null) bot.child.kill('SIGKILL');
    await bot.exited;
  }
  await outbox?.close();
  await slack?.close();
  await discord?.close();
  await dropPrefix(testRedisUrl(), prefix);
});

function startBot(name: string, lease = LEASE): CliRun {
  const bot = runCli(['bot'], {
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: prefix,
    PORT: '0',
    LOG_LEVEL: 'info',
    ALERTMANAGER_AUTH: 'none',
    AUDIT_DIR: mkdtempSync(join(tmpdir(), 'coxswain-audit-')),
    SHUTDOWN_TIMEOUT_SECONDS: '5',
    LEADER_LEASE: `default/${lease}`,
    LEADER_LEASE_SECONDS: '3',
    POD_NAME: name,
    KUBECONFIG: botKubeconfig,
    KUBERNETES_SERVICE_HOST: undefined,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_APP_TOKEN: slack.appToken,
    SLACK_API_URL: slack.apiUrl,
    SLACK_PACE_MS: '100',
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    DISCORD_GUILD_ID: discord.guildId,
    DISCORD_PACE_MS: '100',
  });
  bots.set(name, bot);
  return bot;
}

async function portOf(bot: CliRun): Promise<number> {
  const [, port] = await bot.waitFor(/"role":"bot".*"port":(\d+).*"msg":"listening"/, 30_000);
  return Number(port);
}

async function readyz(port: number): Promise<{ status: string; leader?: boolean }> {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`);
  return (await response.json()) as { status: string; leader?: boolean };
}

async function leaderGauge(port: number): Promise<string | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return /^coxswain_leader (\d+)$/m.exec(text)?.[1];
}

function leases(): CoordinationV1Api {
  const config = new KubeConfig();
  config.loadFromFile(sandbox.kubeconfig);
  return config.makeApiClient(CoordinationV1Api);
}

async function holder(name = LEASE): Promise<string> {
  const lease = await leases().readNamespacedLease({ name, namespace: 'default' });
  return lease.spec?.holderIdentity ?? '';
}

/** Writes another holder into the Lease, as a replica that took it would. */
async function setHolder(name: string, holderIdentity: string): Promise<void> {
  const api = leases();
  const current = await api.readNamespacedLease({ name, namespace: 'default' });
  await api.replaceNamespacedLease({
    name,
    namespace: 'default',
    body: { ...current, spec: { ...current.spec, holderIdentity, leaseDurationSeconds: 3 } },
  });
}

const connections = () => ({ slack: slack.socketConnections, discord: discord.gatewayConnections });

/** Queues one message for each platform, as any producer would. */
async function queueMessages(batch: string, count: number): Promise<string[]> {
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    const text = `${batch} message ${i}`;
    texts.push(text);
    for (const channel of ['slack:C0OPS', `discord:${discord.channels.ops}`] as const) {
      await postToChat(outbox, {
        kind: 'reply',
        key: ['leader-test', batch, String(i), channel],
        channel,
        message: { text },
      });
    }
  }
  return texts;
}

/** Waits until every text is in both channels, then returns how often each appears there. */
async function delivered(texts: string[]): Promise<{ slack: number[]; discord: number[] }> {
  const count = () => ({
    slack: texts.map(
      (t) =>
        slack.posted('C0OPS').filter((m) => JSON.stringify([m.text, m.blocks]).includes(t)).length,
    ),
    discord: texts.map(
      (t) =>
        discord
          .messages(discord.channels.ops)
          .filter((m) => JSON.stringify([m.content, m.embeds]).includes(t)).length,
    ),
  });
  await eventually(
    async () => {
      const now = count();
      return [...now.slack, ...now.discord].every((n) => n > 0) ? true : undefined;
    },
    60_000,
    'every queued message to be delivered',
  );
  await queuesIdle({ redisUrl: testRedisUrl(), prefix }, ['outbox'], 30_000);
  return count();
}

describe('two bot replicas on one Lease', () => {
  let first: string;
  let second: string;

  it('lets one hold Slack, Discord and the outbox while the other serves HTTP', async () => {
    const a = startBot('bot-a');
    const b = startBot('bot-b');
    const ports = { 'bot-a': await portOf(a), 'bot-b': await portOf(b) };

    const [winner] = await Promise.race([
      a.waitFor(/holding the chat connections/, 30_000).then(() => ['bot-a']),
      b.waitFor(/holding the chat connections/, 30_000).then(() => ['bot-b']),
    ]);
    first = winner ?? '';
    second = first === 'bot-a' ? 'bot-b' : 'bot-a';
    const texts = await queueMessages('first', 3);
    const counts = await delivered(texts);
    const states = {
      leader: await readyz(ports[first as 'bot-a']),
      standby: await readyz(ports[second as 'bot-a']),
    };

    expect(counts).toEqual({ slack: [1, 1, 1], discord: [1, 1, 1] });
    expect(await holder()).toBe(first);
    expect(states).toEqual({
      leader: { status: 'ready', redis: 'ok', leader: true },
      standby: { status: 'ready', redis: 'ok', leader: false },
    });
    expect(await leaderGauge(ports[first as 'bot-a'])).toBe('1');
    expect(await leaderGauge(ports[second as 'bot-a'])).toBe('0');
    expect(slack.socketConnections).toBe(1);
    expect(discord.gatewayConnections).toBe(1);
    expect(bots.get(second)?.stdout()).not.toContain('holding the chat connections');
    // The standby serves the webhook and the console as well.
    const standbyConsole = await fetch(`http://127.0.0.1:${ports[second as 'bot-a']}/`);
    expect(standbyConsole.status).toBe(200);
  }, 120_000);

  it('hands everything to the standby when the holder is killed, and delivers what was queued', async () => {
    const killed = bots.get(first);
    const standby = bots.get(second);

    killed?.child.kill('SIGKILL');
    await killed?.exited;
    const texts = await queueMessages('after-kill', 3);
    await standby?.waitFor(/holding the chat connections/, 30_000);
    const counts = await delivered(texts);

    expect(counts).toEqual({ slack: [1, 1, 1], discord: [1, 1, 1] });
    expect(await holder()).toBe(second);
    await eventually(
      async () =>
        slack.socketConnections === 1 && discord.gatewayConnections === 1 ? true : undefined,
      15_000,
      'one connection to each platform',
    );
    expect(slack.socketConnections).toBe(1);
    expect(discord.gatewayConnections).toBe(1);
  }, 120_000);

  it('releases the Lease on SIGTERM, and a standby takes over', async () => {
    const c = startBot('bot-c');
    await portOf(c);
    const holding = bots.get(second);

    holding?.child.kill('SIGTERM');
    const code = await holding?.exited;
    const afterExit = await holder();
    const texts = await queueMessages('after-term', 2);
    await c.waitFor(/holding the chat connections/, 30_000);
    const counts = await delivered(texts);

    expect(code).toBe(0);
    expect(holding?.stdout()).toContain('"msg":"leader lease released"');
    expect(['', 'bot-c']).toContain(afterExit);
    expect(counts).toEqual({ slack: [1, 1], discord: [1, 1] });
    expect(await holder()).toBe('bot-c');
    const every = [...slack.posted('C0OPS').map((m) => m.text)];
    expect(new Set(every).size).toBe(every.length);
    for (const bot of bots.values()) {
      const logged = bot.stdout() + bot.stderr();
      for (const secret of [slack.botToken, slack.appToken, discord.token])
        expect(logged).not.toContain(secret);
    }
  }, 120_000);

  it('lets go when another replica takes the Lease, and connects again once it leads again', async () => {
    const last = bots.get('bot-c');
    last?.child.kill('SIGTERM');
    await last?.exited;
    await eventually(
      async () => (slack.socketConnections + discord.gatewayConnections === 0 ? true : undefined),
      15_000,
      'the platforms to see every bot gone',
    );
    const bot = startBot('bot-r', 'relead');
    await bot.waitFor(/holding the chat connections/, 30_000);

    await setHolder('relead', 'bot-elsewhere');
    await bot.waitFor(/chat connections and outbox let go/, 30_000);
    const whileAway = connections();
    await setHolder('relead', '');
    await eventually(
      async () =>
        bot.stdout().match(/holding the chat connections/g)?.length === 2 ? true : undefined,
      30_000,
      'bot-r to lead again',
    );
    const texts = await queueMessages('after-return', 2);
    const counts = await delivered(texts);

    expect(whileAway).toEqual({ slack: 0, discord: 0 });
    expect(counts).toEqual({ slack: [1, 1], discord: [1, 1] });
    expect(await holder('relead')).toBe('bot-r');
    expect(connections()).toEqual({ slack: 1, discord: 1 });
  }, 120_000);
});
