import { expect, it } from 'vitest';
import { Identity } from '../config/policy-schema.ts';
import { idsOf, samePerson } from './people.ts';

const people = [
  Identity.parse({ name: 'dana', ids: ['slack:U0DANA', 'web:dana', 'discord:4242'] }),
  Identity.parse({ name: 'lee', ids: ['web:lee'] }),
];

it('gives every id of the person behind an id, that id first', () => {
  expect(idsOf('web:dana', people)).toEqual(['web:dana', 'slack:U0DANA', 'discord:4242']);
  expect(idsOf('discord:4242', people)).toEqual(['discord:4242', 'slack:U0DANA', 'web:dana']);
});

it('lets an id no person lists stand for itself', () => {
  expect(idsOf('web:sam', people)).toEqual(['web:sam']);
  expect(idsOf('alert:abc', [])).toEqual(['alert:abc']);
});

it('tells whether two ids are one person', () => {
  expect(samePerson('slack:U0DANA', 'web:dana', people)).toBe(true);
  expect(samePerson('web:dana', 'web:dana', [])).toBe(true);
  expect(samePerson('web:dana', 'web:lee', people)).toBe(false);
  expect(samePerson('web:sam', 'slack:U0DANA', people)).toBe(false);
});

it('refuses groups and roles as a person’s ids', () => {
  const parse = (ids: string[]) => Identity.safeParse({ name: 'x', ids }).success;

  expect(parse(['slack:group:S0SRE'])).toBe(false);
  expect(parse(['discord:role:1234'])).toBe(false);
  expect(parse([])).toBe(false);
  expect(parse(['slack:U0X', 'discord:1234', 'web:x'])).toBe(true);
});
