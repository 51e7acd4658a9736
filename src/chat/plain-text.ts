import type { ChatMessageInput } from './message.ts';

/** A message as plain text, for the terminal: the same content the chat platforms render. */
export function renderPlainText(message: ChatMessageInput): string {
  const out: string[] = [];
  if (message.headline !== undefined) out.push(message.headline);
  if (message.text !== undefined) out.push(message.text);
  const fields = message.fields ?? [];
  if (fields.length > 0) out.push(fields.map((f) => `${f.label}: ${f.value}`).join('   '));
  for (const section of message.sections ?? []) {
    out.push('');
    if (section.title !== undefined) out.push(`== ${section.title}`);
    if (section.text !== undefined) out.push(section.text);
    if (section.code !== undefined) out.push(section.code.replace(/^/gm, '  '));
    for (const f of section.fields ?? []) out.push(`${f.label}: ${f.value}`);
    for (const l of section.links ?? []) out.push(`${l.label}: ${l.url}`);
  }
  for (const l of message.links ?? []) out.push(`${l.label}: ${l.url}`);
  if (message.footer !== undefined) out.push('', message.footer);
  return `${out.join('\n')}\n`;
}
