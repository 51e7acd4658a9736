import { describe, expect, it } from 'vitest';
import { discordMarkdown } from './markdown.ts';

/** Backslashes right before each match of `mark`: Discord escapes the mark when their count is odd. */
function runsBefore(text: string, mark: RegExp): number[] {
  return [...text.matchAll(new RegExp(mark.source, 'g'))].map((m) => {
    let n = 0;
    for (let i = (m.index ?? 0) - 1; i >= 0 && text[i] === '\\'; i--) n++;
    return n;
  });
}

describe('discordMarkdown and backslashes already in the text', () => {
  it.each([
    ['a role mention', '\\<@&123>'],
    ['a slash-command mention', '\\</deploy:42>'],
    ['two backslashes', '\\\\<@U1>'],
    ['a masked link past the label limit', `[${'A'.repeat(201)}\\](https://evil.example/x)`],
    ['a masked link with brackets in its URL', '[Open runbook\\](https://evil.example/a(b))'],
  ])('keeps %s inert', (_name, input) => {
    const out = discordMarkdown(input);

    const marks = [...runsBefore(out, /<[@/#]/), ...runsBefore(out, /\]\(/)];
    expect(marks.length).toBeGreaterThan(0);
    for (const n of marks) expect(n % 2).toBe(1);
  });
});
