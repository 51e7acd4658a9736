import { readFileSync } from 'node:fs';

export type FixtureName = 'firing' | 'resolved' | 'multi';

export function alertFixture(name: FixtureName): Record<string, unknown> {
  const file = new URL(`../fixtures/alertmanager/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

export function alertFixtureText(name: FixtureName): string {
  return readFileSync(new URL(`../fixtures/alertmanager/${name}.json`, import.meta.url), 'utf8');
}

/** The first alert of a parsed payload; every fixture has one. */
export function firstAlert<T>(payload: { alerts: T[] }): T {
  const alert = payload.alerts[0];
  if (alert === undefined) throw new Error('the payload has no alerts');
  return alert;
}
