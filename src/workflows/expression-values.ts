/**
 * Values into and out of CEL. In: whole numbers become CEL ints (so `steps.x.lines + 1` works on
 * a step's JSON), and the data is bounded, since an expression's work grows with it. Out: ints
 * become numbers again, timestamps ISO strings, so callers see plain JSON-like values.
 */
export type ExpressionValue =
  | string
  | number
  | boolean
  | null
  | readonly ExpressionValue[]
  | { readonly [key: string]: ExpressionValue };

const CONTEXT_BOUNDS = { values: 100_000, chars: 1_000_000, depth: 32 } as const;

export class ContextTooLarge extends Error {}

type Budget = { values: number; chars: number };

export function toCel(value: unknown): unknown {
  return inward(value, { values: 0, chars: 0 }, 0);
}

function inward(value: unknown, budget: Budget, depth: number): unknown {
  budget.values++;
  if (budget.values > CONTEXT_BOUNDS.values)
    throw new ContextTooLarge(`more than ${CONTEXT_BOUNDS.values} values`);
  if (depth > CONTEXT_BOUNDS.depth)
    throw new ContextTooLarge(`nested deeper than ${CONTEXT_BOUNDS.depth}`);
  if (typeof value === 'string') {
    budget.chars += value.length;
    if (budget.chars > CONTEXT_BOUNDS.chars)
      throw new ContextTooLarge(`more than ${CONTEXT_BOUNDS.chars} characters`);
    return value;
  }
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map((item) => inward(item, budget, depth + 1));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) out[key] = inward(item, budget, depth + 1);
    }
    return out;
  }
  return value ?? null;
}

export function fromCel(value: unknown): ExpressionValue {
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint')
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(fromCel);
  if (value instanceof Map)
    return Object.fromEntries([...value].map(([key, item]) => [String(key), fromCel(item)]));
  if (isPlainObject(value))
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fromCel(item)]));
  return String(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
