import { type ChatMessageInput, clip } from '../chat/message.ts';
import { renderPlainText } from '../chat/plain-text.ts';
import { redactMessage } from '../chat/redact-message.ts';
import { redactText } from '../policy/redact.ts';
import type { ChannelRef } from '../shared/channel.ts';
import { withFeedback } from './feedback-buttons.ts';
import { ANSWER_CHARS, type FeedbackStore, QUESTION_CHARS } from './feedback-store.ts';
import type { SubjectRef } from './feedback-value.ts';

/** Where a rated message goes, and what it answers. */
export type Offered = SubjectRef & {
  channel: ChannelRef;
  thread?: string | undefined;
  /** The question the message answers; unset (a report): the message's headline. */
  question?: string | undefined;
  specialists: readonly string[];
  at: Date;
};

/**
 * Keeps the message's snapshot as it will be posted (redacted and fitted as the outbox does,
 * without its footer, which says who answered rather than what), then returns it with the 👍 / 👎
 * buttons. For an incident report: `{ kind: 'report', id: incidentId }`, and the headline is the
 * "question" of the eval case.
 */
export async function offerFeedback(
  feedback: FeedbackStore,
  message: ChatMessageInput,
  offered: Offered,
): Promise<ChatMessageInput> {
  const { footer: _footer, ...body } = message;
  const shown = redactMessage(body);
  await feedback.offer({
    kind: offered.kind,
    id: offered.id,
    channel: offered.channel,
    ...(offered.thread === undefined ? {} : { thread: offered.thread }),
    question: clip(redactText(offered.question ?? shown.headline ?? ''), QUESTION_CHARS),
    answer: clip(renderPlainText(shown).trim(), ANSWER_CHARS),
    specialists: offered.specialists.slice(0, 20).map((name) => name.slice(0, 100)),
    postedAt: offered.at.toISOString(),
  });
  return withFeedback(message, offered);
}
