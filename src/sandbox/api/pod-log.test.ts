import { describe, expect, it } from 'vitest';
import { formatLines, selectLines } from './pod-log.ts';

const lines = [
  { at: 1_000, text: 'one' },
  { at: 2_000, text: 'two' },
  { at: 3_000, text: 'three' },
];

describe('a log request', () => {
  it('keeps the last tailLines lines', () => {
    const out = selectLines(lines, new URLSearchParams('tailLines=2'), 3_000);

    expect(out.map((l) => l.text)).toEqual(['two', 'three']);
  });

  it('keeps the lines of the last sinceSeconds', () => {
    const out = selectLines(lines, new URLSearchParams('sinceSeconds=1'), 3_500);

    expect(out.map((l) => l.text)).toEqual(['three']);
  });

  it('writes each line with its time first when asked for timestamps', () => {
    const text = formatLines(lines.slice(0, 1), true);

    expect(text).toBe('1970-01-01T00:00:01.000Z one\n');
  });
});
