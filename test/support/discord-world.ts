import type { Component, Embed } from './discord-bodies.ts';
import { snowflake } from './discord-ids.ts';

/**
 * What the local Discord knows: one guild with its text channels, roles and members, the threads
 * and DM channels opened since, and every message with its earlier versions. discord-payloads.ts
 * turns it into what Discord puts on the wire.
 */
export type ChannelState =
  | { kind: 'text'; id: string; name: string; position: number }
  | {
      kind: 'thread';
      id: string;
      name: string;
      parentId: string;
      ownerId: string;
      type: 11 | 12;
      autoArchiveMinutes: number;
      createdAt: number;
      messageCount: number;
      /** Out of the channel list; sending a message reopens it unless it is locked. */
      archived: boolean;
      /** Shut by a moderator: only Manage Threads may write in it or reopen it. */
      locked: boolean;
      archivedAt: number;
    }
  | { kind: 'dm'; id: string; userId: string };

export type MessageVersion = {
  content: string;
  embeds: Embed[];
  components: Component[];
  editedAt: number;
};

export type Attachment = {
  id: string;
  filename: string;
  size: number;
  content_type: string;
  url: string;
  proxy_url: string;
};

export type MessageState = {
  id: string;
  channelId: string;
  authorId: string;
  content: string;
  embeds: Embed[];
  components: Component[];
  attachments: Attachment[];
  flags: number;
  type: number;
  createdAt: number;
  editedAt: number | null;
  reference: { message_id: string; channel_id: string; guild_id?: string } | undefined;
  /** What the sender passed to tell a retry of its post from a new one. */
  nonce: string | undefined;
  mentionIds: string[];
  threadId: string | undefined;
  webhookId: string | undefined;
  interaction: { id: string; type: number; userId: string; name: string | undefined } | undefined;
  edits: MessageVersion[];
  deleted: boolean;
};

export type User = {
  id: string;
  username: string;
  discriminator: string;
  global_name: string | null;
  avatar: string | null;
  bot?: boolean;
};

type UserState = { user: User; roles: string[]; joinedAt: number };

/** Permission bits, as Discord numbers them. */
const perm = {
  Administrator: 1n << 3n,
  AddReactions: 1n << 6n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  ManageMessages: 1n << 13n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  UseApplicationCommands: 1n << 31n,
  ManageThreads: 1n << 34n,
  CreatePublicThreads: 1n << 35n,
  SendMessagesInThreads: 1n << 38n,
};
export const everyonePermissions =
  perm.AddReactions |
  perm.ViewChannel |
  perm.SendMessages |
  perm.EmbedLinks |
  perm.AttachFiles |
  perm.ReadMessageHistory |
  perm.UseApplicationCommands |
  perm.CreatePublicThreads |
  perm.SendMessagesInThreads;
export const botPermissions = everyonePermissions | perm.ManageMessages | perm.ManageThreads;

/** How long Discord holds a nonce to a message: "the past few minutes". */
const NONCE_WINDOW_MS = 5 * 60_000;

export const MessageFlag = { HasThread: 32, Ephemeral: 64, Loading: 128 } as const;
export const Intent = {
  Guilds: 1 << 0,
  GuildMessages: 1 << 9,
  DirectMessages: 1 << 12,
  MessageContent: 1 << 15,
} as const;

export class DiscordWorld {
  readonly botUserId = snowflake();
  /** The same as the bot's user id, as it is for every application made since 2016. */
  readonly applicationId = this.botUserId;
  readonly guildId = snowflake();
  readonly guildName = 'Coxswain Test Guild';
  readonly ownerId = snowflake();
  readonly botRoleId = snowflake();
  readonly approverRoleId = snowflake();
  readonly createdAt = Date.now();
  readonly channels = new Map<string, ChannelState>();
  readonly messages = new Map<string, MessageState>();
  readonly #users = new Map<string, UserState>();
  readonly #listeners = new Set<() => void>();
  /** Whether the bot's role has Manage Threads (README's invite leaves it out). */
  readonly botManagesThreads: boolean;

  constructor(channelNames: readonly string[], botName: string, botManagesThreads = true) {
    this.botManagesThreads = botManagesThreads;
    this.#users.set(this.botUserId, {
      user: {
        id: this.botUserId,
        username: botName,
        discriminator: '0427',
        global_name: null,
        avatar: null,
        bot: true,
      },
      roles: [this.botRoleId],
      joinedAt: this.createdAt,
    });
    this.addUser('guild-owner', [], this.ownerId);
    channelNames.forEach((name, position) => {
      const id = snowflake();
      this.channels.set(id, { kind: 'text', id, name, position });
    });
  }

  /** Calls `listener` after every change a test might wait for; returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  changed(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  addUser(username: string, roles: string[] = [], id = snowflake()): string {
    this.#users.set(id, {
      user: { id, username, discriminator: '0', global_name: username, avatar: null },
      roles,
      joinedAt: Date.now(),
    });
    return id;
  }

  /** A user the test named by id only gets a plain member, created on first use. */
  userState(id: string): UserState {
    const known = this.#users.get(id);
    if (known !== undefined) return known;
    this.addUser(`user-${id.slice(-4)}`, [], id);
    return this.userState(id);
  }

  user(id: string): User {
    return this.userState(id).user;
  }

  /** The member's permissions in the guild, as interactions carry them (a decimal string). */
  permissions(roles: readonly string[], userId: string): string {
    if (userId === this.ownerId) return (everyonePermissions | perm.Administrator).toString();
    return (roles.includes(this.botRoleId) ? botPermissions : everyonePermissions).toString();
  }

  botPermissions(): string {
    return this.botRolePermissions().toString();
  }

  botRolePermissions(): bigint {
    return this.botManagesThreads ? botPermissions : botPermissions & ~perm.ManageThreads;
  }

  /** A message the channel still shows. */
  liveMessage(channelId: string, messageId: string): MessageState | undefined {
    const message = this.messages.get(messageId);
    return message === undefined || message.deleted || message.channelId !== channelId
      ? undefined
      : message;
  }

  /** A thread by id, if it is still there. */
  thread(id: string): Extract<ChannelState, { kind: 'thread' }> | undefined {
    const channel = this.channels.get(id);
    return channel?.kind === 'thread' ? channel : undefined;
  }

  /**
   * Deletes a thread and every message in it; the message it was started from stays, and since
   * a message can have only one thread started from it, another cannot be.
   */
  deleteThread(id: string): Extract<ChannelState, { kind: 'thread' }> | undefined {
    const thread = this.thread(id);
    if (thread === undefined) return undefined;
    this.channels.delete(id);
    for (const message of this.messages.values())
      if (message.channelId === id) message.deleted = true;
    return thread;
  }

  /** The bot's message with this nonce, made within the last few minutes, if there is one. */
  recentByNonce(nonce: string): MessageState | undefined {
    const since = Date.now() - NONCE_WINDOW_MS;
    for (const message of this.messages.values())
      if (
        message.nonce === nonce &&
        message.authorId === this.botUserId &&
        message.createdAt > since
      )
        return message;
    return undefined;
  }

  dmChannelFor(userId: string): ChannelState {
    for (const channel of this.channels.values()) {
      if (channel.kind === 'dm' && channel.userId === userId) return channel;
    }
    const channel: ChannelState = { kind: 'dm', id: snowflake(), userId };
    this.channels.set(channel.id, channel);
    return channel;
  }

  /** The guild a channel belongs to, or undefined for a DM. */
  guildOf(channelId: string): string | undefined {
    return this.channels.get(channelId)?.kind === 'dm' ? undefined : this.guildId;
  }

  lastMessageId(channelId: string): string | null {
    let last: string | null = null;
    for (const message of this.messages.values()) {
      const shown = !message.deleted && (message.flags & MessageFlag.Ephemeral) === 0;
      if (message.channelId === channelId && shown) last = message.id;
    }
    return last;
  }

  channelType(channelId: string): number {
    const channel = this.channels.get(channelId);
    if (channel === undefined) return 0;
    return channel.kind === 'thread' ? channel.type : channel.kind === 'dm' ? 1 : 0;
  }

  newMessage(
    fields: Partial<MessageState> & { channelId: string; authorId: string },
  ): MessageState {
    const message: MessageState = {
      id: snowflake(),
      content: '',
      embeds: [],
      components: [],
      attachments: [],
      flags: 0,
      type: 0,
      createdAt: Date.now(),
      editedAt: null,
      reference: undefined,
      nonce: undefined,
      mentionIds: [],
      threadId: undefined,
      webhookId: undefined,
      interaction: undefined,
      edits: [],
      deleted: false,
      ...fields,
    };
    this.messages.set(message.id, message);
    const channel = this.channels.get(message.channelId);
    if (channel?.kind === 'thread') channel.messageCount += 1;
    return message;
  }

  /** Applies the fields an edit names, keeping the version it replaces. */
  editMessage(
    message: MessageState,
    edit: {
      content?: string | null | undefined;
      embeds?: Embed[] | null | undefined;
      components?: Component[] | null | undefined;
    },
  ): void {
    message.edits.push({
      content: message.content,
      embeds: message.embeds,
      components: message.components,
      editedAt: Date.now(),
    });
    if (edit.content !== undefined) message.content = edit.content ?? '';
    if (edit.embeds !== undefined) message.embeds = edit.embeds ?? [];
    if (edit.components !== undefined) message.components = edit.components ?? [];
    message.editedAt = Date.now();
  }
}
