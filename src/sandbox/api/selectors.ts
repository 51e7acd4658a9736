import type { ResourceType } from './catalog.ts';
import { fieldReader } from './field-labels.ts';
import { meets, parseLabelSelector } from './label-selector.ts';
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
  const requirements = parseLabelSelector(selector);
  return (object) => {
    const labels = object.metadata.labels ?? {};
    return requirements.every((r) => meets(labels, r));
  };
}

/**
 * A field selector for objects of `type`: comma-separated `field=value`, `field==value` or
 * `field!=value` terms, a backslash escaping `\`, `,` and `=` in a value. Only the fields the
 * kind supports may be named.
 */
export function fieldMatcher(
  selector: string | undefined,
  type: ResourceType,
): (object: KObject) => boolean {
  if (selector === undefined || selector === '') return () => true;
  const requirements = splitFieldTerms(selector)
    .sort()
    .filter((term) => term !== '')
    .map((term) => {
      const split = splitFieldTerm(term);
      if (split === undefined)
        throw new ApiError(
          400,
          'BadRequest',
          `invalid selector: '${selector}'; can't understand '${term}'`,
        );
      const [key, op, raw] = split;
      const value = unescapeFieldValue(raw);
      const read = fieldReader(type, key);
      const requirement: Requirement = { key, op: op === '!=' ? 'ne' : 'eq', values: [value] };
      return { ...requirement, read };
    });
  return (object) => requirements.every((r) => matches(r.read(object), r));
}

/** Splits on commas that no backslash escapes; the escapes stay in the terms. */
function splitFieldTerms(selector: string): string[] {
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (escaped) escaped = false;
    else if (c === '\\') escaped = true;
    else if (c === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

/** The first operator in the term splits it; `!=` and `==` are tried before `=` at each place. */
function splitFieldTerm(term: string): [string, string, string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '=']) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

function unescapeFieldValue(raw: string): string {
  let out = '';
  let escaped = false;
  for (const c of raw) {
    if (escaped) {
      if (c !== '\\' && c !== ',' && c !== '=')
        throw new ApiError(
          400,
          'BadRequest',
          `invalid field selector: invalid escape sequence: \\${c}`,
        );
      out += c;
      escaped = false;
    } else if (c === '\\') {
      escaped = true;
    } else if (c === ',' || c === '=') {
      // Go prints the rune as its number.
      throw new ApiError(
        400,
        'BadRequest',
        `invalid field selector: unescaped character in value: ${c.codePointAt(0)}`,
      );
    } else {
      out += c;
    }
  }
  if (escaped)
    throw new ApiError(400, 'BadRequest', 'invalid field selector: invalid escape sequence: \\');
  return out;
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
