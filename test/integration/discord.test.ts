import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedRedis, startEmbeddedRedis } from '../../src/runtime/embedded-redis.ts';
import { postAlert, startTestApp, type TestApp } from '../support/app.ts';
import { writeConfigFile } from '../support/config-file.ts';
import { FakeDiscord, type ShownMessage } from '../support/discord-api.ts';
import { useSandbox } from '../support/sandbox.ts';

/**
 * The real discord.js on the gateway of a local Discord: mentions, DMs, `/coxswain` and buttons
 * in; REST posts, edits and threads out. The bot has a Redis of its own here, so one test can
 * pause it to make the work slower than Discord's three seconds allow.
 */
const sandbox = useSandbox(['oom-crashloop', 'healthy']);
let discord: FakeDiscord;
let redis: EmbeddedRedis;
let app: TestApp;
let ops: string;
let dana: string;

beforeAll(async () => {
  discord = await FakeDiscord.start();
  redis = await startEmbeddedRedis();
  ops = discord.channels.ops;
  const file = writeConfigFile({
    clusters: [{ name: 'sandbox', kubeconfig: sandbox.kubeconfig }],
    bindings: [
      {
        channel: `discord:${ops}`,
        clusters: ['sandbox'],
        namespaces: ['*'],
        maxTier: 'confirm',
        approvers: [`discord:role:${discord.roles.approver}`],
      },
    ],
    routes: [{ match: {}, channels: [`discord:${ops}`] }],
  });
  app = await startTestApp({
    REDIS_URL: redis.url,
    COXSWAIN_CONFIG: file,
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    DISCORD_GUILD_ID: discord.guildId,
    // The local Discord limits only where a test says so: a short pace spares the waits.
    DISCORD_PACE_MS: '100',
  });
  dana = discord.addUser('dana');
}, 60_000);

afterAll(async () => {
  await app.stop();
  await discord.close();
  await redis.stop();
});

const shown = (m: ShownMessage) => JSON.stringify([m.content, m.embeds]);
const find = (channel: string, pattern: RegExp) =>
  discord.waitFor((d) => d.messages(channel).find((m) => pattern.test(shown(m))), 20_000);

describe('Discord', () => {
  it('identifies with the three intents it needs and registers /coxswain in the server', () => {
    const intents = discord.identify?.intents ?? 0;
    const command = discord.commands.find((c) => c.name === 'coxswain');

    // Guilds (1), GuildMessages (512), DirectMessages (4096): nothing privileged.
    expect(intents).toBe(1 | 512 | 4096);
    expect(command?.guild_id).toBe(discord.guildId);
    expect((command?.options ?? []).map((o) => o.name).sort()).toEqual([
      'ask',
      'deploy',
      'diagnose',
      'help',
      'rollback',
      'status',
      'workflow',
    ]);
  });

  it('answers a mention in a thread on it, and a follow-up there with the thread as context', async () => {
    const asked = discord.sendMessage({
      channelId: ops,
      userId: dana,
      content: 'why is payments crashlooping?',
      mentionBot: true,
    });

    const answer = await find(asked, /Answered by the analyzers/);
    expect(discord.threads.find((t) => t.id === asked)).toMatchObject({
      parentId: ops,
      name: 'why is payments crashlooping?',
    });
    expect(shown(answer)).toContain('namespace payments');

    discord.sendMessage({
      channelId: ops,
      threadId: asked,
      userId: dana,
      content: 'is it still failing?',
      mentionBot: true,
    });
    await discord.waitFor(
      (d) =>
        d.messages(asked).filter((m) => /Answered by the analyzers/.test(shown(m))).length === 2,
      20_000,
    );
    const followUp = discord
      .messages(asked)
      .filter((m) => /Answered by the analyzers/.test(shown(m)))[1];
    expect(shown(followUp as ShownMessage)).toContain('namespace payments');
  });

  it('keeps one status message in the thread, showing the latest step', async () => {
    const asked = discord.sendMessage({
      channelId: ops,
      userId: dana,
      content: 'what is wrong in shop?',
      mentionBot: true,
    });

    const status = await find(asked, /Answered below/);

    // Pacing may deliver an earlier step after a later one; the earlier one is then dropped.
    const statuses = discord
      .messages(asked)
      .filter((m) => /Looking into it|Answered below/.test(shown(m)));
    expect(statuses).toHaveLength(1);
    expect(shown(status)).not.toContain('Looking into it');
  });

  it('answers /coxswain status at once, privately, and posts the answer with its buttons', async () => {
    const { id } = discord.runCommand({
      channelId: ops,
      userId: dana,
      name: 'coxswain',
      subcommand: 'status',
    });

    const response = await discord.interactionResponse(id);
    expect(response.type).toBe(4);
    expect(response.ms).toBeLessThan(3_000);
    expect(JSON.stringify(response.data)).toContain('Working on status');
    expect((response.data as { flags?: number }).flags).toBe(64);
    const posted = await find(ops, /Cluster sandbox/);
    expect(JSON.stringify(posted.components)).toContain('command:diagnose -n payments');
  });

  it('runs a YAML workflow from /coxswain workflow, and its status message ends as it did', async () => {
    const { id } = discord.runCommand({
      channelId: ops,
      userId: dana,
      name: 'coxswain',
      subcommand: 'workflow',
      options: { name: 'cluster-health-check' },
    });

    const response = await discord.interactionResponse(id);
    expect(response.type).toBe(4);
    const done = await find(ops, /Workflow cluster-health-check: succeeded/);
    expect(shown(done)).toContain('✓ status (succeeded)');
  });

  it('gives an alert group one message, and its investigation a thread on it', async () => {
    const labels = { alertname: 'ShopErrorsHigh', namespace: 'payments', severity: 'critical' };
    const alert = {
      status: 'firing',
      labels,
      annotations: { summary: 'Errors' },
      startsAt: '2026-12-06T10:00:00Z',
      generatorURL: 'http://prometheus.example/graph',
      fingerprint: 'shop0001',
    };

    await postAlert(app.baseUrl, {
      version: '4',
      groupKey: '{}:{alertname="ShopErrorsHigh"}',
      status: 'firing',
      receiver: 'coxswain',
      groupLabels: { alertname: 'ShopErrorsHigh' },
      commonLabels: labels,
      commonAnnotations: alert.annotations,
      externalURL: 'http://alertmanager.example',
      alerts: [alert],
    });

    const group = await find(ops, /Firing: ShopErrorsHigh/);
    const answer = await discord.waitFor(
      (d) => d.messages(group.id).find((m) => /Answered by the analyzers/.test(shown(m))),
      30_000,
    );
    expect(discord.threads.find((t) => t.id === group.id)?.parentId).toBe(ops);
    expect(shown(answer)).toContain('OOM');
  });

  it('redacts the private answer to a command, which does not pass the outbox', async () => {
    const { id } = discord.runCommand({
      channelId: ops,
      userId: dana,
      name: 'coxswain',
      subcommand: 'diagnose',
      options: { target: 'password=Hunter2xyz' },
    });

    const response = await discord.interactionResponse(id);
    const shownText = JSON.stringify(response.data);
    expect(shownText).toContain('is not KIND/NAME');
    expect(shownText).toMatch(/password=\\+\[redacted\\+\]/);
    expect(shownText).not.toContain('Hunter2xyz');
  });

  it('runs the command behind a button for the person who clicked, in a thread on its message', async () => {
    const status = await find(ops, /Cluster sandbox/);

    const { id } = discord.clickButton({
      channelId: ops,
      messageId: status.id,
      customId: 'command:diagnose -n payments',
      userId: dana,
    });

    const response = await discord.interactionResponse(id);
    expect(response.type).toBe(6);
    const answer = await find(status.id, /in namespace payments of cluster sandbox/);
    expect(shown(answer)).toContain(`${dana} asked: diagnose`);
  });

  it('answers a click on a message only the clicker sees in the channel, not in a thread', async () => {
    const help = discord.runCommand({
      channelId: ops,
      userId: dana,
      name: 'coxswain',
      subcommand: 'help',
    });
    await discord.interactionResponse(help.id);
    const card = await discord.waitFor((d) =>
      d.messages(ops).find((m) => m.ephemeral && /Coxswain commands/.test(shown(m))),
    );
    const before = discord.messages(ops).filter((m) => /Cluster sandbox/.test(shown(m))).length;

    const click = discord.clickButton({
      channelId: ops,
      messageId: card.id,
      customId: 'command:status',
      userId: dana,
    });

    expect((await discord.interactionResponse(click.id)).type).toBe(6);
    await discord.waitFor(
      (d) => d.messages(ops).filter((m) => /Cluster sandbox/.test(shown(m))).length > before,
      20_000,
    );
    expect(discord.threads.some((t) => t.id === card.id)).toBe(false);
  });

  it('answers a DM outside any thread, and refuses an unbound DM saying what is missing', async () => {
    discord.sendMessage({ userId: dana, content: 'help', dm: true });

    const reply = await discord.waitFor(
      (d) => d.messages().find((m) => m.channel_id !== ops && /has no binding yet/.test(shown(m))),
      20_000,
    );
    expect(shown(reply)).toContain(`discord:${reply.channel_id}`);
    expect(discord.threads.some((t) => t.parentId === reply.channel_id)).toBe(false);
  });

  it('delivers after the Retry-After of a 429', async () => {
    const asked = discord.sendMessage({
      channelId: ops,
      userId: dana,
      content: 'help',
      mentionBot: true,
    });
    // Set before the bot can have seen the message: the answer in its thread is limited once.
    const answerPath = `/channels/${asked}/messages`;
    discord.rateLimit((r) => r.method === 'POST' && r.path === answerPath, 1, 1);

    await find(asked, /Coxswain commands/);
    const posts = await discord.waitFor((d) => {
      const sent = d.requests.filter((r) => r.method === 'POST' && r.path === answerPath);
      return sent.length === 2 && sent[1]?.status === 200 ? sent : undefined;
    });
    expect(posts[0]?.status).toBe(429);
    expect((posts[1]?.at ?? 0) - (posts[0]?.at ?? 0)).toBeGreaterThanOrEqual(1_000);
  });

  it('defers an interaction when the work takes longer than Discord allows, then fills in the answer', async () => {
    const admin = new Redis(redis.url);
    try {
      // Redis refusing writes for a while: the enqueue, and so the answer, waits.
      await admin.call('CLIENT', 'PAUSE', '2600', 'WRITE');
      const { id } = discord.runCommand({
        channelId: ops,
        userId: dana,
        name: 'coxswain',
        subcommand: 'status',
      });

      const response = await discord.interactionResponse(id);

      expect(response.type).toBe(5);
      expect(response.ms).toBeLessThan(3_000);
      const filled = await discord.waitFor(
        (d) =>
          d.requests.find(
            (r) =>
              r.method === 'PATCH' &&
              /\/messages\/(@|%40)original$/.test(r.path) &&
              r.status === 200 &&
              /Working on status/.test(JSON.stringify(r.body)),
          ),
        10_000,
      );
      expect(filled.status).toBe(200);
    } finally {
      admin.disconnect();
    }
  });

  it('decides a card by role: a member without it is refused privately, one with it rejects', async () => {
    const sam = discord.addUser('sam', [discord.roles.approver]);
    const asked = discord.runCommand({
      channelId: ops,
      userId: dana,
      name: 'coxswain',
      subcommand: 'diagnose',
      options: { namespace: 'payments' },
    });
    await discord.interactionResponse(asked.id);
    const card = await find(ops, /Approve\? set memory limit/);
    const customId =
      JSON.stringify(card.components).match(/"custom_id":"(approve:p[^"]+)"/)?.[1] ?? '';
    const proposal = customId.slice('approve:'.length);

    const refused = discord.clickButton({
      channelId: ops,
      messageId: card.id,
      customId,
      userId: dana,
    });
    const refusal = await discord.interactionResponse(refused.id);
    const rejected = discord.clickButton({
      channelId: ops,
      messageId: card.id,
      customId: `reject:${proposal}`,
      userId: sam,
      roles: [discord.roles.approver],
    });

    expect(refusal.type).toBe(4);
    expect((refusal.data as { flags?: number }).flags).toBe(64);
    expect(JSON.stringify(refusal.data)).toContain('not an approver');
    expect((await discord.interactionResponse(rejected.id)).type).toBe(6);
    const edited = await discord.waitFor(
      (d) => d.messages(ops).find((m) => m.id === card.id && /Rejected/.test(shown(m))),
      15_000,
    );
    expect(edited.components).toEqual([]);
    expect(shown(edited)).toContain(`Rejected by ${sam}`);
  });
});
