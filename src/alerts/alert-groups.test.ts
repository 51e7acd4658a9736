import { describe, expect, it } from 'vitest';
import { eventTime, groupId } from './alert-groups.ts';

describe("an alert's latest event", () => {
  it('is its start while it fires, and its end once resolved', () => {
    expect(eventTime({ status: 'firing', startsAt: '2026-12-06T10:00:00Z' })).toBe(
      Date.parse('2026-12-06T10:00:00Z'),
    );
    expect(
      eventTime({
        status: 'resolved',
        startsAt: '2026-12-06T10:00:00Z',
        endsAt: '2026-12-06T10:30:00Z',
      }),
    ).toBe(Date.parse('2026-12-06T10:30:00Z'));
  });

  it('puts a resolution after the firing it ends, even when the clocks say otherwise', () => {
    const firing = { status: 'firing' as const, startsAt: '2026-12-06T10:00:00Z' };
    const skewed = { ...firing, status: 'resolved' as const, endsAt: '2026-12-06T09:59:00Z' };

    expect(eventTime(skewed)).toBeGreaterThan(eventTime(firing));
  });

  it('names a group by a short, stable digest of its key', () => {
    expect(groupId('{}:{alertname="X"}')).toMatch(/^[0-9a-f]{24}$/);
    expect(groupId('{}:{alertname="X"}')).toBe(groupId('{}:{alertname="X"}'));
  });
});
