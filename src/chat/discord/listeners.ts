import type {
  ButtonInteraction,
  ChatInputCommandInteraction,
  Client,
  Interaction,
  Message,
} from 'discord.js';
import { Events, MessageFlags } from 'discord.js';
import type { Logger } from '../../observability/logger.ts';
import type { InputOutcome } from '../inbound.ts';
import type { ChatMessageInput } from '../message.ts';
import { postToChat } from '../post-to-chat.ts';
import { redactMessage } from '../redact-message.ts';
import { commandText } from './commands.ts';
import type { DiscordDeps } from './discord-app.ts';
import { escapeDiscord } from './markdown.ts';
import { parseCustomId, renderDiscord } from './render.ts';
import { threadName } from './threads.ts';

/** What every handler of a Discord input works with. */
type Inputs = { client: Client; deps: DiscordDeps; log: Logger };

/** Mentions, DMs, `/coxswain` and button clicks, handed to the bot's inbound handlers. */
export function listenForInputs(client: Client, deps: DiscordDeps, log: Logger) {
  const inputs: Inputs = { client, deps, log };
  client.on(Events.MessageCreate, (message) => {
    onMessage(inputs, message).catch((error: unknown) =>
      log.error({ err: error }, 'discord message not handled'),
    );
  });
  client.on(Events.InteractionCreate, (interaction) => {
    onInteraction(inputs, interaction).catch((error: unknown) =>
      log.error({ err: error }, 'discord interaction not handled'),
    );
  });
  client.on(Events.Error, (error) => log.error({ err: error }, 'discord client error'));
}

async function onMessage({ client, deps, log }: Inputs, message: Message) {
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
  if (outcome.kind === 'reply')
    await postToChat(deps.outbox, {
      kind: 'reply',
      key: ['discord', message.id],
      channel: `discord:${channel}`,
      message: outcome.message,
      thread,
    });
}

async function onInteraction(inputs: Inputs, interaction: Interaction) {
  if (interaction.isChatInputCommand() && interaction.commandName === inputs.deps.slashCommand.name)
    return onCommand(inputs, interaction);
  if (interaction.isButton()) return onButton(inputs, interaction);
}

async function onCommand(inputs: Inputs, interaction: ChatInputCommandInteraction) {
  const { deps } = inputs;
  deps.onInput?.('command');
  const { channel, thread } = await place(interaction.channel, interaction.channelId, undefined);
  await answerWithin(
    inputs,
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

async function onButton(inputs: Inputs, interaction: ButtonInteraction) {
  const { deps } = inputs;
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
    inputs,
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
  { deps, log }: Inputs,
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
