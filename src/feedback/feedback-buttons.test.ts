import { describe, expect, it } from 'vitest';
import { renderDiscord } from '../chat/discord/render.ts';
import { ChatMessage, type ChatMessageInput, LIMITS } from '../chat/message.ts';
import { redactMessage } from '../chat/redact-message.ts';
import { actionOfSlackId, renderSlack } from '../chat/slack/render.ts';
import { withFeedback } from './feedback-buttons.ts';
import { parseFeedbackValue, subjectKey } from './feedback-value.ts';

const run = { kind: 'answer' as const, id: `ask.web.${'c'.repeat(80)}.${'m'.repeat(36)}` };
const answer: ChatMessageInput = {
  headline: 'payments-api is OOMKilled',
  text: 'Raise the limit.',
  tone: 'info',
};

describe('withFeedback', () => {
  it('adds 👍 and 👎, each naming the rating and the run', () => {
    const message = withFeedback(answer, run);

    expect(message.buttons?.map((b) => [b.action, b.label])).toEqual([
      ['feedback', '👍 Helpful'],
      ['feedback', '👎 Not helpful'],
    ]);
    expect(message.buttons?.map((b) => parseFeedbackValue(b.value))).toEqual([
      { rating: 'up', key: subjectKey(run) },
      { rating: 'down', key: subjectKey(run) },
    ]);
  });

  it('keeps the buttons a message has, and leaves one with no room for both as it is', () => {
    const command = { action: 'command' as const, label: 'Status', value: 'status' };
    const four = { ...answer, buttons: Array.from({ length: 4 }, () => command) };

    expect(withFeedback({ ...answer, buttons: [command] }, run).buttons).toHaveLength(3);
    expect(withFeedback(four, run)).toBe(four);
  });

  it('renders within every platform’s limits and comes back from a click as it went', () => {
    const message = ChatMessage.parse(redactMessage(withFeedback(answer, run)));

    const slack = renderSlack(message).blocks.find((b) => b.type === 'actions') as {
      elements: { action_id: string; value: string }[];
    };
    const discord = renderDiscord(message).components[0]?.components ?? [];

    expect(slack.elements.map((e) => actionOfSlackId(e.action_id))).toEqual([
      'feedback',
      'feedback',
    ]);
    expect(slack.elements.map((e) => e.value)).toEqual(message.buttons.map((b) => b.value));
    expect(discord.map((b) => b.custom_id)).toEqual(
      message.buttons.map((b) => `feedback:${b.value}`),
    );
    for (const b of discord) expect(b.custom_id.length).toBeLessThanOrEqual(100);
    for (const b of message.buttons) expect(b.value.length).toBeLessThanOrEqual(LIMITS.buttonValue);
  });
});
