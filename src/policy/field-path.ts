/**
 * Paths to the fields of a Kubernetes object, as a change touches them and as people read them:
 * `spec.template.spec.containers[api].securityContext.privileged`.
 */

/** One step of a path: a map key, or an item of a list (by its name where names are unique). */
export type PathPart = { key: string } | { item: string };

/** A field a change touches, with its value before and after (undefined: not set). */
export type LeafChange = { parts: readonly PathPart[]; before: unknown; after: unknown };

export function pathText(parts: readonly PathPart[]): string {
  let out = '';
  for (const part of parts) {
    if ('item' in part) out += `[${/^#?[\w.-]+$/.test(part.item) ? part.item : quoted(part.item)}]`;
    else if (part.key === '(order)') out += ' (order)';
    else if (/^[A-Za-z_$][\w$-]*$/.test(part.key)) out += out === '' ? part.key : `.${part.key}`;
    else out += `[${quoted(part.key)}]`;
  }
  return out;
}

function quoted(text: string): string {
  return visible(JSON.stringify(text));
}

/**
 * Characters that would make one line read as two, or reverse how it reads (line and paragraph
 * separators, bidirectional and other format controls), written as escapes so a value cannot
 * forge or disguise a line of a card.
 */
export function visible(text: string): string {
  return text.replace(
    /[\p{Cf}\p{Zl}\p{Zp}]/gu,
    (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  );
}

/** The map keys of a path, without its list items. */
export function keysOf(parts: readonly PathPart[]): string[] {
  return parts.flatMap((p) => ('key' in p ? [p.key] : []));
}
