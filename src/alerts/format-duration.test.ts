import { expect, it } from 'vitest';
import { formatDuration, formatInstant } from './format-duration.ts';

it.each([
  [-5_000, '0s'],
  [45_000, '45s'],
  [12 * 60_000 + 59_000, '12m'],
  [3 * 3_600_000, '3h'],
  [3 * 3_600_000 + 4 * 60_000, '3h 4m'],
  [2 * 86_400_000, '2d'],
  [2 * 86_400_000 + 5 * 3_600_000 + 59 * 60_000, '2d 5h'],
])('formats %i ms as %s', (ms, text) => {
  expect(formatDuration(ms)).toBe(text);
});

it('formats an instant to the minute in UTC', () => {
  expect(formatInstant(Date.parse('2026-11-21T09:12:40.123Z'))).toBe('2026-11-21 09:12 UTC');
});
