import type { ButtonClick, InputOutcome } from '../chat/inbound.ts';
import type { Binding } from '../config/policy-schema.ts';
import type { Logger } from '../observability/logger.ts';
import { authorise } from '../policy/authorise.ts';
import type { FeedbackStore, VoteOutcome } from './feedback-store.ts';
import { parseFeedbackValue, RATING_MARK, type Rating } from './feedback-value.ts';

/**
 * 👍 or 👎, clicked under an answer or a report. Only a verified platform click reaches here, as
 * for a decision, but no approver role is needed: anyone in a bound channel may rate what was
 * posted there. The value is the clicker's to forge, so it is read strictly and names only a key,
 * which must be one offered in the channel clicked; the clicker is told what was recorded.
 */
export type FeedbackDeps = {
  feedback: FeedbackStore;
  bindings: readonly Binding[];
  log: Logger;
  now?: () => Date;
};

export async function giveFeedback(click: ButtonClick, deps: FeedbackDeps): Promise<InputOutcome> {
  const parsed = parseFeedbackValue(click.value);
  if (parsed === undefined) return reply('That feedback button is not one I know', 'warning');
  const allowed = authorise.feedback({ channel: click.channel }, deps);
  if (!allowed.allowed) return reply('Feedback cannot be given here', 'warning', allowed.reason);
  const outcome = await deps.feedback.vote({
    key: parsed.key,
    rating: parsed.rating,
    person: click.requester,
    channel: click.channel,
    at: (deps.now ?? (() => new Date()))(),
  });
  deps.log.info(
    { key: parsed.key, person: click.requester, rating: parsed.rating, outcome: outcome.kind },
    'feedback clicked',
  );
  return said(outcome, parsed.rating);
}

/** What the clicker is told: their rating recorded, changed or kept, or why nothing was. */
function said(outcome: VoteOutcome, rating: Rating): InputOutcome {
  const mark = RATING_MARK[rating];
  switch (outcome.kind) {
    case 'unknown':
      return reply(
        'I have no record of that message to rate',
        'warning',
        'It is unknown here, or was posted too long ago to take feedback. Nothing was recorded.',
      );
    case 'elsewhere':
      return reply('That message is not one of this channel’s', 'warning', 'Nothing was recorded.');
    case 'recorded': {
      const what = outcome.subject.kind === 'report' ? 'this report' : 'this answer';
      if (outcome.previous === undefined) return reply(`Thanks: ${mark} recorded for ${what}`);
      if (outcome.previous === rating)
        return reply(`Your ${mark} for ${what} was already recorded`);
      return reply(
        `Your feedback on ${what} is now ${mark}`,
        'info',
        `It replaces your ${RATING_MARK[outcome.previous]}: one vote per person.`,
      );
    }
  }
}

function reply(headline: string, tone: 'info' | 'warning' = 'info', text?: string): InputOutcome {
  return { kind: 'reply', message: { headline, tone, ...(text === undefined ? {} : { text }) } };
}
