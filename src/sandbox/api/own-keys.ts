/**
 * Reading and writing the keys of objects that came in a request. A key such as `__proto__` is a
 * key like any other there: it must never reach an object's prototype, which every object in the
 * process shares.
 */
type Bag = Record<string, unknown>;

export function ownValue(object: Bag, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

export function setOwn(object: Bag, key: string, value: unknown): void {
  Object.defineProperty(object, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}
