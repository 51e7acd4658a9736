import { describe, expect, it } from 'vitest';
import { alertFixture, firstAlert } from '../../test/support/fixtures.ts';
import { REFIRE_AFTER_MS } from './alert-groups.ts';
import { alertJobId } from './job-id.ts';
import { AlertmanagerPayload } from './schema.ts';

const multi = () => AlertmanagerPayload.parse(alertFixture('multi'));
const received = new Date('2026-12-06T10:00:10Z');

describe('alertJobId', () => {
  it('is the same for an identical notification retried moments later', () => {
    const retried = new Date(received.getTime() + 30_000);

    expect(alertJobId(multi(), retried)).toBe(alertJobId(multi(), received));
  });

  it('differs for an identical notification a refire window later (an alert sent again after a Prometheus restart keeps its start)', () => {
    const refired = new Date(received.getTime() + REFIRE_AFTER_MS);

    expect(alertJobId(multi(), refired)).not.toBe(alertJobId(multi(), received));
  });

  it('does not depend on the order of the alerts', () => {
    const reordered = multi();
    reordered.alerts.reverse();

    expect(alertJobId(reordered, received)).toBe(alertJobId(multi(), received));
  });

  it('differs when the group status changes', () => {
    const resolved = { ...multi(), status: 'resolved' as const };

    expect(alertJobId(resolved, received)).not.toBe(alertJobId(multi(), received));
  });

  it('differs when one alert of a still-firing group resolves', () => {
    const changed = multi();
    const first = firstAlert(changed);
    first.status = 'resolved';

    expect(changed.status).toBe('firing');
    expect(alertJobId(changed, received)).not.toBe(alertJobId(multi(), received));
  });

  it('differs when an alert fires again after resolving', () => {
    const again = multi();
    const first = firstAlert(again);
    first.startsAt = '2026-11-21T12:00:00.000Z';

    expect(alertJobId(again, received)).not.toBe(alertJobId(multi(), received));
  });

  it('differs between groups and between alert sets', () => {
    const otherGroup = { ...multi(), groupKey: '{}:{alertname="Other"}' };
    const fewer = { ...multi(), alerts: multi().alerts.slice(1) };

    expect(alertJobId(otherGroup, received)).not.toBe(alertJobId(multi(), received));
    expect(alertJobId(fewer, received)).not.toBe(alertJobId(multi(), received));
  });

  it('is a valid BullMQ custom id', () => {
    const id = alertJobId(multi(), received);

    expect(id).toMatch(/^alert-[0-9a-f]{40}$/);
  });
});
