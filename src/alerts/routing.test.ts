import { describe, expect, it } from 'vitest';
import { routeAlert } from './routing.ts';

const routes = [
  {
    match: { namespace: 'payments', severity: 'critical' },
    channels: ['web:payments', 'web:oncall'],
    continue: true,
  },
  { match: { severity: 'critical' }, channels: ['web:oncall', 'web:alerts'] },
  { match: { severity: { regex: 'warn(ing)?' } }, channels: ['web:warnings'] },
  { match: {}, channels: ['web:everything-else'] },
];

describe('routeAlert', () => {
  it('gives a group to the first route that matches', () => {
    expect(routeAlert({ severity: 'critical', namespace: 'shop' }, routes)).toEqual([
      'web:oncall',
      'web:alerts',
    ]);
    expect(routeAlert({ severity: 'info' }, routes)).toEqual(['web:everything-else']);
  });

  it('tries the routes after one that says continue, each channel once', () => {
    expect(routeAlert({ severity: 'critical', namespace: 'payments' }, routes)).toEqual([
      'web:payments',
      'web:oncall',
      'web:alerts',
    ]);
  });

  it('matches a regex over the whole value', () => {
    expect(routeAlert({ severity: 'warning' }, routes)).toEqual(['web:warnings']);
    expect(routeAlert({ severity: 'warn' }, routes)).toEqual(['web:warnings']);
    expect(routeAlert({ severity: 'forewarning' }, routes)).toEqual(['web:everything-else']);
  });

  it("sends what no route takes to its cluster's channel, else to #alerts", () => {
    const clusters = [{ name: 'prod', alertChannel: 'web:prod-alerts' }];
    const none = [{ match: { team: 'x' }, channels: ['web:x'] }];

    expect(routeAlert({ cluster: 'prod' }, none, clusters)).toEqual(['web:prod-alerts']);
    expect(routeAlert({ cluster: 'staging' }, none, clusters)).toEqual(['web:alerts']);
    expect(routeAlert({ severity: 'critical' }, [])).toEqual(['web:alerts']);
  });

  it('needs every matcher to match', () => {
    expect(routeAlert({ namespace: 'payments' }, routes.slice(0, 2))).toEqual(['web:alerts']);
  });
});
