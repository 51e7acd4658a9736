import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { Env } from './env.ts';

it('.env.example documents every variable the schema reads, and nothing else', () => {
  const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
  const documented = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]).sort();

  expect(documented).toEqual(Object.keys(Env.shape).sort());
});
