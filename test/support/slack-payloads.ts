import { randomBytes, randomUUID } from 'node:crypto';

/**
 * Slack payloads as Slack sends them, for tests: the Events API envelope and its events, slash
 * command fields and `block_actions` clicks. Field sets follow Slack's documented examples; the
 * ids are the fake workspace's (see `FakeSlack`), so a Bolt app pointed at the fake accepts them.
 */
export const TEAM_ID = 'T0TEAM';
export const TEAM_DOMAIN = 'coxswain-test';
export const APP_ID = 'A0APP';
export const BOT_USER_ID = 'U0BOT';
export const BOT_ID = 'B0BOT';
export const BOT_NAME = 'coxswain';
/** The deprecated verification token Slack still puts in every payload. */
export const VERIFICATION_TOKEN = 'fakeVerificationToken0000';

export type SlackEvent = { type: string; [key: string]: unknown };

export type EventCallback = {
  token: string;
  team_id: string;
  api_app_id: string;
  event: SlackEvent;
  type: 'event_callback';
  event_id: string;
  event_time: number;
  authorizations: {
    enterprise_id: null;
    team_id: string;
    user_id: string;
    is_bot: boolean;
    is_enterprise_install: boolean;
  }[];
  is_ext_shared_channel: boolean;
  event_context: string;
};

let lastMicros = 0;

/** A message timestamp like Slack's (`'1712345678.000123'`): now, unique and increasing. */
export function messageTs(): string {
  lastMicros = Math.max(Date.now() * 1000, lastMicros + 1);
  return `${Math.floor(lastMicros / 1e6)}.${String(lastMicros % 1e6).padStart(6, '0')}`;
}

export function eventCallback(
  event: SlackEvent,
  options: { eventId?: string; eventTime?: number } = {},
): EventCallback {
  const channel = typeof event.channel === 'string' ? event.channel : '';
  const context = { et: event.type, tid: TEAM_ID, aid: APP_ID, cid: channel };
  return {
    token: VERIFICATION_TOKEN,
    team_id: TEAM_ID,
    api_app_id: APP_ID,
    event,
    type: 'event_callback',
    event_id: options.eventId ?? `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
    event_time: options.eventTime ?? Math.floor(Date.now() / 1000),
    authorizations: [
      {
        enterprise_id: null,
        team_id: TEAM_ID,
        user_id: BOT_USER_ID,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(JSON.stringify(context)).toString('base64url')}`,
  };
}

type MessageOptions = {
  channel: string;
  user: string;
  text: string;
  ts?: string;
  threadTs?: string;
};

/** An `app_mention` event; `text` gets the `<@U0BOT>` mention in front unless it has one. */
export function appMention(options: MessageOptions): SlackEvent {
  const mention = `<@${BOT_USER_ID}>`;
  const text = options.text.includes(mention) ? options.text : `${mention} ${options.text}`;
  return { type: 'app_mention', ...messageFields({ ...options, text }) };
}

/** A `message` event in a direct message with the bot (`channel_type: 'im'`, channel `D…`). */
export function directMessage(options: MessageOptions): SlackEvent {
  return { type: 'message', ...messageFields(options), channel_type: 'im' };
}

function messageFields(options: MessageOptions) {
  const ts = options.ts ?? messageTs();
  return {
    user: options.user,
    text: options.text,
    ts,
    client_msg_id: randomUUID(),
    team: TEAM_ID,
    blocks: [richText(options.text)],
    channel: options.channel,
    event_ts: ts,
    ...(options.threadTs === undefined ? {} : { thread_ts: options.threadTs }),
  };
}

/** The `rich_text` block Slack derives from what a person typed, mentions as user elements. */
function richText(text: string) {
  const elements = text
    .split(/(<@[A-Z0-9]+>)/)
    .filter((part) => part !== '')
    .map((part) => {
      const mention = /^<@([A-Z0-9]+)>$/.exec(part);
      return mention ? { type: 'user', user_id: mention[1] } : { type: 'text', text: part };
    });
  return {
    type: 'rich_text',
    block_id: randomBytes(3).toString('base64url'),
    elements: [{ type: 'rich_text_section', elements }],
  };
}

export function urlVerification(challenge: string) {
  return { token: VERIFICATION_TOKEN, challenge, type: 'url_verification' as const };
}

/**
 * The fields of a slash command. Over HTTP Slack sends them form-encoded; over Socket Mode the
 * same fields, all strings, are the envelope's JSON payload.
 */
export function slashCommand(options: {
  text: string;
  channelId: string;
  userId: string;
  command?: string;
  responseUrl?: string;
  triggerId?: string;
  channelName?: string;
  userName?: string;
}): Record<string, string> {
  return {
    token: VERIFICATION_TOKEN,
    team_id: TEAM_ID,
    team_domain: TEAM_DOMAIN,
    channel_id: options.channelId,
    channel_name: options.channelName ?? 'ops',
    user_id: options.userId,
    user_name: options.userName ?? options.userId.toLowerCase(),
    command: options.command ?? '/coxswain',
    text: options.text,
    api_app_id: APP_ID,
    is_enterprise_install: 'false',
    response_url:
      options.responseUrl ?? `https://hooks.slack.com/commands/${TEAM_ID}/${digits(13)}/${hex(12)}`,
    trigger_id: options.triggerId ?? triggerId(),
  };
}

/** A button click on a message the bot posted, as the `block_actions` interactivity payload. */
export function blockActions(options: {
  actionId: string;
  value: string;
  channel: string;
  user: string;
  messageTs: string;
  threadTs?: string;
  responseUrl?: string;
  blockId?: string;
  buttonText?: string;
  messageText?: string;
  channelName?: string;
}) {
  const blockId = options.blockId ?? randomBytes(3).toString('base64url');
  const buttonText = { type: 'plain_text', text: options.buttonText ?? 'Approve', emoji: true };
  const thread = options.threadTs === undefined ? {} : { thread_ts: options.threadTs };
  return {
    type: 'block_actions' as const,
    user: {
      id: options.user,
      username: options.user.toLowerCase(),
      name: options.user.toLowerCase(),
      team_id: TEAM_ID,
    },
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    container: {
      type: 'message',
      message_ts: options.messageTs,
      channel_id: options.channel,
      is_ephemeral: false,
      ...thread,
    },
    trigger_id: triggerId(),
    team: { id: TEAM_ID, domain: TEAM_DOMAIN },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: options.channel, name: options.channelName ?? 'ops' },
    message: {
      user: BOT_USER_ID,
      type: 'message',
      ts: options.messageTs,
      bot_id: BOT_ID,
      app_id: APP_ID,
      text: options.messageText ?? 'A proposal is waiting for approval.',
      team: TEAM_ID,
      ...thread,
      blocks: [
        {
          type: 'actions',
          block_id: blockId,
          elements: [
            { type: 'button', action_id: options.actionId, text: buttonText, value: options.value },
          ],
        },
      ],
    },
    state: { values: {} },
    response_url:
      options.responseUrl ?? `https://hooks.slack.com/actions/${TEAM_ID}/${digits(13)}/${hex(12)}`,
    actions: [
      {
        action_id: options.actionId,
        block_id: blockId,
        text: buttonText,
        value: options.value,
        type: 'button',
        action_ts: messageTs(),
      },
    ],
  };
}

/** Interactivity over HTTP: one form field, `payload`, holding the JSON. */
export function interactiveForm(payload: object): Record<string, string> {
  return { payload: JSON.stringify(payload) };
}

function triggerId(): string {
  return `${digits(13)}.${digits(12)}.${hex(16)}`;
}

function digits(count: number): string {
  return Array.from({ length: count }, () => Math.floor(Math.random() * 10)).join('');
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}
