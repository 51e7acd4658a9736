import { DmBody, isEmptyMessage, MessageBody } from './discord-bodies.ts';
import { publishCreate, publishDelete, publishUpdate } from './discord-events.ts';
import type { Gateway } from './discord-gateway.ts';
import {
  errors,
  noContent,
  ok,
  param,
  type Reply,
  type Route,
  type RouteRequest,
  type UploadedFile,
} from './discord-http.ts';
import { snowflake } from './discord-ids.ts';
import * as wire from './discord-payloads.ts';
import { threadRefuses, threadRoutes } from './discord-thread-routes.ts';
import {
  type Attachment,
  type DiscordWorld,
  MessageFlag,
  type MessageState,
} from './discord-world.ts';

/** The REST routes for channels, their messages and threads, users and the gateway's address. */
export type Fake = { world: DiscordWorld; gateway: Gateway; gatewayUrl: () => string };

/** Flags a bot may set on a message it sends; the others are Discord's to set. */
const settableFlags = 4 | 4096 | 32768;
/** An interaction's answers may also be ephemeral. */
export const answerFlags = settableFlags | MessageFlag.Ephemeral;

function attachmentsFrom(files: UploadedFile[]): Attachment[] {
  return files.map((file) => {
    const id = snowflake();
    const url = `https://cdn.discordapp.com/attachments/${id}/${encodeURIComponent(file.name)}`;
    return {
      id,
      filename: file.name,
      size: file.size,
      content_type: file.contentType,
      url,
      proxy_url: url.replace('cdn.discordapp.com', 'media.discordapp.net'),
    };
  });
}

/** The users a message's text mentions as `<@id>` or `<@!id>`. */
export function mentionsIn(content: string): string[] {
  return [...new Set([...content.matchAll(/<@!?(\d{15,21})>/g)].map((m) => m[1] ?? ''))];
}

/** A message the bot creates from a validated body, in a channel or as an interaction's answer. */
export function botMessage(
  world: DiscordWorld,
  channelId: string,
  body: MessageBody,
  files: UploadedFile[],
  extra: Partial<MessageState> = {},
): MessageState {
  const content = body.content ?? '';
  return world.newMessage({
    channelId,
    authorId: world.botUserId,
    content,
    embeds: body.embeds ?? [],
    components: body.components ?? [],
    attachments: attachmentsFrom(files),
    flags: (body.flags ?? 0) & settableFlags,
    mentionIds: mentionsIn(content),
    ...extra,
  });
}

function postMessage(fake: Fake, request: RouteRequest): Reply {
  const { world, gateway } = fake;
  const channelId = param(request, 'channel');
  if (!world.channels.has(channelId)) return errors.unknownChannel();
  const parsed = MessageBody.safeParse(request.body);
  if (!parsed.success) return errors.invalidBody(parsed.error);
  const body = parsed.data;
  if (isEmptyMessage(body, request.files.length)) return errors.emptyMessage();
  const refused = threadRefuses(fake, channelId, 'send');
  if (refused !== undefined) return refused;
  // Sent again with the same nonce within minutes: the message it made, and no other.
  const nonce = body.nonce === undefined ? undefined : String(body.nonce);
  const earlier =
    nonce !== undefined && body.enforce_nonce === true ? world.recentByNonce(nonce) : undefined;
  if (earlier !== undefined) return ok(wire.message(world, earlier, false));
  let reference: MessageState['reference'];
  if (body.message_reference !== undefined) {
    const target = world.liveMessage(channelId, body.message_reference.message_id);
    if (target === undefined && body.message_reference.fail_if_not_exists !== false) {
      return {
        status: 400,
        body: {
          message: 'Invalid Form Body',
          code: 50035,
          errors: {
            message_reference: {
              _errors: [{ code: 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', message: 'Unknown message' }],
            },
          },
        },
      };
    }
    const guildId = world.guildOf(channelId);
    if (target !== undefined) {
      reference = {
        message_id: target.id,
        channel_id: channelId,
        ...(guildId === undefined ? {} : { guild_id: guildId }),
      };
    }
  }
  const message = botMessage(world, channelId, body, request.files, {
    reference,
    type: reference === undefined ? 0 : 19,
    nonce,
  });
  publishCreate(world, gateway, message);
  return ok(wire.message(world, message, false));
}

/** An edit of one of the bot's messages; shared with the webhook routes of interactions. */
export function editMessage(fake: Fake, message: MessageState, request: RouteRequest): Reply {
  const parsed = MessageBody.safeParse(request.body);
  if (!parsed.success) return errors.invalidBody(parsed.error);
  const body = parsed.data;
  const kept =
    body.attachments === undefined
      ? message.attachments
      : message.attachments.filter((a) => body.attachments?.some((b) => String(b.id) === a.id));
  const attachments = [...kept, ...attachmentsFrom(request.files)];
  const after = {
    content: body.content === undefined ? message.content : body.content,
    embeds: body.embeds === undefined ? message.embeds : body.embeds,
    components: body.components === undefined ? message.components : body.components,
  };
  if (isEmptyMessage(after, attachments.length)) return errors.emptyMessage();
  fake.world.editMessage(message, body);
  message.attachments = attachments;
  if (body.flags !== undefined && body.flags !== null) {
    message.flags = (message.flags & ~settableFlags) | (body.flags & settableFlags);
  }
  message.flags &= ~MessageFlag.Loading;
  publishUpdate(fake.world, fake.gateway, message);
  return ok(wire.message(fake.world, message, false));
}

function listMessages(world: DiscordWorld, request: RouteRequest): Reply {
  const channelId = param(request, 'channel');
  if (!world.channels.has(channelId)) return errors.unknownChannel();
  const limit = Math.min(Number(request.query.get('limit') ?? 50), 100);
  const before = request.query.get('before');
  const after = request.query.get('after');
  const found = [...world.messages.values()]
    .filter(
      (m) => m.channelId === channelId && !m.deleted && (m.flags & MessageFlag.Ephemeral) === 0,
    )
    .filter((m) => before === null || BigInt(m.id) < BigInt(before))
    .filter((m) => after === null || BigInt(m.id) > BigInt(after))
    .reverse()
    .slice(0, limit);
  return ok(found.map((m) => wire.message(world, m, false)));
}

export function channelRoutes(fake: Fake): Route[] {
  const { world, gateway } = fake;
  const route = (method: string, pattern: string, handle: Route['handle']): Route => ({
    method,
    pattern,
    auth: true,
    handle,
  });
  return [
    route('GET', '/gateway/bot', () =>
      ok({
        url: fake.gatewayUrl(),
        shards: 1,
        session_start_limit: {
          total: 1000,
          remaining: 1000 - gateway.identifies,
          reset_after: 14_400_000,
          max_concurrency: 1,
        },
      }),
    ),
    {
      method: 'GET',
      pattern: '/gateway',
      auth: false,
      handle: () => ok({ url: fake.gatewayUrl() }),
    },
    route('GET', '/users/@me', () =>
      ok({ ...world.user(world.botUserId), flags: 0, verified: true }),
    ),
    route('GET', '/users/:user', (r) => ok(world.user(param(r, 'user')))),
    route('POST', '/users/@me/channels', (r) => {
      const parsed = DmBody.safeParse(r.body);
      if (!parsed.success) return errors.invalidBody(parsed.error);
      return ok(wire.channel(world, world.dmChannelFor(parsed.data.recipient_id)));
    }),
    route('GET', '/channels/:channel', (r) => {
      const channel = world.channels.get(param(r, 'channel'));
      return channel === undefined ? errors.unknownChannel() : ok(wire.channel(world, channel));
    }),
    route('GET', '/channels/:channel/messages', (r) => listMessages(world, r)),
    route('POST', '/channels/:channel/messages', (r) => postMessage(fake, r)),
    route('GET', '/channels/:channel/messages/:message', (r) => {
      const message = world.liveMessage(param(r, 'channel'), param(r, 'message'));
      return message === undefined
        ? errors.unknownMessage()
        : ok(wire.message(world, message, false));
    }),
    route('PATCH', '/channels/:channel/messages/:message', (r) => {
      const message = world.liveMessage(param(r, 'channel'), param(r, 'message'));
      if (message === undefined) return errors.unknownMessage();
      if (message.authorId !== world.botUserId) return errors.notAuthor();
      return threadRefuses(fake, message.channelId, 'edit') ?? editMessage(fake, message, r);
    }),
    route('DELETE', '/channels/:channel/messages/:message', (r) => {
      const message = world.liveMessage(param(r, 'channel'), param(r, 'message'));
      if (message === undefined) return errors.unknownMessage();
      message.deleted = true;
      publishDelete(world, gateway, message);
      return noContent;
    }),
    ...threadRoutes(fake),
    route('POST', '/channels/:channel/typing', (r) =>
      world.channels.has(param(r, 'channel')) ? noContent : errors.unknownChannel(),
    ),
    route('PUT', '/channels/:channel/messages/:message/reactions/:emoji/@me', (r) =>
      world.liveMessage(param(r, 'channel'), param(r, 'message')) === undefined
        ? errors.unknownMessage()
        : noContent,
    ),
  ];
}
