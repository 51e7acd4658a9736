import { webHref } from './message.ts';

/**
 * What the chat renderers share to keep text from alerts, clusters and models from making
 * markup: characters that hide or reorder what a reader sees are removed, and links are found
 * before any escaping so each platform can show them by their real URL.
 */

/**
 * Characters that show nothing yet change what text means to a reader or a parser: zero-width
 * spaces and joiners (`@\u200beveryone`), bidirectional controls (which can show a URL backwards),
 * the soft hyphen, Hangul fillers and the byte-order mark (variation selectors stay: emoji need
 * them). Also the private-use characters the renderers use as placeholders, so no text can forge
 * one.
 */
const INVISIBLE =
  /[\u00AD\u061C\u115F\u1160\u17B4\u17B5\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFEFF\uFFA0\uE000\uE001]/g;

export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, '');
}

/** Writes that ping a whole channel or server when a platform reads them as mentions. */
const BROADCAST = /@(everyone|here|channel)\b/gi;

/**
 * `@everyone` with a zero-width space after the `@`, as discord.js's `cleanContent` does: it
 * reads the same and no platform takes it for a mention.
 */
export function defuseBroadcasts(text: string): string {
  return text.replace(BROADCAST, '@\u200b$1');
}

type LinkToken = { href: string; label: string | undefined };

/**
 * Markdown links (`[label](url)`) and bare http(s) URLs in untrusted text, swapped for
 * placeholders (private-use characters no text can hold once `stripInvisible` has run) that
 * `restoreLinks` turns back into each platform's way of showing a URL plainly. A Markdown link
 * to anything but http(s) stays as text, to be escaped with the rest.
 */
export function extractLinks(text: string): { text: string; links: LinkToken[] } {
  const links: LinkToken[] = [];
  const hold = (href: string, label: string | undefined) => {
    links.push({ href, label });
    return `\uE000${links.length - 1}\uE001`;
  };
  const withoutMarkdownLinks = text.replace(
    /\[([^\]\n]{1,200})\]\( {0,3}<?([^\s()<>]{1,2000})>? {0,3}\)/g,
    (whole, label: string, url: string) => {
      const href = webHref(url);
      return href === undefined ? whole : hold(href, label.trim());
    },
  );
  const out = withoutMarkdownLinks.replace(
    /\bhttps?:\/\/[^\s<>\uE000\uE001]{1,2000}/gi,
    (found) => {
      const url = withoutTrailingPunctuation(found);
      const href = webHref(url);
      return href === undefined ? found : `${hold(href, undefined)}${found.slice(url.length)}`;
    },
  );
  return { text: out, links };
}

/**
 * Punctuation that ends a sentence is not part of the URL before it. A loop, not `[…]+$`, which
 * would take quadratic time on a long run of dots.
 */
function withoutTrailingPunctuation(url: string): string {
  let end = url.length;
  while (end > 0 && `.,;:!?'")]`.includes(url.charAt(end - 1))) end--;
  return url.slice(0, end);
}

/** Puts each link back as `show(link)` returns it. */
export function restoreLinks(
  text: string,
  links: readonly LinkToken[],
  show: (link: LinkToken) => string,
): string {
  return text.replace(/\uE000(\d+)\uE001/g, (whole, index: string) => {
    const link = links[Number(index)];
    return link === undefined ? whole : show(link);
  });
}

/**
 * Whether a link's label says nothing beyond its URL (`[https://x.example](https://x.example)`),
 * so showing the URL alone loses nothing.
 */
export function labelIsUrl(link: LinkToken): boolean {
  if (link.label === undefined) return true;
  const label = link.label.replace(/\/$/, '');
  return label === link.href.replace(/\/$/, '') || webHref(label) === link.href;
}
