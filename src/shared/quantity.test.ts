import { describe, expect, it } from 'vitest';
import { formatMemory, nextMemoryLimit, parseCpu, parseMemory } from './quantity.ts';

it.each([
  ['256Mi', 256 * 2 ** 20],
  ['1Gi', 2 ** 30],
  ['512M', 512e6],
  ['1.5Gi', 1.5 * 2 ** 30],
  ['1048576', 2 ** 20],
])('parses %s', (text, bytes) => {
  expect(parseMemory(text)).toBe(bytes);
});

it('refuses what is not a memory quantity', () => {
  expect(parseMemory('lots')).toBeUndefined();
  expect(parseMemory('256MiB')).toBeUndefined();
});

it.each([
  ['128Mi', '192Mi'],
  ['256Mi', '384Mi'],
  ['1Gi', '1536Mi'],
  ['100M', '192Mi'],
  ['2Gi', '3Gi'],
])('raises %s to %s after an OOM kill', (current, next) => {
  expect(formatMemory(nextMemoryLimit(parseMemory(current) ?? 0))).toBe(next);
});

describe('parseCpu', () => {
  it('reads millicores and whole or fractional cores', () => {
    expect(parseCpu('250m')).toBe(250);
    expect(parseCpu('2')).toBe(2000);
    expect(parseCpu('1.5')).toBe(1500);
    expect(parseCpu('two')).toBeUndefined();
  });
});
