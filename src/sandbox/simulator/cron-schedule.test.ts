import { describe, expect, it } from 'vitest';
import { parseSchedule, ScheduleError } from './cron-schedule.ts';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) =>
  ms === undefined ? undefined : new Date(ms).toISOString().replace('.000Z', 'Z');

describe('a cron schedule', () => {
  it.each([
    ['*/5 * * * *', '2026-03-02T10:03:10Z', '2026-03-02T10:05:00Z'],
    ['*/5 * * * *', '2026-03-02T10:05:00Z', '2026-03-02T10:10:00Z'],
    ['0 * * * *', '2026-03-02T10:00:00Z', '2026-03-02T11:00:00Z'],
    ['@hourly', '2026-03-02T10:59:59Z', '2026-03-02T11:00:00Z'],
    ['@daily', '2026-03-02T10:00:00Z', '2026-03-03T00:00:00Z'],
    ['@weekly', '2026-03-02T10:00:00Z', '2026-03-08T00:00:00Z'],
    ['@monthly', '2026-03-02T10:00:00Z', '2026-04-01T00:00:00Z'],
    ['@yearly', '2026-03-02T10:00:00Z', '2027-01-01T00:00:00Z'],
    ['30 9-17/4 * * MON-FRI', '2026-03-06T18:00:00Z', '2026-03-09T09:30:00Z'],
    ['15,45 2 * * *', '2026-03-02T02:20:00Z', '2026-03-02T02:45:00Z'],
    ['0 0 1 JAN,jul *', '2026-03-02T00:00:00Z', '2026-07-01T00:00:00Z'],
    ['0 0 * * 7', '2026-03-02T00:00:00Z', '2026-03-08T00:00:00Z'],
    // Both day fields restricted: either one matches (the 13th, or any Friday).
    ['0 0 13 * 5', '2026-03-02T00:00:00Z', '2026-03-06T00:00:00Z'],
    ['0 0 30 2 *', '2026-03-02T00:00:00Z', undefined],
    ['5/20 * * * *', '2026-03-02T10:06:00Z', '2026-03-02T10:25:00Z'],
  ])('%s after %s is %s', (text, after, next) => {
    expect(iso(parseSchedule(text).next(at(after)))).toBe(next);
  });

  it.each(['* * * *', '61 * * * *', '* * * * MOON', '5-1 * * * *', '*/0 * * * *'])(
    'refuses %s',
    (text) => {
      expect(() => parseSchedule(text)).toThrow(ScheduleError);
    },
  );
});
