import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parseCron } from './cron.ts';

describe('parseCron', () => {
  it('reads a schedule as cron-parser does', () => {
    const next = parseCron('0 */6 * * *', { currentDate: '2026-01-01T01:00:00Z', tz: 'UTC' })
      .next()
      .toDate();
    expect(next.toISOString()).toBe('2026-01-01T06:00:00.000Z');
    expect(() => parseCron('61 * * * *')).toThrow();
  });

  it('fixes the locale of the luxon cron-parser requires, not of a copy of its own', () => {
    parseCron('* * * * *');
    // The luxon cron-parser loads: required from cron-parser's own folder.
    const fromCronParser = createRequire(createRequire(import.meta.url).resolve('cron-parser'));
    const { Settings } = fromCronParser('luxon') as typeof import('luxon');
    expect(Settings.defaultLocale).toBe('en-US');
    expect(Settings.defaultNumberingSystem).toBe('latn');
    expect(Settings.defaultOutputCalendar).toBe('gregory');
  });
});
