import type { webApi } from '@slack/bolt';
import { UnrecoverableError } from 'bullmq';
import { type ChatAdapter, RetryAfterError } from '../adapter.ts';
import type { MessageRefs } from '../message-refs.ts';
import { postOrEditAdapter } from '../post-or-edit.ts';
import { renderSlack } from './render.ts';

/**
 * Delivers outbox messages to Slack with `chat.postMessage`, `chat.update` for a message edited
 * in place, and `chat.postEphemeral` for what only one person should see. A 429 comes back as
 * Retry-After for the outbox to wait out; errors no retry can fix (a channel the bot is not in,
 * a revoked token) fail the message at once with what to do.
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

export function slackAdapter(client: webApi.WebClient, refs: MessageRefs): ChatAdapter {
  return postOrEditAdapter('slack', refs, {
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
