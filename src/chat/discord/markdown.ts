import {
  defuseBroadcasts,
  extractLinks,
  labelIsUrl,
  restoreLinks,
  stripInvisible,
} from '../untrusted-text.ts';

/**
 * Text in Discord's Markdown, from authors who must not make markup. Discord reads a backslash
 * before any punctuation as "show this character", so escaping is a backslash; mentions are
 * `@everyone`, `@here` and `<@…>`, `<@&…>`, `<#…>`, `</…>` forms, and links `[label](url)`.
 * Messages are also sent with `allowed_mentions` parsing nothing, so even a mention that got
 * through would ping no one.
 */

/** `<` that would open a mention, a channel, a command, an emoji, a timestamp or a link. */
const ANGLE_SYNTAX = /<(?=[@#:/!]|a:|t:|id:|https?:)/gi;

/** Plain text: shown exactly as written. */
export function escapeDiscord(text: string): string {
  return defuseBroadcasts(
    stripInvisible(text)
      .replace(/[\\*_~`|[\]()<>]/g, '\\$&')
      .replace(/^([ \t]*)([#>-])/gm, '$1\\$2'),
  );
}

/**
 * Markdown from the agents (or an alert's description) as Discord shows it: emphasis, code and
 * lists stay, a link shows its real URL after its label (`Approve here (<https://evil.example>)`,
 * never hidden behind it), and a mention shows as the text it is.
 */
export function discordMarkdown(text: string): string {
  const { text: held, links } = extractLinks(stripInvisible(text));
  const inert = defuseBroadcasts(
    held
      // A backslash already there would pair with the one added below and undo it: `\\<@&1>`
      // reads as a literal backslash and a live mention. Doubled, it stays a backslash.
      .replace(/\\(?=[\\<\]])/g, '\\\\')
      .replace(ANGLE_SYNTAX, '\\<')
      // Whatever `extractLinks` did not take for a link (another scheme, a title, odd spacing)
      // must not become one: `[label](` with its bracket escaped is plain text to Discord.
      .replace(/\](?=\s{0,3}\()/g, '\\]'),
  );
  return restoreLinks(inert, links, (link) =>
    labelIsUrl(link) ? `<${link.href}>` : `${escapeDiscord(link.label ?? '')} (<${link.href}>)`,
  );
}

/** A link the product makes: its own label, an http(s) URL already made safe by `webHref`. */
export function discordLink(href: string, label: string): string {
  return `[${escapeDiscord(label)}](${href})`;
}
