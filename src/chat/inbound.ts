import type { ChannelRef } from '../shared/channel.ts';
import type { ChatMessageInput } from './message.ts';

/**
 * What the platform adapters hand the bot, and what the bot answers: the same for Slack, Discord
 * and the web console, so each platform only translates its own payloads.
 */
export type ChatInput = {
  channel: ChannelRef;
  /** Who asked, as `platform:id`. */
  requester: string;
  text: string;
  /** Unique per input on its platform; job ids are made from it, so a redelivery is one job. */
  messageId: string;
  /** Where the answer goes. */
  thread?: string | undefined;
  /** Earlier questions with this id are context (a thread, a DM). */
  conversation?: string | undefined;
  /** The bot was mentioned, DMed or slash-commanded: text that is not a command is a question. */
  addressed: boolean;
};

/**
 * A verified click on one of the bot's buttons (a signed Slack `block_actions`, a Discord
 * interaction from the gateway, a console click on a stored message).
 */
export type ButtonClick = {
  channel: ChannelRef;
  /** Who clicked, as `platform:id`. */
  requester: string;
  action: string;
  value: string;
  /** Unique per click on its platform. */
  clickId: string;
  thread?: string | undefined;
  /** Groups the clicker is in, as the platform says (`slack:group:S…`, `discord:role:…`). */
  memberOf?: readonly string[] | undefined;
};

export type InputOutcome =
  | { kind: 'ignored' }
  | { kind: 'reply'; message: ChatMessageInput }
  | { kind: 'queued'; runId: string; what: string };

export type InboundHandlers = {
  input(input: ChatInput): Promise<InputOutcome>;
  click(click: ButtonClick): Promise<InputOutcome>;
};
