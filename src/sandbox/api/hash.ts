import { createHash } from 'node:crypto';

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A stable short name suffix for a value, in the alphabet Kubernetes uses for generated names. */
export function shortHash(value: unknown, length = 10): string {
  const digest = createHash('sha256').update(canonical(value)).digest();
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[(digest[i] ?? 0) % ALPHABET.length];
  return out;
}

/**
 * JSON with object keys sorted and empty values (null, {}, []) left out, so that objects equal
 * in meaning compare equal: a template sent back by `kubectl rollout undo` carries
 * `creationTimestamp: null` and `resources: {}` that the stored one does not.
 */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => !isEmpty(v))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.values(value).every(isEmpty);
  return false;
}
