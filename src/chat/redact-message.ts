import { redactText } from '../policy/redact.ts';
import { REDACTED } from '../policy/redacted.ts';
import { isHarmlessValue, isSecretKey } from '../policy/secret-key.ts';
import { ChatMessage, type ChatMessageInput, type Field, fitMessage, Link } from './message.ts';

/**
 * The last redaction before chat: every text a person will read (headline, text, fields,
 * sections, link labels, footer) passes `redactText` once more, whoever wrote it, and a field
 * whose label names a secret shows none. What the product itself acts on stays exact: an
 * approve/reject button's value is a proposal id; a command button or a link whose text
 * redaction would change is dropped rather than sent broken. The result is fitted to the
 * limits again, since a redacted text can be longer than the secret it replaced.
 */
export function redactMessage(message: ChatMessageInput): ChatMessage {
  const out: ChatMessageInput = {
    tone: message.tone ?? 'neutral',
    fields: (message.fields ?? []).map(redactField),
    sections: (message.sections ?? []).map((section) => {
      const redacted: typeof section = {
        fields: (section.fields ?? []).map(redactField),
        links: redactLinks(section.links),
      };
      if (section.title !== undefined) redacted.title = redactText(section.title);
      if (section.text !== undefined) redacted.text = redactText(section.text);
      if (section.code !== undefined) redacted.code = redactText(section.code);
      return redacted;
    }),
    links: redactLinks(message.links),
    buttons: (message.buttons ?? []).flatMap(redactButton),
  };
  if (message.headline !== undefined) out.headline = redactText(message.headline);
  if (message.text !== undefined) out.text = redactText(message.text);
  if (message.footer !== undefined) out.footer = redactText(message.footer);
  return ChatMessage.parse(fitMessage(out));
}

function redactField(field: Field): Field {
  const secret = isSecretKey(field.label) && !isHarmlessValue(field.value, field.label);
  return { label: redactText(field.label), value: secret ? REDACTED : redactText(field.value) };
}

function redactLinks(links: readonly Link[] | undefined): Link[] {
  return (links ?? []).flatMap((link) => {
    const url = redactText(link.url);
    if (url !== link.url || !Link.safeParse(link).success) return [];
    return [{ label: redactText(link.label), url }];
  });
}

type ButtonInput = NonNullable<ChatMessageInput['buttons']>[number];

function redactButton(button: ButtonInput): ButtonInput[] {
  const label = redactText(button.label);
  if (button.action !== 'command') return [{ ...button, label }];
  return redactText(button.value) === button.value ? [{ ...button, label }] : [];
}
