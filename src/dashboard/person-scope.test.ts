import { expect, it } from 'vitest';
import { Binding, Identity } from '../config/policy-schema.ts';
import { scopeOf } from './person-scope.ts';

const bindings = [
  Binding.parse({ channel: 'web:ops', clusters: ['sandbox'] }),
  Binding.parse({
    channel: 'slack:C0PAY',
    clusters: ['prod'],
    namespaces: ['payments', 'team-*'],
    approvers: ['slack:U0DANA'],
  }),
  Binding.parse({
    channel: 'slack:C0SRE',
    clusters: ['prod', 'dr'],
    approvers: ['slack:group:S0SRE'],
  }),
  Binding.parse({ channel: 'discord:42', clusters: ['lab'], approvers: ['web:lee'] }),
];
const people = [Identity.parse({ name: 'dana', ids: ['slack:U0DANA', 'web:dana'] })];

it('takes the channels that list one of the person’s ids, and every web channel', () => {
  const dana = scopeOf('web:dana', bindings, people);

  expect([...dana.channels]).toEqual(['web:ops', 'slack:C0PAY']);
  expect([...dana.clusters]).toEqual(['sandbox', 'prod']);
  expect(dana.namespaces.get('prod')).toEqual(['payments', 'team-*']);
  expect([...scopeOf('web:lee', bindings, people).channels]).toEqual(['web:ops', 'discord:42']);
});

it('does not count a group a web session cannot show it is in', () => {
  const sam = scopeOf('web:sam', bindings, people);

  expect([...sam.channels]).toEqual(['web:ops']);
  expect([...sam.clusters]).toEqual(['sandbox']);
});
