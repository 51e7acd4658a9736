import { describe, expect, it } from 'vitest';
import { alertFixture, firstAlert } from '../../test/support/fixtures.ts';
import { alertJobId } from './job-id.ts';
import { AlertmanagerPayload } from './schema.ts';

const multi = () => AlertmanagerPayload.parse(alertFixture('multi'));

describe('alertJobId', () => {
  it('is the same for a retried identical notification', () => {
    expect(alertJobId(multi())).toBe(alertJobId(multi()));
  });

  it('does not depend on the order of the alerts', () => {
    const reordered = multi();
    reordered.alerts.reverse();

    expect(alertJobId(reordered)).toBe(alertJobId(multi()));
  });

  it('differs when the group status changes', () => {
    const resolved = { ...multi(), status: 'resolved' as const };

    expect(alertJobId(resolved)).not.toBe(alertJobId(multi()));
  });

  it('differs when one alert of a still-firing group resolves', () => {
    const changed = multi();
    const first = firstAlert(changed);
    first.status = 'resolved';

    expect(changed.status).toBe('firing');
    expect(alertJobId(changed)).not.toBe(alertJobId(multi()));
  });

  it('differs when an alert fires again after resolving', () => {
    const again = multi();
    const first = firstAlert(again);
    first.startsAt = '2026-11-21T12:00:00.000Z';

    expect(alertJobId(again)).not.toBe(alertJobId(multi()));
  });

  it('differs between groups and between alert sets', () => {
    const otherGroup = { ...multi(), groupKey: '{}:{alertname="Other"}' };
    const fewer = { ...multi(), alerts: multi().alerts.slice(1) };

    expect(alertJobId(otherGroup)).not.toBe(alertJobId(multi()));
    expect(alertJobId(fewer)).not.toBe(alertJobId(multi()));
  });

  it('is a valid BullMQ custom id', () => {
    const id = alertJobId(multi());

    expect(id).toMatch(/^alert-[0-9a-f]{40}$/);
  });
});
