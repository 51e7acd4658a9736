import { describe, expect, it } from 'vitest';
import { alertFixture } from '../../test/support/fixtures.ts';
import { formatIssues } from '../shared/format-issues.ts';
import { AlertmanagerPayload } from './schema.ts';

function problems(input: unknown): string[] {
  const parsed = AlertmanagerPayload.safeParse(input);
  return parsed.success ? [] : formatIssues(parsed.error.issues);
}

describe('AlertmanagerPayload', () => {
  it.each(['firing', 'resolved', 'multi'] as const)('accepts the %s fixture', (name) => {
    expect(problems(alertFixture(name))).toEqual([]);
  });

  it('keeps fields it does not declare', () => {
    const input = { ...alertFixture('firing'), tenant: 'blue' };

    const parsed = AlertmanagerPayload.parse(input);

    expect((parsed as Record<string, unknown>).tenant).toBe('blue');
  });

  it('fills optional fields Alertmanager may leave out', () => {
    const input = alertFixture('firing');
    delete input.commonAnnotations;
    delete input.truncatedAlerts;

    const parsed = AlertmanagerPayload.parse(input);

    expect(parsed.commonAnnotations).toEqual({});
    expect(parsed.truncatedAlerts).toBe(0);
  });

  it('names the bad field', () => {
    const input = alertFixture('multi');
    const alerts = input.alerts as Record<string, unknown>[];
    (alerts[1] as Record<string, unknown>).status = 'burning';
    delete (alerts[2] as Record<string, unknown>).fingerprint;

    expect(problems(input)).toEqual([
      'alerts[1].status: must be "firing" or "resolved"',
      'alerts[2].fingerprint: Invalid input: expected string, received undefined',
    ]);
  });

  it('refuses other payload versions and empty groups', () => {
    expect(problems({ ...alertFixture('firing'), version: '3' })).toEqual(['version: must be "4"']);
    expect(problems({ ...alertFixture('firing'), alerts: [] })).toEqual([
      'alerts: must hold at least one alert',
    ]);
  });

  it('refuses timestamps that are not timestamps', () => {
    const input = alertFixture('firing');
    (input.alerts as Record<string, unknown>[])[0] = {
      ...(input.alerts as Record<string, unknown>[])[0],
      startsAt: 'yesterday',
    };

    expect(problems(input)).toEqual(['alerts[0].startsAt: must be an RFC 3339 timestamp']);
  });
});
