import {
  defuseBroadcasts,
  extractLinks,
  labelIsUrl,
  restoreLinks,
  stripInvisible,
} from '../untrusted-text.ts';

/**
 * Text in Slack's mrkdwn, from authors who must not make markup. Slack reads `<…>` as links and
 * mentions (`<!channel>`, `<@U…>`, `<#C…>`, `<!subteam^…>`) and has no other escape than `&amp;`,
 * `&lt;` and `&gt;`: with those three escaped no text can make either. Every text object is also
 * sent with `verbatim: true`, so Slack does not turn `@here` or a channel name into one itself.
 */

/** Plain text: shown exactly as written. */
export function escapeMrkdwn(text: string): string {
  return escapeStripped(stripInvisible(text));
}

/** Text `stripInvisible` has been through (which keeps the link placeholders out of it). */
function escapeStripped(text: string): string {
  return defuseBroadcasts(text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
}

/**
 * Markdown from the agents (or an alert's description) as Slack shows it: `**bold**` and
 * `# heading` become Slack's bold, code and lists stay as they are, and a link shows its real
 * URL after its label (`Approve here (https://evil.example)`), never hidden behind it.
 */
export function mrkdwn(text: string): string {
  const { text: held, links } = extractLinks(stripInvisible(text));
  const marked = escapeStripped(held)
    .replace(/^#{1,6}[ \t]+(.+)$/gm, '*$1*')
    .replace(/\*\*(.+?)\*\*/g, '*$1*');
  return restoreLinks(marked, links, (link) =>
    labelIsUrl(link) ? `<${link.href}>` : `${escapeMrkdwn(link.label ?? '')} (<${link.href}>)`,
  );
}

/** A link the product makes: its own label, an http(s) URL already made safe by `webHref`. */
export function slackLink(href: string, label: string): string {
  return `<${href}|${escapeMrkdwn(label).replace(/\|/g, '¦')}>`;
}
