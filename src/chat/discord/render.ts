import { type Button, type ChatMessage, type Link, type Tone, webHref } from '../message.ts';
import { CHAT_CODE_LINES, clipText, trimLines } from '../trim.ts';
import { defuseBroadcasts, stripInvisible } from '../untrusted-text.ts';
import { discordLink, discordMarkdown, escapeDiscord } from './markdown.ts';

/**
 * A neutral message as a Discord embed with buttons: the headline as the title, the text and
 * the sections in the description (code cut to its first lines), fields inline, buttons in one
 * action row. Discord's limits: title 256, description 4,096, 25 fields (name 256, value 1,024),
 * 6,000 characters in all, custom_id 100.
 */
type DiscordEmbed = {
  title?: string;
  description?: string;
  color: number;
  fields?: { name: string; value: string; inline: boolean }[];
  footer?: { text: string };
};
type DiscordButton = {
  type: 2;
  style: 1 | 2 | 4;
  label: string;
  custom_id: string;
};
type DiscordMessage = {
  content: string;
  embeds: DiscordEmbed[];
  components: { type: 1; components: DiscordButton[] }[];
};

const TONE_COLOUR: Record<Tone, number> = {
  critical: 0xd93848,
  warning: 0xe39b1b,
  info: 0x3a83d6,
  resolved: 0x2e9b5f,
  neutral: 0x9aa3b2,
};
const DESCRIPTION = 4096;
const EMBED_TOTAL = 6000;
const FIELDS_BUDGET = 3000;

export function renderDiscord(message: ChatMessage): DiscordMessage {
  const parts: string[] = [];
  if (message.text !== undefined) parts.push(discordMarkdown(message.text));
  for (const section of message.sections) {
    const lines: string[] = [];
    if (section.title !== undefined) lines.push(`**${escapeDiscord(section.title)}**`);
    if (section.text !== undefined) lines.push(discordMarkdown(section.text));
    if (section.code !== undefined && section.code !== '')
      lines.push(
        fence(
          section.whole === true ? section.code : trimLines(section.code, CHAT_CODE_LINES, 1_400),
        ),
      );
    for (const f of section.fields)
      lines.push(`**${escapeDiscord(f.label)}:** ${escapeDiscord(f.value)}`);
    const links = linkLine(section.links);
    if (links !== '') lines.push(links);
    parts.push(lines.join('\n'));
  }
  const links = linkLine(message.links);
  if (links !== '') parts.push(links);
  const embed: DiscordEmbed = { color: TONE_COLOUR[message.tone] };
  if (message.headline !== undefined) embed.title = clipText(escapeDiscord(message.headline), 256);
  if (message.fields.length > 0) {
    // Fields share at most half the embed, so the description always has room.
    const each = Math.floor(FIELDS_BUDGET / message.fields.length);
    embed.fields = message.fields.slice(0, 25).map((f) => {
      const name = clipText(escapeDiscord(f.label), 256);
      const value = escapeDiscord(f.value) || '-';
      return {
        name,
        value: clipText(value, Math.min(1024, Math.max(20, each - name.length))),
        inline: true,
      };
    });
  }
  // Discord shows a footer as plain text: no Markdown to escape, and no mention it would read.
  if (message.footer !== undefined)
    embed.footer = { text: clipText(defuseBroadcasts(stripInvisible(message.footer)), 2048) };
  // The description gets what the embed's 6,000 characters leave after everything else.
  const used =
    (embed.title?.length ?? 0) +
    (embed.footer?.text.length ?? 0) +
    (embed.fields ?? []).reduce((sum, f) => sum + f.name.length + f.value.length, 0);
  const description = joinWithin(parts, Math.min(DESCRIPTION, EMBED_TOTAL - used));
  if (description !== '') embed.description = description;
  return {
    content: '',
    embeds: [embed],
    components:
      message.buttons.length === 0 ? [] : [{ type: 1, components: buttons(message.buttons) }],
  };
}

/** Parts in order, while they fit; what does not fit is counted, not cut mid-way. */
function joinWithin(parts: readonly string[], max: number): string {
  let out = '';
  for (const [i, part] of parts.entries()) {
    const next = out === '' ? part : `${out}\n\n${part}`;
    if (next.length <= max - 40) {
      out = next;
      continue;
    }
    const left = parts.length - i;
    if (out === '') return clipText(part, max);
    return `${out}\n\n*… ${left} more part${left === 1 ? '' : 's'} not shown*`;
  }
  return out;
}

/** The product's links on one line; a URL that is not http(s) is left out. */
function linkLine(links: readonly Link[]): string {
  return links
    .flatMap((l) => {
      const href = webHref(l.url);
      return href === undefined ? [] : [discordLink(href, l.label)];
    })
    .join(' · ');
}

function fence(code: string): string {
  // A fence inside the code would end the block early. Discord reads no mention inside one,
  // but `@everyone` copied out of it would.
  return `\`\`\`\n${defuseBroadcasts(stripInvisible(code)).replace(/```/g, 'ʼʼʼ')}\n\`\`\``;
}

const STYLE = { primary: 1, default: 2, danger: 4 } as const;

/** A button's custom_id is its action and value: `command:status`. */
function buttons(list: readonly Button[]): DiscordButton[] {
  const seen = new Set<string>();
  return list.flatMap((b) => {
    const customId = `${b.action}:${b.value}`.slice(0, 100);
    if (seen.has(customId)) return [];
    seen.add(customId);
    return [{ type: 2, style: STYLE[b.style], label: clipText(b.label, 80), custom_id: customId }];
  });
}

/** The action and value of a button from its custom_id. */
export function parseCustomId(customId: string): { action: string; value: string } | undefined {
  const at = customId.indexOf(':');
  if (at <= 0) return undefined;
  return { action: customId.slice(0, at), value: customId.slice(at + 1) };
}
