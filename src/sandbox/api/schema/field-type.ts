/**
 * A compact description of the fields of the kinds the sandbox serves: enough to refuse what
 * the real API server cannot decode (wrong JSON types), to find fields it does not know, and to
 * merge lists by their real merge keys in strategic merge patches. Objects described without
 * `fields` stay open: anything inside them is kept as sent. The shape is plain data so that an
 * OpenAPI document could be generated from it.
 */
export type Scalar = 'string' | 'integer' | 'number' | 'boolean';

export type FieldType =
  | { readonly kind: 'scalar'; readonly json: Scalar; readonly go: string }
  /** `intstr.IntOrString` and `resource.Quantity`: a string or a number. */
  | { readonly kind: 'int-or-string'; readonly go: string }
  /** `[]byte`: a base64 string. */
  | { readonly kind: 'bytes'; readonly go: string }
  | {
      readonly kind: 'object';
      readonly go: string;
      readonly fields?: Readonly<Record<string, FieldType>>;
    }
  | {
      readonly kind: 'list';
      readonly go: string;
      readonly items: FieldType;
      /** `patchStrategy: merge`: items with the same merge key merge; without a key, a set. */
      readonly merge?: { readonly key?: string };
    }
  | { readonly kind: 'map'; readonly go: string; readonly values: FieldType };

export type ObjectType = Extract<FieldType, { kind: 'object' }>;
export type Fields = Readonly<Record<string, FieldType>>;

export const string: FieldType = { kind: 'scalar', json: 'string', go: 'string' };
export const int32: FieldType = { kind: 'scalar', json: 'integer', go: 'int32' };
export const int64: FieldType = { kind: 'scalar', json: 'integer', go: 'int64' };
export const bool: FieldType = { kind: 'scalar', json: 'boolean', go: 'bool' };
export const intOrString: FieldType = { kind: 'int-or-string', go: 'intstr.IntOrString' };
export const quantity: FieldType = { kind: 'int-or-string', go: 'resource.Quantity' };
export const bytes: FieldType = { kind: 'bytes', go: '[]uint8' };
export const strings = listOf(string);
export const stringMap = mapOf(string);
export const quantities = mapOf(quantity);

/** A struct; `go` is its Go type (`v1.PodSpec`), named in decoding errors as the real server does. */
export function struct(go: string, fields?: Fields): ObjectType {
  return fields === undefined ? { kind: 'object', go } : { kind: 'object', go, fields };
}

export function listOf(items: FieldType): FieldType {
  return { kind: 'list', go: `[]${items.go}`, items };
}

/** A list with `patchStrategy: merge`, by `key` (or a set of scalars without one). */
export function mergedList(items: FieldType, key?: string): FieldType {
  return {
    kind: 'list',
    go: `[]${items.go}`,
    items,
    merge: key === undefined ? {} : { key },
  };
}

export function mapOf(values: FieldType): FieldType {
  return { kind: 'map', go: `map[string]${values.go}`, values };
}

/** `[]metav1.Condition`-like lists, merged by `type`. */
export function conditions(go: string): FieldType {
  return mergedList(struct(go), 'type');
}
