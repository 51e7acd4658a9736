import { describe, expect, it } from 'vitest';
import { routeAlert } from './routing.ts';

const routes = [
  { match: { severity: 'critical' }, channels: ['web:oncall', 'web:alerts'] },
  {
    match: { namespace: 'payments', severity: 'critical' },
    channels: ['web:payments', 'web:oncall'],
  },
];

describe('routeAlert', () => {
  it('sends alerts no route matches to #alerts', () => {
    expect(routeAlert({ severity: 'warning' }, routes)).toEqual(['web:alerts']);
    expect(routeAlert({ severity: 'critical' }, [])).toEqual(['web:alerts']);
  });

  it('collects the channels of every matching route once, in order', () => {
    expect(routeAlert({ severity: 'critical', namespace: 'payments' }, routes)).toEqual([
      'web:oncall',
      'web:alerts',
      'web:payments',
    ]);
  });

  it('needs every matcher to match', () => {
    expect(routeAlert({ namespace: 'payments', severity: 'warning' }, routes)).toEqual([
      'web:alerts',
    ]);
  });

  it('lets an empty match take everything', () => {
    expect(routeAlert({}, [{ match: {}, channels: ['web:all'] }])).toEqual(['web:all']);
  });
});
