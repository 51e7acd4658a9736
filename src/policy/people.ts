import type { Identity } from '../config/policy-schema.ts';

/**
 * A person is one identity across platforms: `people` in the config file lists each person's
 * accounts (`slack:U1`, `discord:42`, `web:dana`). An id no person lists stands for itself.
 */

/** Every id of the person behind `id`, `id` first; just `id` when no person lists it. */
export function idsOf(id: string, people: readonly Identity[]): readonly string[] {
  const person = people.find((p) => p.ids.includes(id));
  return person === undefined ? [id] : [id, ...person.ids.filter((other) => other !== id)];
}

/** Whether two ids are the same person: the same id, or two accounts of one listed person. */
export function samePerson(a: string, b: string, people: readonly Identity[]): boolean {
  return a === b || idsOf(a, people).includes(b);
}
