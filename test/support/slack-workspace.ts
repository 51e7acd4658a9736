import {
  APP_ID,
  BOT_ID,
  BOT_NAME,
  BOT_USER_ID,
  messageTs,
  TEAM_DOMAIN,
  TEAM_ID,
} from './slack-payloads.ts';

/**
 * What the fake Slack workspace holds and how its Web API methods change it: the messages the
 * bot posted, updated or was told to post through a `response_url`. Authentication, rate limits
 * and transport are `FakeSlack`'s; here a method gets its arguments and answers in Slack's shape.
 */
export type PostedMessage = {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown[];
  /** The author; ephemeral messages are the bot's too, shown only to `ephemeralTo`. */
  user: string;
  ephemeralTo?: string;
  /** `tombstone`: a deleted message that had replies; they stay in its thread. */
  subtype?: 'tombstone';
  edits: number;
};

export type ApiResult = { ok: boolean; [key: string]: unknown };

/** Where a `response_url` came from, so what is posted to it lands in the right place. */
export type ResponseContext = {
  channel: string;
  user: string;
  messageTs?: string;
  threadTs?: string;
};

type Args = Record<string, unknown>;

export class SlackWorkspace {
  readonly #messages: (PostedMessage & { deleted: boolean })[] = [];
  /** User groups by id, with their members: `usergroups.list` answers from here. */
  readonly userGroups = new Map<string, string[]>();

  posted(channel?: string): PostedMessage[] {
    return this.#messages
      .filter((m) => !m.deleted && (channel === undefined || m.channel === channel))
      .map(({ deleted: _deleted, ...message }) => structuredClone(message));
  }

  /**
   * Deletes a message as a person does (its author, or an admin): it leaves the channel, except
   * that a message with replies stays as a "This message was deleted." tombstone holding them.
   * Whoever edits it after gets `message_not_found`, and a reply to it with no tombstone left is
   * posted in the channel, as Slack does (it does not refuse it). A person's message the
   * workspace never stored (one a test sent as an event) can be deleted too. False when the
   * message was deleted already.
   */
  delete(channel: string, ts: string): boolean {
    const replies = this.#messages.some(
      (m) => !m.deleted && m.channel === channel && m.thread_ts === ts && m.ts !== ts,
    );
    const message =
      this.#messages.find((m) => m.channel === channel && m.ts === ts) ??
      this.#store({ channel, ts, text: '', user: 'U0PERSON', edits: 0 });
    if (message.deleted || message.subtype === 'tombstone') return false;
    if (!replies) {
      message.deleted = true;
      return true;
    }
    message.subtype = 'tombstone';
    message.text = 'This message was deleted.';
    delete message.blocks;
    return true;
  }

  /** Answers a bot-token method; `undefined` when the workspace has no such method. */
  answer(method: string, args: Args): ApiResult | undefined {
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: `https://${TEAM_DOMAIN}.slack.com/`,
          team: 'Coxswain Test',
          user: BOT_NAME,
          team_id: TEAM_ID,
          user_id: BOT_USER_ID,
          bot_id: BOT_ID,
          is_enterprise_install: false,
        };
      case 'chat.postMessage':
        return this.#postMessage(args);
      case 'chat.update':
        return this.#update(args);
      case 'chat.postEphemeral':
        return this.#postEphemeral(args);
      case 'usergroups.list':
        return {
          ok: true,
          usergroups: [...this.userGroups].map(([id, users]) => ({
            id,
            team_id: TEAM_ID,
            handle: id.toLowerCase(),
            ...(args.include_users === true || args.include_users === 'true' ? { users } : {}),
          })),
        };
      default:
        return undefined;
    }
  }

  /** A POST to a `response_url`, with Slack's defaults: ephemeral unless told otherwise. */
  respond(context: ResponseContext, body: Args): ApiResult {
    const original = this.#find(context.channel, context.messageTs);
    if (flag(body.delete_original)) {
      if (original) original.deleted = true;
      return { ok: true };
    }
    if (flag(body.replace_original)) {
      if (!original) return { ok: false, error: 'message_not_found' };
      const next = content(body);
      original.text = next.text;
      if (next.blocks === undefined) delete original.blocks;
      else original.blocks = next.blocks;
      original.edits += 1;
      return { ok: true };
    }
    const threadTs = str(body.thread_ts) ?? context.threadTs;
    this.#store({
      channel: context.channel,
      ts: messageTs(),
      ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
      ...content(body),
      user: BOT_USER_ID,
      ...(body.response_type === 'in_channel' ? {} : { ephemeralTo: context.user }),
      edits: 0,
    });
    return { ok: true };
  }

  #postMessage(args: Args): ApiResult {
    const channel = str(args.channel);
    if (channel === undefined) return { ok: false, error: 'channel_not_found' };
    if (!hasContent(args)) return { ok: false, error: 'no_text' };
    const threadTs = this.#threadOf(channel, str(args.thread_ts));
    const message = this.#store({
      channel,
      ts: messageTs(),
      ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
      ...content(args),
      user: BOT_USER_ID,
      edits: 0,
    });
    return { ok: true, channel, ts: message.ts, message: asSlackMessage(message) };
  }

  /**
   * The thread a reply to `ts` joins: its parent's (a reply to a reply goes to the parent), or
   * none when that message was deleted, and Slack posts the reply in the channel instead. A
   * message the workspace never stored is a person's, sent to the app as an event: it is there.
   */
  #threadOf(channel: string, ts: string | undefined): string | undefined {
    if (ts === undefined) return undefined;
    const parent = this.#messages.find((m) => m.channel === channel && m.ts === ts);
    if (parent === undefined) return ts;
    return parent.deleted ? undefined : (parent.thread_ts ?? parent.ts);
  }

  #update(args: Args): ApiResult {
    const channel = str(args.channel);
    if (channel === undefined) return { ok: false, error: 'channel_not_found' };
    const message = this.#find(channel, str(args.ts));
    if (!message || message.ephemeralTo !== undefined || message.subtype === 'tombstone') {
      return { ok: false, error: 'message_not_found' };
    }
    if (!hasContent(args)) return { ok: false, error: 'no_text' };
    // As Slack does: text left out keeps the old text, blocks left out keep the old blocks, and
    // an empty blocks array removes them.
    const text = str(args.text);
    if (text !== undefined) message.text = text;
    if (Array.isArray(args.blocks)) {
      if (args.blocks.length === 0) delete message.blocks;
      else message.blocks = args.blocks;
    }
    message.edits += 1;
    return {
      ok: true,
      channel,
      ts: message.ts,
      text: message.text,
      message: { ...asSlackMessage(message), edited: { user: BOT_USER_ID, ts: messageTs() } },
    };
  }

  #postEphemeral(args: Args): ApiResult {
    const channel = str(args.channel);
    if (channel === undefined) return { ok: false, error: 'channel_not_found' };
    const user = str(args.user);
    if (user === undefined) return { ok: false, error: 'user_not_in_channel' };
    if (!hasContent(args)) return { ok: false, error: 'no_text' };
    const threadTs = str(args.thread_ts);
    const message = this.#store({
      channel,
      ts: messageTs(),
      ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
      ...content(args),
      user: BOT_USER_ID,
      ephemeralTo: user,
      edits: 0,
    });
    return { ok: true, message_ts: message.ts };
  }

  #store(message: PostedMessage): PostedMessage & { deleted: boolean } {
    const stored = { ...message, deleted: false };
    this.#messages.push(stored);
    return stored;
  }

  #find(channel: string, ts: string | undefined) {
    if (ts === undefined) return undefined;
    return this.#messages.find((m) => !m.deleted && m.channel === channel && m.ts === ts);
  }
}

function asSlackMessage(message: PostedMessage) {
  return {
    user: message.user,
    type: 'message',
    ts: message.ts,
    bot_id: BOT_ID,
    app_id: APP_ID,
    text: message.text,
    team: TEAM_ID,
    ...(message.thread_ts === undefined
      ? {}
      : { thread_ts: message.thread_ts, parent_user_id: message.user }),
    ...(message.blocks === undefined ? {} : { blocks: message.blocks }),
    ...(message.subtype === undefined ? {} : { subtype: message.subtype }),
  };
}

function content(args: Args): { text: string; blocks?: unknown[] } {
  const text = str(args.text) ?? '';
  return Array.isArray(args.blocks) ? { text, blocks: args.blocks } : { text };
}

function hasContent(args: Args): boolean {
  return (
    (str(args.text) ?? '') !== '' || Array.isArray(args.blocks) || Array.isArray(args.attachments)
  );
}

function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** Form bodies carry booleans as strings. */
function flag(value: unknown): boolean {
  return value === true || value === 'true';
}
