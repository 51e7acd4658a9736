import { timestamp } from './discord-ids.ts';
import {
  type ChannelState,
  type DiscordWorld,
  everyonePermissions,
  type MessageState,
} from './discord-world.ts';

/**
 * The local Discord's state as Discord puts it on the wire: members, roles, channels, the guild
 * of GUILD_CREATE and messages, for REST answers and gateway events alike.
 */

/** The member object without its user, as MESSAGE_CREATE's `member` carries it. */
export function member(world: DiscordWorld, id: string, roles?: readonly string[]) {
  const state = world.userState(id);
  return {
    roles: [...(roles ?? state.roles)],
    nick: null,
    avatar: null,
    banner: null,
    joined_at: timestamp(state.joinedAt),
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: null,
  };
}

export function memberWithUser(world: DiscordWorld, id: string, roles?: readonly string[]) {
  return { ...member(world, id, roles), user: world.user(id) };
}

export function roles(world: DiscordWorld) {
  const role = (id: string, name: string, position: number, permissions: bigint) => ({
    id,
    name,
    description: null,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position,
    permissions: permissions.toString(),
    managed: id === world.botRoleId,
    mentionable: false,
    flags: 0,
    ...(id === world.botRoleId ? { tags: { bot_id: world.botUserId } } : {}),
  });
  return [
    role(world.guildId, '@everyone', 0, everyonePermissions),
    role(world.approverRoleId, 'approvers', 1, everyonePermissions),
    role(world.botRoleId, world.user(world.botUserId).username, 2, world.botRolePermissions()),
  ];
}

export function channel(world: DiscordWorld, state: ChannelState) {
  const last_message_id = world.lastMessageId(state.id);
  switch (state.kind) {
    case 'text':
      return {
        id: state.id,
        type: 0,
        guild_id: world.guildId,
        name: state.name,
        position: state.position,
        parent_id: null,
        topic: null,
        nsfw: false,
        rate_limit_per_user: 0,
        permission_overwrites: [],
        default_auto_archive_duration: 1440,
        flags: 0,
        last_message_id,
      };
    case 'thread':
      return {
        id: state.id,
        type: state.type,
        guild_id: world.guildId,
        parent_id: state.parentId,
        owner_id: state.ownerId,
        name: state.name,
        last_message_id,
        rate_limit_per_user: 0,
        message_count: state.messageCount,
        member_count: 1,
        total_message_sent: state.messageCount,
        flags: 0,
        thread_metadata: {
          archived: state.archived,
          auto_archive_duration: state.autoArchiveMinutes,
          archive_timestamp: timestamp(state.archivedAt),
          locked: state.locked,
          create_timestamp: timestamp(state.createdAt),
        },
      };
    case 'dm':
      return {
        id: state.id,
        type: 1,
        last_message_id,
        flags: 0,
        recipients: [world.user(state.userId)],
      };
  }
}

/** GUILD_CREATE: what discord.js needs to cache the guild with its channels, roles and members. */
export function guildCreate(world: DiscordWorld) {
  const channels = [...world.channels.values()];
  const members = [world.botUserId, world.ownerId].map((id) => memberWithUser(world, id));
  return {
    id: world.guildId,
    name: world.guildName,
    icon: null,
    icon_hash: null,
    splash: null,
    discovery_splash: null,
    banner: null,
    description: null,
    owner_id: world.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 1,
    explicit_content_filter: 0,
    mfa_level: 0,
    nsfw: false,
    nsfw_level: 0,
    features: [],
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    vanity_url_code: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    premium_progress_bar_enabled: false,
    preferred_locale: 'en-US',
    max_members: 500_000,
    max_video_channel_users: 25,
    hub_type: null,
    incidents_data: null,
    roles: roles(world),
    emojis: [],
    stickers: [],
    joined_at: timestamp(world.createdAt),
    large: false,
    unavailable: false,
    lazy: true,
    member_count: members.length,
    members,
    channels: channels.filter((c) => c.kind === 'text').map((c) => channel(world, c)),
    threads: channels.filter((c) => c.kind === 'thread').map((c) => channel(world, c)),
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

/**
 * A message as Discord sends it. Gateway events add `guild_id` and the author's `member` in a
 * guild; REST answers leave them out.
 */
export function message(world: DiscordWorld, message: MessageState, gateway: boolean) {
  const referenced =
    message.reference === undefined ? undefined : world.messages.get(message.reference.message_id);
  return {
    ...messageFields(world, message, gateway),
    ...(message.reference === undefined
      ? {}
      : {
          message_reference: { type: 0, ...message.reference },
          // Discord nests the replied-to message one level deep, never further.
          referenced_message:
            referenced === undefined ? null : messageFields(world, referenced, false),
        }),
  };
}

function messageFields(world: DiscordWorld, message: MessageState, gateway: boolean) {
  const guildId = world.guildOf(message.channelId);
  const thread = message.threadId === undefined ? undefined : world.channels.get(message.threadId);
  const mentions = message.mentionIds.map((id) =>
    gateway && guildId !== undefined
      ? { ...world.user(id), member: member(world, id) }
      : world.user(id),
  );
  return {
    id: message.id,
    type: message.type,
    channel_id: message.channelId,
    author: world.user(message.authorId),
    content: message.content,
    timestamp: timestamp(message.createdAt),
    edited_timestamp: message.editedAt === null ? null : timestamp(message.editedAt),
    tts: false,
    mention_everyone: false,
    mentions,
    mention_roles: [],
    attachments: message.attachments,
    embeds: message.embeds.map((embed) => ({ type: 'rich', ...embed })),
    components: message.components,
    pinned: false,
    flags: message.flags,
    ...(message.nonce === undefined ? {} : { nonce: message.nonce }),
    ...(message.webhookId === undefined
      ? {}
      : { webhook_id: message.webhookId, application_id: world.applicationId }),
    ...(message.interaction === undefined
      ? {}
      : {
          interaction_metadata: {
            id: message.interaction.id,
            type: message.interaction.type,
            user: world.user(message.interaction.userId),
            authorizing_integration_owners:
              guildId === undefined ? { '1': message.interaction.userId } : { '0': guildId },
            ...(message.interaction.name === undefined ? {} : { name: message.interaction.name }),
          },
        }),
    ...(thread === undefined ? {} : { thread: channel(world, thread) }),
    ...(gateway && guildId !== undefined
      ? { guild_id: guildId, member: member(world, message.authorId) }
      : {}),
    ...(gateway ? { channel_type: world.channelType(message.channelId) } : {}),
  };
}
