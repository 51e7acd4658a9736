import { expect, it } from 'vitest';
import { compareStreamIds, isStreamId } from './entry.ts';

it('orders stream ids by time, then sequence, beyond float precision', () => {
  expect(compareStreamIds('1700000000000-1', '1700000000000-2')).toBe(-1);
  expect(compareStreamIds('1700000000001-0', '1700000000000-9')).toBe(1);
  expect(compareStreamIds('9007199254740993-0', '9007199254740992-0')).toBe(1);
  expect(compareStreamIds('5-5', '5-5')).toBe(0);
});

it('recognises stream ids and nothing else', () => {
  expect(isStreamId('1700000000000-0')).toBe(true);
  expect(isStreamId('1700000000000')).toBe(false);
  expect(isStreamId('+')).toBe(false);
  expect(isStreamId('1-1\nevent: x')).toBe(false);
});
