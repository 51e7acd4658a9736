import { type Outbox, postToChat } from '../chat/post-to-chat.ts';
import type { Autonomy } from '../config/policy-schema.ts';
import { tierOf } from '../policy/tiers.ts';
import { channelPlatform } from '../shared/channel.ts';
import type { ProposalRecord } from './proposal-store.ts';
import { cardKey, chatCard } from './render-card.ts';

/** What a card's content depends on besides its proposal. */
type CardSettings = {
  autonomy: Autonomy;
  /** Where people reach the dashboard (PUBLIC_URL), for links on cards; unset: no link. */
  dashboardUrl: string | undefined;
};

/**
 * Posts a proposal's card where it was shown, or edits it there: one card per proposal (its
 * replace key), each state posted once (its job id), later states winning over earlier ones.
 */
export async function postCard(
  outbox: Outbox,
  record: ProposalRecord,
  settings: CardSettings,
  now = new Date(),
): Promise<void> {
  const origin = record.origin;
  if (origin === undefined) return;
  const tier = tierOf(
    { verb: record.action.verb, kind: record.action.target.kind },
    settings.autonomy,
  );
  await postToChat(outbox, {
    kind: 'card',
    key: [record.id, record.state],
    channel: origin.channel,
    thread: origin.thread,
    threadOf: origin.threadKey,
    message: chatCard(record, tier, settings.dashboardUrl, channelPlatform(origin.channel)),
    replace: { key: cardKey(record.id), version: now.getTime() },
  });
}
