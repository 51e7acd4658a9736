import type { ButtonClick, ChatInput, InputOutcome } from '../chat/inbound.ts';
import type { ButtonAction } from '../chat/message.ts';
import { parseCommandText } from '../commands/grammar.ts';
import { handleChatInput, type InputDeps } from './chat-input.ts';

/**
 * A click's value is treated like anything typed: parsed and checked against the channel's
 * binding, as the person who clicked.
 */
export async function handleButtonClick(
  click: ButtonClick,
  deps: InputDeps,
): Promise<InputOutcome> {
  const action = click.action as ButtonAction;
  switch (action) {
    case 'command': {
      // Only commands: a button never asks the agents a free-form question.
      const parsed = parseCommandText(click.value);
      if (parsed === undefined)
        return refusal('That button does not run a command I know', click.value);
      const input: ChatInput = {
        channel: click.channel,
        requester: click.requester,
        text: click.value,
        messageId: `click.${click.clickId}`,
        thread: click.thread,
        addressed: true,
      };
      return handleChatInput(input, deps);
    }
    case 'approve':
    case 'reject':
      if (deps.decide === undefined)
        return refusal('Proposals cannot be decided here', 'This process has no approvals.');
      return deps.decide(click, action);
    case 'silence':
      if (deps.silence === undefined)
        return refusal('Alerts cannot be silenced here', 'This process offers no silences.');
      return deps.silence(click);
    case 'feedback':
      if (deps.feedback === undefined)
        return refusal('Feedback cannot be given here', 'This process keeps no feedback.');
      return deps.feedback(click);
    default:
      return refusal('That button is no longer understood', `action "${click.action}"`);
  }
}

function refusal(headline: string, text: string): InputOutcome {
  return { kind: 'reply', message: { headline, text, tone: 'warning' } };
}
