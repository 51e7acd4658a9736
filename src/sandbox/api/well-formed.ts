import { setOwn } from './own-keys.ts';

/**
 * Go's JSON decoder turns a `\u` escape of a lone UTF-16 surrogate (`"\ud800"`, a low surrogate
 * with no high one before it) into U+FFFD, in keys as in values; JavaScript keeps the lone
 * surrogate, which no UTF-8 text can hold. A decoded body is made well-formed the way Go would
 * have decoded it, in place.
 */
export function wellFormed(value: unknown): unknown {
  if (typeof value === 'string') return value.toWellFormed();
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = wellFormed(value[i]);
    return value;
  }
  if (typeof value !== 'object' || value === null) return value;
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    const fixed = wellFormed(object[key]);
    const fixedKey = key.toWellFormed();
    if (fixedKey !== key) delete object[key];
    setOwn(object, fixedKey, fixed);
  }
  return object;
}
