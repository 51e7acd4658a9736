import { UnrecoverableError } from 'bullmq';
import type { ChannelRef } from '../shared/channel.ts';
import { formatIssues } from '../shared/format-issues.ts';
import { type ChatMessageInput, fitMessage } from './message.ts';
import { OutboxJob } from './outbox-job.ts';

/**
 * The one way a message reaches chat: every producer (the bot's replies, a run's status and
 * answer, cards, execution reports, alerts) hands a post to `postToChat`, which fits the message
 * to the limits every platform can show, validates the job and derives its id. The outbox worker
 * is the one consumer.
 */
export type ChatPost = {
  /** What the post is; the job's name and the first part of its id. */
  kind: PostKind;
  /**
   * What makes this post one of a kind: the same kind and key twice is one job (a redelivered
   * event, a retried run, a card's state posted again), so nothing is posted twice.
   */
  key: readonly string[];
  channel: ChannelRef;
  message: ChatMessageInput;
  /** Posted in this thread of the channel. */
  thread?: string | undefined;
  /** Posted in the thread of the message posted under this replace key (an alert group's). */
  threadOf?: string | undefined;
  /** Shown only to this platform user where the platform can (Slack); posted to them elsewhere. */
  ephemeralTo?: string | undefined;
  /** Edits the message posted earlier under the same replace key; later versions win. */
  replace?: { key: string; version: number } | undefined;
};

type PostKind = 'reply' | 'status' | 'answer' | 'card' | 'report' | 'alert';

/** Where posts are queued: the outbox, as the bot or a worker holds it. */
export type Outbox = {
  add(name: string, data: OutboxJob, options: { jobId: string }): Promise<unknown>;
};

export async function postToChat(outbox: Outbox, post: ChatPost): Promise<void> {
  const job = outboxJobOf(post);
  await outbox.add(job.name, job.data, job.opts);
}

/**
 * The outbox job for a post. A message that is still invalid once fitted is a bug in its producer
 * that no retry can mend.
 */
export function outboxJobOf(post: ChatPost): {
  name: PostKind;
  data: OutboxJob;
  opts: { jobId: string };
} {
  const parsed = OutboxJob.safeParse({
    channel: post.channel,
    message: fitMessage(post.message),
    ...(post.thread === undefined ? {} : { thread: post.thread }),
    ...(post.threadOf === undefined || post.thread !== undefined
      ? {}
      : { threadKey: post.threadOf }),
    ...(post.ephemeralTo === undefined ? {} : { ephemeralTo: post.ephemeralTo }),
    ...(post.replace === undefined
      ? {}
      : { replaceKey: post.replace.key, version: post.replace.version }),
  });
  if (!parsed.success)
    throw new UnrecoverableError(
      `${post.kind} for ${post.channel} is not a valid message: ${formatIssues(parsed.error.issues).join('; ')}`,
    );
  return { name: post.kind, data: parsed.data, opts: { jobId: jobIdOf(post) } };
}

/** `kind.key…`, with the `:` of channel refs (which BullMQ ids may not hold) as `.`. */
export function jobIdOf(post: Pick<ChatPost, 'kind' | 'key'>): string {
  return [post.kind, ...post.key].join('.').replaceAll(':', '.');
}
