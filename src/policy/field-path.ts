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
    if ('item' in part) out += `[${part.item}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(part.key)) out += out === '' ? part.key : `.${part.key}`;
    else out += `[${JSON.stringify(part.key)}]`;
  }
  return out;
}

/** The map keys of a path, without its list items. */
export function keysOf(parts: readonly PathPart[]): string[] {
  return parts.flatMap((p) => ('key' in p ? [p.key] : []));
}
