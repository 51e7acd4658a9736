import {
  type Button,
  type ChatMessage,
  type Field,
  type Link,
  type Tone,
  webHref,
} from '../message.ts';
import { CHAT_CODE_LINES, clipText, trimLines } from '../trim.ts';
import { escapeMrkdwn, mrkdwn, slackLink } from './mrkdwn.ts';

export { escapeMrkdwn, mrkdwn } from './mrkdwn.ts';

/**
 * A neutral message as Slack Block Kit: the headline first (it is also the notification text),
 * evidence in code blocks cut to their first lines, buttons as an actions block. Slack's limits:
 * 50 blocks, 3,000 characters per section text, 10 fields of 2,000, 75 per button label.
 */
type SlackBlock = Record<string, unknown>;
type SlackMessage = { text: string; blocks: SlackBlock[] };

const TONE_MARK: Record<Tone, string> = {
  critical: ':red_circle:',
  warning: ':large_orange_circle:',
  info: ':large_blue_circle:',
  resolved: ':white_check_mark:',
  neutral: '',
};
const MAX_BLOCKS = 50;
const SECTION_TEXT = 3000;

/** Every mrkdwn text object: `verbatim` keeps Slack from finding mentions and links of its own. */
const mrkdwnText = (text: string) => ({ type: 'mrkdwn', text, verbatim: true });

const section = (text: string): SlackBlock => ({
  type: 'section',
  text: mrkdwnText(clipText(text, SECTION_TEXT)),
});

export function renderSlack(message: ChatMessage): SlackMessage {
  const blocks: SlackBlock[] = [];
  const mark = TONE_MARK[message.tone];
  if (message.headline !== undefined)
    blocks.push(section(`${mark ? `${mark} ` : ''}*${escapeMrkdwn(message.headline)}*`));
  if (message.text !== undefined && message.text.trim() !== '')
    blocks.push(section(mrkdwn(message.text)));
  if (message.fields.length > 0) blocks.push(fieldsBlock(message.fields));
  for (const part of message.sections) {
    const lines: string[] = [];
    if (part.title !== undefined) lines.push(`*${escapeMrkdwn(part.title)}*`);
    if (part.text !== undefined && part.text.trim() !== '') lines.push(mrkdwn(part.text));
    if (lines.length > 0) blocks.push(section(lines.join('\n')));
    if (part.code !== undefined && part.code !== '')
      blocks.push(codeBlock(part.code, part.whole === true));
    if (part.fields.length > 0) blocks.push(fieldsBlock(part.fields));
    blocks.push(...linksBlock(part.links));
  }
  blocks.push(...linksBlock(message.links));
  // Buttons and the footer are kept whatever else had to go.
  const tail: SlackBlock[] = [];
  if (message.buttons.length > 0) tail.push(actionsBlock(message.buttons));
  if (message.footer !== undefined)
    tail.push({
      type: 'context',
      elements: [mrkdwnText(escapeMrkdwn(message.footer))],
    });
  const room = MAX_BLOCKS - tail.length;
  const body =
    blocks.length <= room
      ? blocks
      : [
          ...blocks.slice(0, room - 1),
          section(`_… ${blocks.length - room + 1} more parts not shown_`),
        ];
  return { text: notificationText(message), blocks: [...body, ...tail] };
}

/** What notifications and screen readers show: the headline, or the start of the text. */
function notificationText(message: ChatMessage): string {
  // Slack reads this as mrkdwn too: escaped, so `<!channel>` in an echoed name pings nobody.
  return escapeMrkdwn(clipText(message.headline ?? message.text ?? 'Coxswain', 300));
}

function codeBlock(code: string, whole: boolean): SlackBlock {
  // The fence and the escaping take room; the rest is the code's first lines, unless the
  // producer made it fit and it must be read whole.
  // A fence inside the code would end the block early.
  const escaped = escapeMrkdwn(code).replace(/```/g, 'ʼʼʼ');
  return section(`\`\`\`${whole ? escaped : trimLines(escaped, CHAT_CODE_LINES, 2_900)}\`\`\``);
}

function fieldsBlock(fields: readonly Field[]): SlackBlock {
  return {
    type: 'section',
    fields: fields
      .slice(0, 10)
      .map((f) =>
        mrkdwnText(clipText(`*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value)}`, 2000)),
      ),
  };
}

/**
 * One element per link (a context block holds ten), so long URLs stay within each one's limit;
 * no block when no link is an http(s) URL.
 */
function linksBlock(links: readonly Link[]): SlackBlock[] {
  const elements = links.slice(0, 10).flatMap((l) => {
    const href = webHref(l.url);
    return href === undefined ? [] : [mrkdwnText(slackLink(href, l.label))];
  });
  return elements.length === 0 ? [] : [{ type: 'context', elements }];
}

/** Each button's action id says what it does; Slack wants them unique within a message. */
const SLACK_ACTION_PREFIX = 'coxswain.';

function actionsBlock(buttons: readonly Button[]): SlackBlock {
  return {
    type: 'actions',
    elements: buttons.map((b, i) => ({
      type: 'button',
      action_id: `${SLACK_ACTION_PREFIX}${b.action}.${i}`,
      text: { type: 'plain_text', text: clipText(b.label, 75), emoji: true },
      value: b.value,
      ...(b.style === 'default' ? {} : { style: b.style }),
    })),
  };
}

/** The button action from a Slack action id (`coxswain.command.0` → `command`). */
export function actionOfSlackId(actionId: string): string | undefined {
  if (!actionId.startsWith(SLACK_ACTION_PREFIX)) return undefined;
  return actionId.slice(SLACK_ACTION_PREFIX.length).split('.')[0];
}
