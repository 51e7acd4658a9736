import type { IncomingMessage } from 'node:http';
import type { ButtonClick, InboundHandlers, InputOutcome } from '../inbound.ts';
import type { Button, ChatMessageInput } from '../message.ts';

/** A button someone clicked in the console, as it was stored with its message. */
export type ClickHandler = (click: {
  channel: string;
  author: string;
  button: Button;
  /** The thread the clicked message is in. */
  thread: string | undefined;
  clickId: string;
  /** The request, for who is signed in. */
  req: IncomingMessage;
}) => Promise<void>;

type StoredClick = Parameters<ClickHandler>[0];

/** The buttons only a verified person may click, and what the refusal says they are for. */
const VERIFIED: Partial<Record<Button['action'], string>> = {
  approve: 'decide proposals',
  reject: 'decide proposals',
  feedback: 'give feedback',
};

/**
 * The person a console request speaks for: the signed-in session's, or on the loopback demo, the
 * name typed (the dashboard's web access answers it).
 */
type PersonOf = (
  req: IncomingMessage,
  typed: string,
) => Promise<{ ok: true; person: string } | { ok: false; reason: string }>;

/**
 * Posts a reply to a console channel (in a thread, when given), once per message or click id;
 * ignores other outcomes.
 */
type ConsoleReply = (
  channel: string,
  id: string,
  outcome: InputOutcome,
  thread: string | undefined,
) => Promise<void>;

/**
 * Console clicks, made trusted: the button is the one stored with its message (the click route
 * finds it), and a decision is taken only as a verified person. Each becomes a `ButtonClick` for
 * the bot's handlers, and what they answer goes back to the channel.
 */
export function consoleClicks(deps: {
  click: InboundHandlers['click'];
  personOf: PersonOf;
  reply: ConsoleReply;
  onInput: (kind: string) => void;
}): ClickHandler {
  return async (click) => {
    deps.onInput('click');
    const trusted = await trustedClick(click, deps.personOf);
    if (!trusted.ok) {
      const refusal = { kind: 'reply', message: trusted.message } as const;
      await deps.reply(click.channel, click.clickId, refusal, click.thread);
      return;
    }
    const outcome = await deps.click(trusted.click);
    await deps.reply(click.channel, click.clickId, outcome, click.thread);
  };
}

/**
 * A console click as a `ButtonClick`, or the reply refusing it. A name typed in the console is not
 * verified: a decision, and feedback (kept with who gave it, one vote per person), need a
 * signed-in session, or the loopback demo where whoever is at this machine is trusted. Other
 * buttons run as the name typed, like anything typed in the console.
 */
async function trustedClick(
  click: StoredClick,
  personOf: PersonOf,
): Promise<{ ok: true; click: ButtonClick } | { ok: false; message: ChatMessageInput }> {
  let requester = `web:${click.author}`;
  const needs = VERIFIED[click.button.action];
  if (needs !== undefined) {
    const access = await personOf(click.req, click.author);
    if (!access.ok)
      return {
        ok: false,
        message: {
          headline: `Sign in to the dashboard to ${needs} here`,
          text: `A name typed in the console is not a verified person: ${access.reason}.`,
          tone: 'warning',
        },
      };
    requester = access.person;
  }
  return {
    ok: true,
    click: {
      channel: `web:${click.channel}`,
      requester,
      action: click.button.action,
      value: click.button.value,
      clickId: click.clickId,
      thread: click.thread,
    },
  };
}
