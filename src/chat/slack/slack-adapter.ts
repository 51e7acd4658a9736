import type { webApi } from '@slack/bolt';
import { UnrecoverableError } from 'bullmq';
import type { Logger } from '../../observability/logger.ts';
import { type ChatAdapter, RetryAfterError } from '../adapter.ts';
import type { MessageRefs } from '../message-refs.ts';
import { postOrEditAdapter } from '../post-or-edit.ts';
import { renderSlack } from './render.ts';

/**
 * Delivers outbox messages to Slack with `chat.postMessage`, `chat.update` for a message edited
 * in place, and `chat.postEphemeral` for what only one person should see. A 429 comes back as
 * Retry-After for the outbox to wait out; errors no retry can fix (a channel the bot is not in,
 * a revoked token) fail the message at once with what to do.
 *
 * A deleted message is `message_not_found` to `chat.update`, and posted anew. A reply to a
 * message deleted with no replies left is not refused: Slack posts it in the channel instead,
 * and its answer lacks `thread_ts`. That reply is delivered, once, where people see it; the
 * thread's later replies go to the message's new post once the next edit of it makes one.
 */
const PERMANENT: Record<string, string> = {
  channel_not_found: 'the channel does not exist or the bot cannot see it',
  not_in_channel: 'the bot is not in the channel: invite it with /invite @Coxswain',
  is_archived: 'the channel is archived',
  invalid_auth: 'SLACK_BOT_TOKEN is not valid',
  token_revoked: 'SLACK_BOT_TOKEN was revoked',
  account_inactive: 'the Slack app was uninstalled',
  missing_scope: 'the Slack app lacks a scope: reinstall it from deploy/slack/app-manifest.yaml',
  msg_too_long: 'the message is too long for Slack',
  invalid_blocks: 'Slack refused the message layout',
  user_not_in_channel: 'the person is no longer in the channel',
};

const GONE = new Set(['message_not_found', 'cant_update_message']);

function platformError(error: unknown): string | undefined {
  const coded = error as { code?: string; data?: { error?: string } };
  return coded.code === 'slack_webapi_platform_error' ? coded.data?.error : undefined;
}

export function slackAdapter(
  client: webApi.WebClient,
  refs: MessageRefs,
  log: Logger,
): ChatAdapter {
  return postOrEditAdapter('slack', refs, log, {
    async direct(delivery) {
      if (delivery.ephemeralTo === undefined) return false;
      await client.chat.postEphemeral({
        channel: delivery.channelId,
        user: delivery.ephemeralTo,
        ...renderSlack(delivery.message),
        ...(delivery.thread === undefined ? {} : { thread_ts: delivery.thread }),
      });
      return true;
    },
    // A Slack thread is a message's replies in the same channel.
    place: async (delivery) => delivery.channelId,
    async post(delivery, channel) {
      const posted = await client.chat.postMessage({
        channel,
        ...renderSlack(delivery.message),
        unfurl_links: false,
        unfurl_media: false,
        ...(delivery.thread === undefined ? {} : { thread_ts: delivery.thread }),
      });
      if (delivery.thread !== undefined && posted.message?.thread_ts === undefined)
        log.warn(
          { channel, thread: delivery.thread, ts: posted.ts },
          'thread root was deleted: Slack posted the reply in the channel',
        );
      return posted.ts ?? '';
    },
    edit: (delivery, channel, ts) =>
      client.chat
        .update({ channel, ts, ...renderSlack(delivery.message) })
        .then(() => true)
        .catch((error: unknown) => {
          if (GONE.has(platformError(error) ?? '')) return false;
          throw error;
        }),
    outboxError: slackError,
  });
}

/** The Web API's errors as the outbox understands them. */
function slackError(error: unknown): unknown {
  const coded = error as { code?: string; retryAfter?: number };
  if (coded.code === 'slack_webapi_rate_limited_error')
    return new RetryAfterError(Math.max(1, coded.retryAfter ?? 1) * 1000);
  const reason = platformError(error);
  const hint = reason === undefined ? undefined : PERMANENT[reason];
  if (reason !== undefined && hint !== undefined)
    return new UnrecoverableError(`Slack refused the message (${reason}): ${hint}`);
  return error;
}
