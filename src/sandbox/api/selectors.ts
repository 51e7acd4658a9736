import type { ResourceType } from './catalog.ts';
import { fieldReader } from './field-labels.ts';
import { ApiError, type KObject } from './store.ts';

/**
 * Label selectors (`app=web,tier!=db,env in (a,b),!legacy`) and field selectors
 * (`metadata.name=x,status.phase!=Failed`) as the API server reads them from a query.
 */
type Requirement = {
  key: string;
  op: 'eq' | 'ne' | 'in' | 'notin' | 'exists' | 'absent';
  values: string[];
};

export function labelMatcher(selector: string | undefined): (object: KObject) => boolean {
  if (selector === undefined || selector.trim() === '') return () => true;
  const requirements = splitTerms(selector).map(parseLabelTerm);
  return (object) => {
    const labels = object.metadata.labels ?? {};
    return requirements.every((r) => matches(labels[r.key], r));
  };
}

/** A field selector for objects of `type`; only the fields the kind supports may be named. */
export function fieldMatcher(
  selector: string | undefined,
  type: ResourceType,
): (object: KObject) => boolean {
  if (selector === undefined || selector.trim() === '') return () => true;
  const requirements = splitTerms(selector).map((term) => {
    const match = /^([A-Za-z0-9_.]+)\s*(==|!=|=)\s*(.*)$/.exec(term);
    if (match === null) {
      throw new ApiError(
        400,
        'BadRequest',
        `unable to parse requirement: invalid field selector: "${term}"`,
      );
    }
    const [, key = '', op, value = ''] = match;
    const read = fieldReader(type, key);
    const requirement: Requirement = { key, op: op === '!=' ? 'ne' : 'eq', values: [value] };
    return { ...requirement, read };
  });
  return (object) => requirements.every((r) => matches(r.read(object), r));
}

/** A Deployment's or ReplicaSet's `spec.selector` as a predicate on labels. */
export function selectorMatcher(
  selector: unknown,
): (labels: Record<string, string> | undefined) => boolean {
  const spec = (selector ?? {}) as {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  };
  return (labels = {}) => {
    for (const [key, value] of Object.entries(spec.matchLabels ?? {})) {
      if (labels[key] !== value) return false;
    }
    for (const expr of spec.matchExpressions ?? []) {
      const op = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: 'absent' } as const)[
        expr.operator as 'In'
      ];
      if (
        op === undefined ||
        !matches(labels[expr.key], { key: expr.key, op, values: expr.values ?? [] })
      ) {
        return false;
      }
    }
    return true;
  };
}

function matches(value: string | undefined, r: Requirement): boolean {
  switch (r.op) {
    case 'eq':
      return value === r.values[0];
    case 'ne':
      return value !== r.values[0];
    case 'in':
      return value !== undefined && r.values.includes(value);
    case 'notin':
      return value === undefined || !r.values.includes(value);
    case 'exists':
      return value !== undefined;
    case 'absent':
      return value === undefined;
  }
}

function parseLabelTerm(term: string): Requirement {
  const set = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (set !== null) {
    const [, key = '', op, values = ''] = set;
    return {
      key,
      op: op === 'in' ? 'in' : 'notin',
      values: values
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    };
  }
  const pair = /^([^\s!=]+)\s*(==|!=|=)\s*([^\s]*)$/.exec(term);
  if (pair !== null) {
    const [, key = '', op, value = ''] = pair;
    return { key, op: op === '!=' ? 'ne' : 'eq', values: [value] };
  }
  if (/^![^\s!=]+$/.test(term)) return { key: term.slice(1), op: 'absent', values: [] };
  if (/^[^\s!=(),]+$/.test(term)) return { key: term, op: 'exists', values: [] };
  throw new ApiError(
    400,
    'BadRequest',
    `unable to parse requirement: invalid label selector: "${term}"`,
  );
}

/** Splits on commas that are not inside `in (...)` sets. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of selector) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      terms.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  if (current.trim() !== '') terms.push(current.trim());
  return terms;
}
