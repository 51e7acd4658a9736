import type { Queue } from 'bullmq';
import {
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  Client,
  Events,
  GatewayIntentBits,
  type Interaction,
  type Message,
  MessageFlags,
  Partials,
  REST,
  Routes,
} from 'discord.js';
import type { Logger } from '../../observability/logger.ts';
import { OutboxJob } from '../../queue/jobs.ts';
import type { ChatAdapter } from '../adapter.ts';
import type { InboundHandlers, InputOutcome } from '../inbound.ts';
import { type ChatMessageInput, fitMessage } from '../message.ts';
import type { MessageRefs } from '../message-refs.ts';
import { redactMessage } from '../redact-message.ts';
import { commandText, registrationBody, type SlashCommand } from './commands.ts';
import { discordAdapter, threadName } from './discord-adapter.ts';
import { escapeDiscord } from './markdown.ts';
import { parseCustomId, renderDiscord } from './render.ts';

/**
 * Discord through discord.js: the gateway with the three intents it needs (no privileged ones:
 * a bot sees the text of messages that mention it and of DMs without Message Content), the
 * `/coxswain` command registered at start, buttons, and answers in a thread on the message that
 * asked. Every interaction is answered within Discord's three seconds: at once when the work is
 * quick, deferred when it is not.
 */
export type DiscordOptions = {
  token: string;
  guildId: string | undefined;
  apiUrl: string | undefined;
};

export type DiscordDeps = {
  handlers: InboundHandlers;
  outbox: Queue<OutboxJob>;
  refs: MessageRefs;
  log: Logger;
  /** `/coxswain`'s subcommands and options, as the grammar defines them. */
  slashCommand: SlashCommand;
  onInput?: (kind: 'mention' | 'dm' | 'command' | 'click') => void;
  /** How long an interaction may take before it is deferred; Discord allows 3 s in all. */
  deferAfterMs?: number;
};

export type Discord = {
  adapter: ChatAdapter;
  client: Client;
  start(): Promise<void>;
  stop(): Promise<void>;
};

export function createDiscord(options: DiscordOptions, deps: DiscordDeps): Discord {
  const log = deps.log.child({ platform: 'discord' });
  const api = options.apiUrl === undefined ? {} : { api: options.apiUrl };
  const client = new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.DirectMessages,
    ],
    partials: [Partials.Channel],
    rest: api,
    // Every reply and follow-up the gateway client sends pings no one, whatever its text holds.
    allowedMentions: { parse: [] },
  });
  // The outbox's own REST client hands a 429 back instead of waiting in a delivery slot.
  const outboxRest = new REST({ ...api, rejectOnRateLimit: () => true }).setToken(options.token);
  const post = (channel: string, message: ChatMessageInput, jobId: string, thread?: string) =>
    deps.outbox.add(
      'reply',
      OutboxJob.parse({
        channel: `discord:${channel}`,
        message: fitMessage(message),
        ...(thread === undefined ? {} : { thread }),
      }),
      { jobId: `reply.discord.${jobId}` },
    );

  client.on(Events.MessageCreate, (message) => {
    onMessage(message).catch((error: unknown) =>
      log.error({ err: error }, 'discord message not handled'),
    );
  });
  client.on(Events.InteractionCreate, (interaction) => {
    onInteraction(interaction).catch((error: unknown) =>
      log.error({ err: error }, 'discord interaction not handled'),
    );
  });
  client.on(Events.Error, (error) => log.error({ err: error }, 'discord client error'));

  async function onMessage(message: Message) {
    const botId = client.user?.id;
    if (message.author.bot || botId === undefined) return;
    const dm = message.guildId === null;
    if (!dm && !message.mentions.users.has(botId)) return;
    deps.onInput?.(dm ? 'dm' : 'mention');
    const { channel, thread } = await place(
      message.channel,
      message.channelId,
      dm ? undefined : message.id,
    );
    const text = message.content.replace(/^\s*(<@!?\d+>\s*)+/, '').trim();
    // The thread is named after the question; the answers that follow go in it.
    if (thread === message.id && !dm)
      await message.startThread({ name: threadName(text) }).catch((error: unknown) => {
        log.warn({ err: error }, 'discord thread not started; the first answer starts it');
      });
    const outcome = await deps.handlers.input({
      channel: `discord:${channel}`,
      requester: `discord:${message.author.id}`,
      text,
      messageId: message.id,
      thread,
      conversation: `discord:${channel}:${thread ?? 'dm'}`,
      addressed: true,
    });
    if (outcome.kind === 'reply') await post(channel, outcome.message, message.id, thread);
  }

  async function onInteraction(interaction: Interaction) {
    if (interaction.isChatInputCommand() && interaction.commandName === deps.slashCommand.name)
      return onCommand(interaction);
    if (interaction.isButton()) return onButton(interaction);
  }

  async function onCommand(interaction: ChatInputCommandInteraction) {
    deps.onInput?.('command');
    const { channel, thread } = await place(interaction.channel, interaction.channelId, undefined);
    await answerWithin(
      interaction,
      () =>
        deps.handlers.input({
          channel: `discord:${channel}`,
          requester: `discord:${interaction.user.id}`,
          text: commandText(interaction, deps.slashCommand),
          messageId: interaction.id,
          thread,
          addressed: true,
        }),
      async (outcome) => {
        await interaction.reply({ ...quickAnswer(outcome), flags: MessageFlags.Ephemeral });
      },
    );
  }

  async function onButton(interaction: ButtonInteraction) {
    const parsed = parseCustomId(interaction.customId);
    if (parsed === undefined) return;
    deps.onInput?.('click');
    // The answer goes in a thread on the message clicked (or the thread it is in); a DM or a
    // message only the clicker sees has no thread.
    const threadless =
      interaction.guildId === null || interaction.message.flags.has(MessageFlags.Ephemeral);
    const { channel, thread } = await place(
      interaction.channel,
      interaction.channelId,
      threadless ? undefined : interaction.message.id,
    );
    await answerWithin(
      interaction,
      () =>
        deps.handlers.click({
          channel: `discord:${channel}`,
          requester: `discord:${interaction.user.id}`,
          action: parsed.action,
          value: parsed.value,
          clickId: interaction.id,
          thread,
          memberOf: rolesOf(interaction),
        }),
      async (outcome) => {
        if (outcome.kind === 'reply')
          await interaction.reply({ ...payload(outcome.message), flags: MessageFlags.Ephemeral });
        else await interaction.deferUpdate();
      },
    );
  }

  /** Answers at once when the work is quick; otherwise defers first and edits the answer in. */
  async function answerWithin(
    interaction: ChatInputCommandInteraction | ButtonInteraction,
    work: () => Promise<InputOutcome>,
    quick: (outcome: InputOutcome) => Promise<void>,
  ) {
    let deferred: Promise<unknown> | undefined;
    const timer = setTimeout(() => {
      deferred = interaction.deferReply({ flags: MessageFlags.Ephemeral });
    }, deps.deferAfterMs ?? 2_000);
    let outcome: InputOutcome;
    try {
      outcome = await work();
    } catch (error) {
      log.error({ err: error }, 'discord input not queued');
      outcome = {
        kind: 'reply',
        message: { headline: 'I could not take that just now; please try again', tone: 'warning' },
      };
    } finally {
      clearTimeout(timer);
    }
    if (deferred === undefined) return quick(outcome);
    await deferred;
    await interaction.editReply(quickAnswer(outcome));
  }

  return {
    adapter: discordAdapter(outboxRest, deps.refs),
    client,
    async start() {
      const ready = new Promise<void>((resolve) =>
        client.once(Events.ClientReady, () => resolve()),
      );
      await client.login(options.token);
      await ready;
      const appId = client.application?.id ?? client.user?.id ?? '';
      await client.rest.put(
        options.guildId === undefined
          ? Routes.applicationCommands(appId)
          : Routes.applicationGuildCommands(appId, options.guildId),
        { body: registrationBody(deps.slashCommand) },
      );
      log.info({ user: client.user?.tag, guild: options.guildId }, 'discord connected');
    },
    async stop() {
      await client.destroy();
    },
  };
}

/**
 * The channel a binding names, and the thread within it: a thread's parent is the channel. A
 * thread discord.js has not cached comes without its parent, which is fetched.
 */
async function place(
  channel: Interaction['channel'] | Message['channel'],
  channelId: string | null,
  startFrom: string | undefined,
): Promise<{ channel: string; thread: string | undefined }> {
  if (channel?.isThread()) {
    const parentId = channel.parentId ?? (await channel.fetch()).parentId;
    if (parentId === null) throw new Error(`thread ${channel.id} has no parent channel`);
    return { channel: parentId, thread: channel.id };
  }
  return { channel: channelId ?? '', thread: startFrom };
}

/** The clicker's roles in the server, as approvers name them (`discord:role:<id>`). */
function rolesOf(interaction: ButtonInteraction): string[] {
  const roles = interaction.member?.roles;
  if (roles === undefined) return [];
  const ids = Array.isArray(roles) ? roles : [...roles.cache.keys()];
  return ids.map((id) => `discord:role:${id}`);
}

/** An interaction's answer skips the outbox, so it gets the outbox's redaction here. */
function payload(message: ChatMessageInput) {
  return renderDiscord(redactMessage(message));
}

/** What the person who typed or clicked sees at once. */
function quickAnswer(outcome: InputOutcome) {
  if (outcome.kind === 'reply') return payload(outcome.message);
  if (outcome.kind === 'queued')
    return {
      content: `Working on ${escapeDiscord(outcome.what)}; the answer will be posted here.`,
      embeds: [],
      components: [],
    };
  return { content: 'Try /coxswain help to see what I can do.', embeds: [], components: [] };
}
