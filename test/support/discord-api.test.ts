import { once } from 'node:events';
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  Client,
  type ClientEvents,
  DiscordAPIError,
  EmbedBuilder,
  Events,
  GatewayIntentBits,
  MessageFlags,
  Partials,
  type RateLimitData,
  RESTEvents,
  Routes,
  type TextChannel,
} from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeDiscord, type FakeDiscordOptions } from './discord-api.ts';

const intents = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.DirectMessages,
];

let discord: FakeDiscord | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.destroy();
  await discord?.close();
  client = undefined;
  discord = undefined;
});

async function connect(options: FakeDiscordOptions = {}) {
  const server = await FakeDiscord.start(options);
  discord = server;
  const bot = new Client({ intents, partials: [Partials.Channel], rest: { api: server.apiUrl } });
  client = bot;
  const ready = once(bot, Events.ClientReady);
  await bot.login(server.token);
  await ready;
  await server.ready();
  return { discord: server, client: bot };
}

/** The next `event` whose arguments `accept` takes, within two seconds. */
function next<E extends keyof ClientEvents>(
  bot: Client,
  event: E,
  accept: (...args: ClientEvents[E]) => boolean,
): Promise<ClientEvents[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      bot.off(event, listener);
      reject(new Error(`no ${event} came`));
    }, 2000);
    const listener = (...args: ClientEvents[E]) => {
      if (!accept(...args)) return;
      clearTimeout(timer);
      bot.off(event, listener);
      resolve(args);
    };
    bot.on(event, listener);
  });
}

function opsChannel(discord: FakeDiscord, bot: Client): TextChannel {
  const channel = bot.channels.cache.get(discord.channels.ops);
  if (channel?.type !== ChannelType.GuildText) throw new Error('ops is not a cached text channel');
  return channel;
}

async function apiError(promise: Promise<unknown>): Promise<DiscordAPIError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DiscordAPIError) return error;
    throw error;
  }
  throw new Error('expected a Discord API error');
}

describe('FakeDiscord with the real discord.js', () => {
  it('logs a client in over the gateway with its intents, and caches the guild and its channels', async () => {
    const { discord, client } = await connect();

    const guild = client.guilds.cache.get(discord.guildId);

    expect(client.user?.id).toBe(discord.botUserId);
    expect(client.application?.id).toBe(discord.applicationId);
    expect(discord.identify?.intents).toBe((1 << 0) | (1 << 9) | (1 << 12));
    expect(guild?.channels.cache.get(discord.channels.ops)?.name).toBe('ops');
    expect(guild?.channels.cache.get(discord.channels.alerts)?.type).toBe(ChannelType.GuildText);
    expect(guild?.roles.cache.get(discord.roles.approver)?.name).toBe('approvers');
    expect(guild?.members.me?.id).toBe(discord.botUserId);
    expect(discord.requests[0]).toMatchObject({ method: 'GET', path: '/gateway/bot', status: 200 });
  });

  it('refuses a wrong token with 401, which discord.js reports as an invalid token', async () => {
    const server = await FakeDiscord.start();
    discord = server;
    const bot = new Client({ intents, rest: { api: server.apiUrl } });

    const login = bot.login('not-the-token');

    await expect(login).rejects.toMatchObject({ code: 'TokenInvalid' });
    expect(server.requests.at(-1)).toMatchObject({ path: '/gateway/bot', status: 401 });
  });

  it('delivers a mention and a DM as messageCreate, and hides other guild text without the content intent', async () => {
    const { discord, client } = await connect();
    const userId = discord.addUser('alice');
    const mentions = next(client, 'messageCreate', (m) => m.author.id === userId);

    discord.sendMessage({
      channelId: discord.channels.ops,
      userId,
      content: 'why is api down?',
      mentionBot: true,
    });
    const [mention] = await mentions;
    const dms = next(client, 'messageCreate', (m) => m.author.id === userId);
    discord.sendMessage({ userId, content: 'hello in private', dm: true });
    const [dm] = await dms;
    const plains = next(client, 'messageCreate', (m) => m.author.id === userId);
    discord.sendMessage({ channelId: discord.channels.ops, userId, content: 'chatter' });
    const [plain] = await plains;

    expect(mention.content).toBe(`<@${discord.botUserId}> why is api down?`);
    expect(mention.mentions.users.has(discord.botUserId)).toBe(true);
    expect(mention.guildId).toBe(discord.guildId);
    expect(mention.member?.displayName).toBe('alice');
    expect(dm.channel.type).toBe(ChannelType.DM);
    expect(dm.guildId).toBeNull();
    expect(dm.content).toBe('hello in private');
    expect(plain.content).toBe('');
  });

  it('takes messages with an embed and a button, edits, replies, and a thread started from a message', async () => {
    const { discord, client } = await connect();
    const ops = opsChannel(discord, client);
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder()
        .setCustomId('approve:1')
        .setLabel('Approve')
        .setStyle(ButtonStyle.Success),
    );

    const sent = await ops.send({
      content: 'Proposal',
      embeds: [new EmbedBuilder().setTitle('Scale api to 3').setColor(0x2f855a)],
      components: [row],
    });
    await sent.edit({ content: 'Proposal (approved)' });
    const reply = await sent.reply('Done.');
    const thread = await sent.startThread({ name: 'proposal 1' });
    await thread.send('Working on it in here.');
    // discord.js refuses a second thread itself once it saw the first; ask the API directly.
    const again = await apiError(
      client.rest.post(Routes.threads(ops.id, sent.id), { body: { name: 'again' } }),
    );
    const tooLong = await apiError(ops.send('x'.repeat(2001)));
    const log = await ops.send({
      files: [{ attachment: Buffer.from('OOMKilled'), name: 'pod.log' }],
    });

    const [shown] = discord.messages(ops.id);
    expect(shown).toMatchObject({
      id: sent.id,
      author_id: discord.botUserId,
      content: 'Proposal (approved)',
      embeds: [{ title: 'Scale api to 3', color: 0x2f855a }],
      components: [
        { type: 1, components: [{ type: 2, custom_id: 'approve:1', label: 'Approve' }] },
      ],
      thread_id: sent.id,
    });
    expect(shown?.edits.map((e) => e.content)).toEqual(['Proposal']);
    expect(discord.messages(ops.id)[1]?.message_reference?.message_id).toBe(sent.id);
    expect(reply.reference?.messageId).toBe(sent.id);
    expect(thread.id).toBe(sent.id);
    expect(sent.hasThread).toBe(true);
    expect(discord.threads).toEqual([
      { id: sent.id, parentId: ops.id, name: 'proposal 1', archived: false, locked: false },
    ]);
    expect(discord.messages(thread.id).map((m) => m.content)).toEqual(['Working on it in here.']);
    expect(again.code).toBe(160004);
    expect(tooLong.code).toBe(50035);
    expect(tooLong.message).toContain('content[BASE_TYPE_MAX_LENGTH]');
    expect(log.attachments.first()?.name).toBe('pod.log');
    expect(discord.messages(ops.id).at(-1)?.attachments).toMatchObject([
      { filename: 'pod.log', size: 9 },
    ]);
  });

  it('changes threads as people do: deleted, archived (a send reopens it, an edit needs it reopened), locked', async () => {
    const { discord, client } = await connect({ botManagesThreads: false });
    const ops = opsChannel(discord, client);
    const post = (channel: string, content: string) =>
      client.rest.post(Routes.channelMessages(channel), { body: { content } }) as Promise<{
        id: string;
      }>;
    const [first, second, third, fourth] = [
      await ops.send('first'),
      await ops.send('second'),
      await ops.send('third'),
      await ops.send('fourth'),
    ];
    for (const root of [first, second, third, fourth])
      await client.rest.post(Routes.threads(ops.id, root.id), { body: { name: root.content } });
    const inSecond = await post(second.id, 'in the second thread');

    discord.deleteMessage(ops.id, first.id);
    const orphaned = await post(first.id, 'the thread outlives its message');
    discord.deleteThread(first.id);
    const deleted = await apiError(post(first.id, 'too late'));
    discord.deleteThread(fourth.id);
    const restart = await apiError(
      client.rest.post(Routes.threads(ops.id, fourth.id), { body: { name: 'again' } }),
    );
    discord.archiveThread(second.id);
    const edit = await apiError(
      client.rest.patch(Routes.channelMessage(second.id, inSecond.id), { body: { content: 'x' } }),
    );
    const reopenedBySend = await post(second.id, 'sending reopens it');
    discord.archiveThread(second.id);
    await client.rest.patch(Routes.channel(second.id), { body: { archived: false } });
    await client.rest.patch(Routes.channelMessage(second.id, inSecond.id), {
      body: { content: 'edited once reopened' },
    });
    discord.archiveThread(third.id, { locked: true });
    const lockedSend = await apiError(post(third.id, 'no'));
    const lockedReopen = await apiError(
      client.rest.patch(Routes.channel(third.id), { body: { archived: false } }),
    );

    expect(orphaned.id).toBeDefined();
    expect([deleted.code, deleted.status, restart.code]).toEqual([10003, 404, 160004]);
    expect([edit.code, lockedSend.code, lockedSend.status, lockedReopen.code]).toEqual([
      50083, 50083, 403, 50013,
    ]);
    expect(reopenedBySend.id).toBeDefined();
    expect(discord.messages(second.id).map((m) => m.content)).toEqual([
      'edited once reopened',
      'sending reopens it',
    ]);
    expect(discord.threads.map((t) => [t.id, t.archived, t.locked])).toEqual([
      [second.id, false, false],
      [third.id, true, true],
    ]);
    expect(discord.messages(ops.id).map((m) => m.content)).toEqual(['second', 'third', 'fourth']);
  });

  it('answers a post that repeats a recent nonce with the message it made, when told to enforce it', async () => {
    const { discord, client } = await connect();
    const channel = discord.channels.ops;
    const send = (body: Record<string, unknown>) =>
      client.rest.post(Routes.channelMessages(channel), { body }) as Promise<{ id: string }>;

    const first = await send({ content: 'once', nonce: 'delivery-1', enforce_nonce: true });
    const retry = await send({ content: 'once', nonce: 'delivery-1', enforce_nonce: true });
    const unenforced = await send({ content: 'twice', nonce: 'delivery-1' });
    const tooLong = await apiError(send({ content: 'x', nonce: 'n'.repeat(26) }));

    expect(retry.id).toBe(first.id);
    expect(unenforced.id).not.toBe(first.id);
    expect(tooLong.code).toBe(50035);
    expect(discord.messages(channel).map((m) => m.content)).toEqual(['once', 'twice']);
  });

  it('registers slash commands, and answers one run with reply() within the deadline', async () => {
    const { discord, client } = await connect();
    await client.application?.commands.set([
      {
        name: 'coxswain',
        description: 'Ask Coxswain',
        options: [
          {
            type: 1,
            name: 'ask',
            description: 'Ask a question',
            options: [{ type: 3, name: 'question', description: 'The question', required: true }],
          },
        ],
      },
    ]);
    const userId = discord.addUser('bob');
    const runs = next(client, 'interactionCreate', (i) => i.isChatInputCommand());

    const run = discord.runCommand({
      channelId: discord.channels.ops,
      userId,
      name: 'coxswain',
      subcommand: 'ask',
      options: { question: 'why?' },
    });
    const [interaction] = await runs;
    if (!interaction.isChatInputCommand()) throw new Error('expected a slash command');
    await interaction.reply({ content: `You asked: ${interaction.options.getString('question')}` });
    const response = await discord.interactionResponse(run.id);
    const twice = await fetch(
      `${discord.apiUrl}/v10/interactions/${run.id}/${run.token}/callback`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 4, data: { content: 'again' } }),
      },
    );

    expect(discord.commands).toMatchObject([
      { name: 'coxswain', application_id: discord.applicationId },
    ]);
    expect(interaction.commandId).toBe(discord.commands[0]?.id);
    expect(interaction.options.getSubcommand()).toBe('ask');
    expect(response.type).toBe(4);
    expect(response.ms).toBeLessThan(3000);
    expect(discord.messages(discord.channels.ops).at(-1)?.content).toBe('You asked: why?');
    expect(twice.status).toBe(400);
    expect(await twice.json()).toMatchObject({ code: 40060 });
  });

  it('fills a deferred reply through the webhook: editReply() on @original, then a follow-up', async () => {
    const { discord, client } = await connect();
    await client.application?.commands.set([{ name: 'coxswain', description: 'Ask Coxswain' }]);
    const runs = next(client, 'interactionCreate', (i) => i.isChatInputCommand());

    const run = discord.runCommand({
      channelId: discord.channels.ops,
      userId: discord.addUser('frank'),
      name: 'coxswain',
    });
    const [interaction] = await runs;
    if (!interaction.isChatInputCommand()) throw new Error('expected a slash command');
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const thinking = discord.messages(discord.channels.ops).at(-1);
    await interaction.editReply('Looked into it.');
    const fetched = await interaction.fetchReply();
    await interaction.followUp('One more thing.');

    expect((await discord.interactionResponse(run.id)).type).toBe(5);
    expect(thinking?.flags).toBe(MessageFlags.Loading | MessageFlags.Ephemeral);
    expect(fetched.content).toBe('Looked into it.');
    expect(
      discord.messages(discord.channels.ops).map((m) => [m.content, m.ephemeral, m.flags]),
    ).toEqual([
      ['Looked into it.', true, MessageFlags.Ephemeral],
      ['One more thing.', false, 0],
    ]);
  });

  it('answers a button click with deferUpdate() and an ephemeral followUp()', async () => {
    const { discord, client } = await connect();
    const ops = opsChannel(discord, client);
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder()
        .setCustomId('approve:7')
        .setLabel('Approve')
        .setStyle(ButtonStyle.Primary),
    );
    const proposal = await ops.send({ content: 'Restart api?', components: [row] });
    const approver = discord.addUser('carol', [discord.roles.approver]);
    const clicks = next(client, 'interactionCreate', (i) => i.isButton());

    const click = discord.clickButton({
      channelId: ops.id,
      messageId: proposal.id,
      customId: 'approve:7',
      userId: approver,
    });
    const [interaction] = await clicks;
    if (!interaction.isButton() || !interaction.inCachedGuild())
      throw new Error('expected a button');
    await interaction.deferUpdate();
    await interaction.followUp({ content: 'Approved.', flags: MessageFlags.Ephemeral });
    const response = await discord.interactionResponse(click.id);

    expect(interaction.customId).toBe('approve:7');
    expect(interaction.message.id).toBe(proposal.id);
    expect(interaction.member.roles.cache.has(discord.roles.approver)).toBe(true);
    expect(response).toMatchObject({ type: 6 });
    expect(response.ms).toBeLessThan(3000);
    expect(discord.messages(ops.id).at(-1)).toMatchObject({
      content: 'Approved.',
      ephemeral: true,
    });
    expect(discord.requests.at(-1)?.path).toBe(`/webhooks/${discord.applicationId}/${click.token}`);
  });

  it('answers 10062 Unknown interaction to a callback after the deadline', async () => {
    const { discord, client } = await connect({ interactionDeadlineMs: 50 });
    const ops = opsChannel(discord, client);
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setCustomId('late').setLabel('Late').setStyle(ButtonStyle.Secondary),
    );
    const message = await ops.send({ content: 'Slow', components: [row] });
    const clicks = next(client, 'interactionCreate', (i) => i.isButton());

    discord.clickButton({
      channelId: ops.id,
      messageId: message.id,
      customId: 'late',
      userId: discord.addUser('dan'),
    });
    const [interaction] = await clicks;
    if (!interaction.isButton()) throw new Error('expected a button');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const late = await apiError(interaction.deferUpdate());

    expect(late.code).toBe(10062);
    expect(() =>
      discord.clickButton({
        channelId: ops.id,
        messageId: message.id,
        customId: 'nope',
        userId: '1',
      }),
    ).toThrow('has no button nope');
  });

  it('answers 429 to a rate-limited route, which @discordjs/rest waits out and retries', async () => {
    const { discord, client } = await connect();
    const ops = opsChannel(discord, client);
    const limited = new Promise<RateLimitData>((resolve) =>
      client.rest.once(RESTEvents.RateLimited, resolve),
    );
    discord.rateLimit('POST /channels/:channel/messages', 1, 0.2);

    const started = Date.now();
    const sent = await ops.send('after the limit');
    const rateLimit = await limited;

    const posts = discord.requests.filter(
      (r) => r.method === 'POST' && r.path === `/channels/${ops.id}/messages`,
    );
    expect(posts.map((r) => r.status)).toEqual([429, 200]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(rateLimit.timeToReset).toBeGreaterThan(0);
    expect(discord.messages(ops.id).map((m) => m.id)).toEqual([sent.id]);
  });

  it('acknowledges heartbeats, and replays what a dropped connection missed when the client resumes', async () => {
    const { discord, client } = await connect({ heartbeatIntervalMs: 100 });
    const userId = discord.addUser('erin');
    await discord.waitFor((d) => d.heartbeats >= 3 && client.ws.ping >= 0);
    const missed = next(client, 'messageCreate', (m) => m.author.id === userId);

    discord.disconnect();
    discord.sendMessage({
      channelId: discord.channels.ops,
      userId,
      content: 'while you were away',
      mentionBot: true,
    });
    const [message] = await missed;

    expect(message.content).toContain('while you were away');
    expect(discord.resumes).toBe(1);
    expect(discord.identifies).toBe(1);
  });

  it('answers unknown routes 404 and records them, so a test sees what was asked', async () => {
    const server = await FakeDiscord.start();
    discord = server;

    const response = await fetch(`${server.apiUrl}/v10/guilds/1/emojis`, {
      headers: { authorization: `Bot ${server.token}` },
    });

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: '404: Not Found', code: 0 });
    expect(server.requests).toMatchObject([
      { method: 'GET', path: '/guilds/1/emojis', status: 404 },
    ]);
  });

  it('ends a connected session for good on close(), so discord.js does not reconnect', async () => {
    const { discord: server, client } = await connect();
    const disconnected = next(client, 'shardDisconnect', () => true);

    await server.close();
    discord = undefined;
    const [event] = await disconnected;

    expect(event.code).toBe(4004);
  });
});
