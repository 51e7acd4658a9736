import { fitMessage } from '../chat/message.ts';
import type { Autonomy } from '../config/policy-schema.ts';
import { tierOf } from '../policy/tiers.ts';
import { type OutboxJob, OutboxJob as OutboxJobSchema } from '../queue/jobs.ts';
import { channelPlatform } from '../shared/channel.ts';
import type { ProposalRecord } from './proposal-store.ts';
import { cardKey, chatCard } from './render-card.ts';

/** Where cards go: the outbox, as the bot or a worker holds it. */
export type CardOutbox = {
  add(name: string, data: OutboxJob, options: { jobId: string }): Promise<unknown>;
};

/** What a card's content depends on besides its proposal. */
export type CardSettings = {
  autonomy: Autonomy;
  /** Where people reach the dashboard (PUBLIC_URL), for links on cards; unset: no link. */
  dashboardUrl: string | undefined;
};

/**
 * Posts a proposal's card where it was shown, or edits it there: one card per proposal (its
 * replace key), each state posted once (its job id), later states winning over earlier ones.
 */
export async function postCard(
  outbox: CardOutbox,
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
  const job = OutboxJobSchema.parse({
    channel: origin.channel,
    ...(origin.thread === undefined ? {} : { thread: origin.thread }),
    message: fitMessage(
      chatCard(record, tier, settings.dashboardUrl, channelPlatform(origin.channel)),
    ),
    replaceKey: cardKey(record.id),
    version: now.getTime(),
  });
  await outbox.add('card', job, { jobId: `card.${record.id}.${record.state}` });
}
