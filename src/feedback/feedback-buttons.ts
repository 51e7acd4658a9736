import { type ChatMessageInput, LIMITS } from '../chat/message.ts';
import { feedbackValue, RATING_MARK, type SubjectRef } from './feedback-value.ts';

/**
 * The 👍 and 👎 buttons under a message about a run: an answer, or an incident's report. A click
 * records the clicker's rating of it once its snapshot is kept (`FeedbackStore.offer`, or
 * `offerFeedback`, which does both). A message with no room for both buttons is left as it is:
 * one of the two alone would skew every rating.
 */
/** Words beside the marks: read where no emoji font is, and by screen readers. */
const LABEL = { up: `${RATING_MARK.up} Helpful`, down: `${RATING_MARK.down} Not helpful` };

export function withFeedback(message: ChatMessageInput, subject: SubjectRef): ChatMessageInput {
  const buttons = message.buttons ?? [];
  if (buttons.length + 2 > LIMITS.buttons) return message;
  return {
    ...message,
    buttons: [
      ...buttons,
      { action: 'feedback', label: LABEL.up, value: feedbackValue('up', subject) },
      { action: 'feedback', label: LABEL.down, value: feedbackValue('down', subject) },
    ],
  };
}
