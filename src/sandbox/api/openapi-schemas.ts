import type { ResourceType } from './catalog.ts';
import { ACCESS_TYPES } from './openapi-access-types.ts';
import { CORE_TYPES } from './openapi-core-types.ts';
import type { TypeDescription } from './openapi-types.ts';
import { WORKLOAD_TYPES } from './openapi-workload-types.ts';

/**
 * OpenAPI v3 component schemas, in the API server's shapes, from the compact descriptions in
 * openapi-types.ts: what `kubectl explain` walks. References are `allOf: [{$ref}]` beside the
 * field's description, kinds carry `x-kubernetes-group-version-kind`. IntOrString and Quantity
 * have no `type`, as there, so kubectl names them instead of printing `string`.
 */
type Schema = Record<string, unknown>;

const WELL_KNOWN: Record<string, { name: string; schema: Schema }> = {
  IntOrString: {
    name: 'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
    schema: { format: 'int-or-string', description: 'An int32 or a string.' },
  },
  Quantity: {
    name: 'io.k8s.apimachinery.pkg.api.resource.Quantity',
    schema: { description: 'A fixed-point number with a suffix, such as 100m or 64Mi.' },
  },
  Time: {
    name: 'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
    schema: { type: 'string', format: 'date-time', description: 'A time in RFC 3339 form.' },
  },
};

const TYPES: Record<string, TypeDescription> = {
  ...CORE_TYPES,
  ...WORKLOAD_TYPES,
  ...ACCESS_TYPES,
};

const PRIMITIVES = new Set(['string', 'integer', 'number', 'boolean']);

/** `core.v1.Pod` as the API server names its schema. */
function schemaName(key: string): string {
  const wellKnown = WELL_KNOWN[key];
  if (wellKnown !== undefined) return wellKnown.name;
  return key.startsWith('meta.') ? `io.k8s.apimachinery.pkg.apis.${key}` : `io.k8s.api.${key}`;
}

function qualify(type: string, owner: string): string {
  if (WELL_KNOWN[type] !== undefined || type.includes('.')) return type;
  return `${owner.split('.').slice(0, 2).join('.')}.${type}`;
}

function fieldSchema(type: string, owner: string, found: Set<string>): Schema {
  if (PRIMITIVES.has(type)) return { type };
  if (type === 'object') return { type: 'object' };
  if (type === 'map')
    return { type: 'object', additionalProperties: { type: 'string', default: '' } };
  if (type.startsWith('map:')) {
    // Map values name their type directly, as the API server's documents do.
    const value = fieldSchema(type.slice(4), owner, found);
    const [ref] = (value.allOf as Schema[] | undefined) ?? [];
    return { type: 'object', additionalProperties: ref ?? value };
  }
  if (type.startsWith('[]'))
    return { type: 'array', items: fieldSchema(type.slice(2), owner, found) };
  const key = qualify(type, owner);
  found.add(key);
  return { allOf: [{ $ref: `#/components/schemas/${schemaName(key)}` }] };
}

function typeSchema(key: string, found: Set<string>): Schema {
  const wellKnown = WELL_KNOWN[key];
  if (wellKnown !== undefined) return wellKnown.schema;
  const type = TYPES[key];
  if (type === undefined) return { type: 'object' };
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  for (const [field, spec] of Object.entries(type.fields)) {
    const [raw = 'string', ...words] = spec.split(' ');
    const fieldType = raw.replace(/^!/, '');
    if (raw.startsWith('!')) required.push(field);
    properties[field] = { ...fieldSchema(fieldType, key, found), description: words.join(' ') };
  }
  return {
    type: 'object',
    description: type.description,
    properties,
    ...(required.length > 0 ? { required } : {}),
  };
}

/** The schemas of the kinds given and of every type they reach. */
export function schemasFor(types: ResourceType[]): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  const found = new Set<string>();
  const kinds = new Map<string, ResourceType>();
  for (const r of types) {
    const key = `${r.group === '' ? 'core' : r.group.split('.')[0]}.${r.version}.${r.kind}`;
    if (TYPES[key] === undefined) continue;
    kinds.set(key, r);
    found.add(key);
  }
  const done = new Set<string>();
  while (done.size < found.size) {
    for (const key of [...found]) {
      if (done.has(key)) continue;
      done.add(key);
      const schema = typeSchema(key, found);
      const r = kinds.get(key);
      if (r !== undefined)
        schema['x-kubernetes-group-version-kind'] = [
          { group: r.group, kind: r.kind, version: r.version },
        ];
      out[schemaName(key)] = schema;
    }
  }
  return out;
}
