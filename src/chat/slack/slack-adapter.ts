import type { webApi } from '@slack/bolt';
import { UnrecoverableError } from 'bullmq';
import { type ChatAdapter, type Delivery, RetryAfterError } from '../adapter.ts';
import type { MessageRefs } from '../message-refs.ts';
import { KeyedSerialiser } from '../serialise.ts';
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
  const edits = new KeyedSerialiser();
  const deliver = async (delivery: Delivery) => {
    const { channelId, deliveryId, replaceKey, thread } = delivery;
    const version = delivery.version ?? 0;
    const rendered = renderSlack(delivery.message);
    if (delivery.ephemeralTo !== undefined) {
      await client.chat.postEphemeral({
        channel: channelId,
        user: delivery.ephemeralTo,
        ...rendered,
        ...(thread === undefined ? {} : { thread_ts: thread }),
      });
      return;
    }
    if ((await refs.delivered('slack', deliveryId)) !== undefined) return;
    const earlier =
      replaceKey === undefined ? undefined : await refs.keyed('slack', channelId, replaceKey);
    if (earlier !== undefined && replaceKey !== undefined) {
      // A newer version is shown already: this one arrived late.
      if (earlier.version > version) return;
      const updated = await client.chat
        .update({ channel: channelId, ts: earlier.id, ...rendered })
        .then(() => true)
        .catch((error: unknown) => {
          // Someone deleted the message: the next version is posted anew.
          if (GONE.has(platformError(error) ?? '')) return false;
          throw error;
        });
      if (updated) {
        await refs.setKeyed('slack', channelId, replaceKey, earlier.id, version);
        await refs.setDelivered('slack', deliveryId, earlier.id);
        return;
      }
    }
    const posted = await client.chat.postMessage({
      channel: channelId,
      ...rendered,
      unfurl_links: false,
      unfurl_media: false,
      ...(thread === undefined ? {} : { thread_ts: thread }),
    });
    const ts = posted.ts ?? '';
    if (replaceKey !== undefined) await refs.setKeyed('slack', channelId, replaceKey, ts, version);
    await refs.setDelivered('slack', deliveryId, ts);
  };
  return {
    platform: 'slack',
    async deliver(delivery) {
      try {
        if (delivery.replaceKey === undefined) await deliver(delivery);
        else
          await edits.run(`${delivery.channelId}/${delivery.replaceKey}`, () => deliver(delivery));
      } catch (error) {
        throw slackError(error);
      }
    },
  };
}

/** The Web API's errors as the outbox understands them. */
export function slackError(error: unknown): unknown {
  const coded = error as { code?: string; retryAfter?: number };
  if (coded.code === 'slack_webapi_rate_limited_error')
    return new RetryAfterError(Math.max(1, coded.retryAfter ?? 1) * 1000);
  const reason = platformError(error);
  const hint = reason === undefined ? undefined : PERMANENT[reason];
  if (reason !== undefined && hint !== undefined)
    return new UnrecoverableError(`Slack refused the message (${reason}): ${hint}`);
  return error;
}
