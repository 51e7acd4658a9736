/**
 * A compact description of the served kinds for `kubectl explain`: per type, a sentence and its
 * fields, each `type description`. A type is `string`, `integer`, `number`, `boolean`, `object`
 * (free-form), `map` (strings by name), `map:T`, `[]T`, another type of this list (unqualified
 * names are in the same group version), or the apimachinery types `IntOrString`, `Quantity`
 * and `Time`. A leading `!` marks a required field. Not the whole API: the fields people reach
 * for, in the real field names and types.
 */
export type TypeDescription = { description: string; fields: Record<string, string> };

const OBJECT_FIELDS = {
  apiVersion: 'string The versioned schema of this representation of an object.',
  kind: 'string The REST resource this object represents.',
  metadata: "meta.v1.ObjectMeta Standard object's metadata.",
};

/** A kind's description: its own fields after apiVersion, kind and metadata. */
export function kind(description: string, fields: Record<string, string>): TypeDescription {
  return { description, fields: { ...OBJECT_FIELDS, ...fields } };
}
