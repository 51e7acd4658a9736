import type { Gateway } from './discord-gateway.ts';
import * as wire from './discord-payloads.ts';
import {
  type ChannelState,
  type DiscordWorld,
  Intent,
  MessageFlag,
  type MessageState,
} from './discord-world.ts';

/**
 * The gateway events that follow a change, each sent only to sessions whose intents receive it.
 * Without MESSAGE_CONTENT, a guild message that neither mentions the bot nor comes from it
 * arrives with empty content, embeds, attachments and components, as Discord sends it.
 */
function has(intents: number, intent: number): boolean {
  return (intents & intent) === intent;
}

function visibleMessage(world: DiscordWorld, message: MessageState, intents: number) {
  if ((message.flags & MessageFlag.Ephemeral) !== 0) return undefined;
  const dm = world.guildOf(message.channelId) === undefined;
  if (!has(intents, dm ? Intent.DirectMessages : Intent.GuildMessages)) return undefined;
  const payload = wire.message(world, message, true);
  const readable =
    dm ||
    has(intents, Intent.MessageContent) ||
    message.authorId === world.botUserId ||
    message.mentionIds.includes(world.botUserId);
  return readable
    ? payload
    : { ...payload, content: '', embeds: [], attachments: [], components: [] };
}

export function publishCreate(world: DiscordWorld, gateway: Gateway, message: MessageState): void {
  gateway.dispatch('MESSAGE_CREATE', (intents) => visibleMessage(world, message, intents));
  world.changed();
}

export function publishUpdate(world: DiscordWorld, gateway: Gateway, message: MessageState): void {
  gateway.dispatch('MESSAGE_UPDATE', (intents) => visibleMessage(world, message, intents));
  world.changed();
}

export function publishDelete(world: DiscordWorld, gateway: Gateway, message: MessageState): void {
  const guildId = world.guildOf(message.channelId);
  gateway.dispatch('MESSAGE_DELETE', (intents) =>
    has(intents, guildId === undefined ? Intent.DirectMessages : Intent.GuildMessages)
      ? { id: message.id, channel_id: message.channelId, ...(guildId ? { guild_id: guildId } : {}) }
      : undefined,
  );
  world.changed();
}

export function publishThread(world: DiscordWorld, gateway: Gateway, thread: ChannelState): void {
  gateway.dispatch('THREAD_CREATE', (intents) =>
    has(intents, Intent.Guilds)
      ? { ...wire.channel(world, thread), newly_created: true }
      : undefined,
  );
  world.changed();
}

export function publishThreadUpdate(
  world: DiscordWorld,
  gateway: Gateway,
  thread: ChannelState,
): void {
  gateway.dispatch('THREAD_UPDATE', (intents) =>
    has(intents, Intent.Guilds) ? wire.channel(world, thread) : undefined,
  );
  world.changed();
}

export function publishThreadDelete(
  world: DiscordWorld,
  gateway: Gateway,
  thread: Extract<ChannelState, { kind: 'thread' }>,
): void {
  gateway.dispatch('THREAD_DELETE', (intents) =>
    has(intents, Intent.Guilds)
      ? { id: thread.id, guild_id: world.guildId, parent_id: thread.parentId, type: thread.type }
      : undefined,
  );
  world.changed();
}
