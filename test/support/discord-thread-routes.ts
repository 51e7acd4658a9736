import { ThreadBody, ThreadPatch } from './discord-bodies.ts';
import type { Fake } from './discord-channel-routes.ts';
import { publishThread, publishThreadUpdate, publishUpdate } from './discord-events.ts';
import {
  errors,
  fail,
  ok,
  param,
  type Reply,
  type Route,
  type RouteRequest,
} from './discord-http.ts';
import { snowflake } from './discord-ids.ts';
import * as wire from './discord-payloads.ts';
import { type ChannelState, MessageFlag, type MessageState } from './discord-world.ts';

/**
 * Threads on the local Discord: started from a message (sharing its id; one per message, ever)
 * or without one, and changed through Modify Channel. What a thread's state does to the bot's
 * messages in it, as Discord's thread docs say: sending to an archived thread reopens it unless
 * it is locked; nothing in an archived thread can be edited (50083) until it is reopened; a
 * locked thread takes nothing from a member without Manage Threads, and only they may reopen it.
 */
export function threadRoutes(fake: Fake): Route[] {
  const route = (method: string, pattern: string, handle: Route['handle']): Route => ({
    method,
    pattern,
    auth: true,
    handle,
  });
  return [
    route('POST', '/channels/:channel/messages/:message/threads', (r) =>
      startThread(fake, r, true),
    ),
    route('POST', '/channels/:channel/threads', (r) => startThread(fake, r, false)),
    route('PATCH', '/channels/:channel', (r) => modifyThread(fake, r)),
  ];
}

/**
 * Whether a thread refuses the bot's message sent to it, or its edit of one there; a send to an
 * archived thread it may write in reopens it first.
 */
export function threadRefuses(
  fake: Fake,
  channelId: string,
  action: 'send' | 'edit',
): Reply | undefined {
  const { world, gateway } = fake;
  const thread = world.thread(channelId);
  if (thread === undefined) return undefined;
  if (thread.locked && !world.botManagesThreads)
    return thread.archived
      ? fail(403, 50083, 'Thread is archived')
      : fail(403, 160005, 'Thread is locked');
  if (!thread.archived) return undefined;
  if (action === 'edit') return fail(400, 50083, 'Thread is archived');
  setArchived(thread, false);
  publishThreadUpdate(world, gateway, thread);
  return undefined;
}

export function setArchived(thread: Extract<ChannelState, { kind: 'thread' }>, archived: boolean) {
  thread.archived = archived;
  thread.archivedAt = Date.now();
}

function startThread(fake: Fake, request: RouteRequest, fromMessage: boolean): Reply {
  const { world, gateway } = fake;
  const parent = world.channels.get(param(request, 'channel'));
  if (parent === undefined) return errors.unknownChannel();
  if (parent.kind !== 'text') return fail(400, 50024, 'Cannot execute action on this channel type');
  const parsed = ThreadBody.safeParse(request.body);
  if (!parsed.success) return errors.invalidBody(parsed.error);
  let starter: MessageState | undefined;
  if (fromMessage) {
    starter = world.liveMessage(parent.id, param(request, 'message'));
    if (starter === undefined) return errors.unknownMessage();
    // Even once that thread is deleted: a message can have only one thread started from it.
    if (starter.threadId !== undefined) return errors.threadExists();
  }
  const now = Date.now();
  const thread: ChannelState = {
    kind: 'thread',
    // A thread started from a message shares the message's id.
    id: starter?.id ?? snowflake(),
    name: parsed.data.name,
    parentId: parent.id,
    ownerId: world.botUserId,
    type: starter === undefined && parsed.data.type !== 11 ? 12 : 11,
    autoArchiveMinutes: parsed.data.auto_archive_duration ?? 1440,
    createdAt: now,
    messageCount: 0,
    archived: false,
    locked: false,
    archivedAt: now,
  };
  world.channels.set(thread.id, thread);
  publishThread(world, gateway, thread);
  if (starter !== undefined) {
    starter.threadId = thread.id;
    starter.flags |= MessageFlag.HasThread;
    publishUpdate(world, gateway, starter);
  }
  return ok(wire.channel(world, thread), 201);
}

/** Modify Channel on a thread: its name, archiving and locking. Other channels are not the bot's. */
function modifyThread(fake: Fake, request: RouteRequest): Reply {
  const { world, gateway } = fake;
  const channelId = param(request, 'channel');
  const thread = world.thread(channelId);
  if (thread === undefined)
    return world.channels.has(channelId) ? errors.missingPermissions() : errors.unknownChannel();
  const parsed = ThreadPatch.safeParse(request.body);
  if (!parsed.success) return errors.invalidBody(parsed.error);
  const patch = parsed.data;
  // The bot started the thread, but a locked one, and locking, are for Manage Threads only.
  const locking = patch.locked !== undefined && patch.locked !== thread.locked;
  if ((thread.locked || locking) && !world.botManagesThreads) return errors.missingPermissions();
  if (thread.archived && patch.archived !== false) return fail(400, 50083, 'Thread is archived');
  if (patch.name !== undefined) thread.name = patch.name;
  if (patch.auto_archive_duration !== undefined)
    thread.autoArchiveMinutes = patch.auto_archive_duration;
  if (patch.locked !== undefined) thread.locked = patch.locked;
  if (patch.archived !== undefined && patch.archived !== thread.archived)
    setArchived(thread, patch.archived);
  publishThreadUpdate(world, gateway, thread);
  return ok(wire.channel(world, thread));
}
