import { z } from 'zod';

/**
 * The neutral chat message: what the worker says, before any platform renders it. Limits follow
 * the strictest platform so that every renderer can show a message whole.
 *
 * What each part may carry, whoever wrote it (alert labels, cluster data, model answers all end
 * up here): `headline`, `footer`, field labels and values, section titles and button labels are
 * plain text, shown exactly as written and never as markup. `text` and a section's `text` are
 * Markdown from an untrusted author: emphasis, code and lists show as such, but a link shows its
 * real URL and a mention (`<!channel>`, `@everyone`, `<@U…>`) shows as inert text. `code` is
 * shown as typed, in a fixed-width font. Only links (`links`, an http(s) URL under a label the
 * product chose) and buttons are markup the product makes itself.
 */
export const LIMITS = {
  headline: 300,
  text: 3000,
  fields: 10,
  fieldLabel: 100,
  fieldValue: 1000,
  sections: 20,
  sectionTitle: 300,
  links: 5,
  linkLabel: 75,
  url: 2000,
  footer: 300,
  buttons: 5,
  buttonLabel: 75,
  /** Discord's custom_id holds 100 characters, and the action's name goes with the value. */
  buttonValue: 80,
} as const;

export const Tone = z.enum(['critical', 'warning', 'info', 'resolved', 'neutral']);
export type Tone = z.infer<typeof Tone>;

export const Field = z.object({
  label: z.string().min(1).max(LIMITS.fieldLabel),
  value: z.string().max(LIMITS.fieldValue),
});
export type Field = z.infer<typeof Field>;

export const Link = z.object({
  label: z.string().min(1).max(LIMITS.linkLabel),
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(LIMITS.url),
});
export type Link = z.infer<typeof Link>;

export const Section = z.object({
  title: z.string().max(LIMITS.sectionTitle).optional(),
  text: z.string().max(LIMITS.text).optional(),
  /** Preformatted text shown in a fixed-width font: a table, a diff, log lines. */
  code: z.string().max(LIMITS.text).optional(),
  /**
   * Shown whole or not at all: renderers never shorten this section's code (the producer made
   * sure it fits every platform). For what a person must see entirely, such as a card's changes.
   */
  whole: z.boolean().optional(),
  fields: z.array(Field).max(LIMITS.fields).default([]),
  links: z.array(Link).max(LIMITS.links).default([]),
});
export type Section = z.infer<typeof Section>;

/**
 * What a button asks for when clicked. `command`: run the value as a command, as the person who
 * clicked (checked against the channel's binding like anything typed). `approve` and `reject`:
 * decide the proposal whose id is the value, if the person who clicked may. `feedback`: record
 * the clicker's 👍 or 👎 of the answer or report the value names (`up.<key>`, `down.<key>`).
 * `silence`: propose a 2-hour silence of the alert group the value names (its id), shown as a
 * card that the channel's approvers decide like any other proposal.
 */
const BUTTON_ACTIONS = ['command', 'approve', 'reject', 'feedback', 'silence'] as const;
export const ButtonAction = z.enum(BUTTON_ACTIONS);
export type ButtonAction = z.infer<typeof ButtonAction>;

export const Button = z.object({
  action: ButtonAction,
  label: z.string().min(1).max(LIMITS.buttonLabel),
  value: z.string().min(1).max(LIMITS.buttonValue),
  style: z.enum(['primary', 'danger', 'default']).default('default'),
});
export type Button = z.infer<typeof Button>;

export const ChatMessage = z
  .object({
    headline: z.string().max(LIMITS.headline).optional(),
    text: z.string().max(LIMITS.text).optional(),
    tone: Tone.default('neutral'),
    fields: z.array(Field).max(LIMITS.fields).default([]),
    sections: z.array(Section).max(LIMITS.sections).default([]),
    links: z.array(Link).max(LIMITS.links).default([]),
    buttons: z.array(Button).max(LIMITS.buttons).default([]),
    footer: z.string().max(LIMITS.footer).optional(),
  })
  .refine((message) => message.headline !== undefined || message.text !== undefined, {
    message: 'needs a headline or a text',
  });
export type ChatMessage = z.infer<typeof ChatMessage>;
export type ChatMessageInput = z.input<typeof ChatMessage>;

/**
 * Makes a message fit the limits whatever its content: text from alerts and clusters can be any
 * length, and a message that cannot be sent is a message lost. Long strings are cut with `…`,
 * extra items dropped, links that are not http(s) removed.
 */
export function fitMessage(message: ChatMessageInput): ChatMessageInput {
  const fitted: ChatMessageInput = {
    tone: message.tone ?? 'neutral',
    fields: fitFields(message.fields),
    sections: (message.sections ?? []).slice(0, LIMITS.sections).map((section) => {
      const out: z.input<typeof Section> = {
        fields: fitFields(section.fields),
        links: fitLinks(section.links),
        ...(section.whole === undefined ? {} : { whole: section.whole }),
      };
      if (section.title !== undefined) out.title = clip(section.title, LIMITS.sectionTitle);
      if (section.text !== undefined) out.text = clip(section.text, LIMITS.text);
      if (section.code !== undefined) out.code = clip(section.code, LIMITS.text);
      return out;
    }),
    links: fitLinks(message.links),
    buttons: (message.buttons ?? []).slice(0, LIMITS.buttons).map((button) => ({
      ...button,
      label: clip(button.label, LIMITS.buttonLabel),
    })),
  };
  if (message.headline !== undefined) fitted.headline = clip(message.headline, LIMITS.headline);
  if (message.text !== undefined) fitted.text = clip(message.text, LIMITS.text);
  if (message.footer !== undefined) fitted.footer = clip(message.footer, LIMITS.footer);
  return fitted;
}

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function fitFields(fields: readonly Field[] | undefined): Field[] {
  return (fields ?? [])
    .filter((field) => field.label !== '')
    .slice(0, LIMITS.fields)
    .map((field) => ({
      label: clip(field.label, LIMITS.fieldLabel),
      value: clip(field.value, LIMITS.fieldValue),
    }));
}

function fitLinks(links: readonly Link[] | undefined): Link[] {
  return (links ?? [])
    .flatMap((link) => {
      const url = webHref(link.url);
      if (link.label === '' || url === undefined) return [];
      return [{ label: clip(link.label, LIMITS.linkLabel), url }];
    })
    .slice(0, LIMITS.links);
}

/** Characters kept out of a link target, because one chat markup or another ends a link at them. */
const LINK_BREAKERS = /[\s"'<>`|()[\]{}\\^]/g;

/**
 * An http(s) URL made safe to put inside any chat's link markup (Slack's `<url|label>`, Discord's
 * `[label](url)` and `<url>`, an HTML href), or undefined when it is not one. The host is shown
 * in ASCII (punycode, so a look-alike domain looks different), credentials are dropped (so
 * `https://good.example@evil.example` cannot pass for the first host), and every character that
 * could end the link early is percent-encoded, which changes nothing about where it leads.
 */
export function webHref(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (!/^[A-Za-z0-9._\-[\]:]+$/.test(url.host)) return undefined;
  url.username = '';
  url.password = '';
  const rest = `${url.pathname}${url.search}${url.hash}`.replace(
    LINK_BREAKERS,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
  const href = `${url.protocol}//${url.host}${rest}`;
  return href.length > LIMITS.url ? undefined : href;
}
