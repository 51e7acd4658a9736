import { describe, expect, it } from 'vitest';
import { splitHeadline } from './answer-question.ts';

describe('splitHeadline', () => {
  it('makes the first line the headline, without Markdown marks', () => {
    expect(
      splitHeadline('## **payments-api is OOMKilled**\n\nCause: the limit.\nEvidence: …'),
    ).toEqual({
      headline: 'payments-api is OOMKilled',
      body: 'Cause: the limit.\nEvidence: …',
    });
  });

  it('keeps a first line too long for a headline whole in the text', () => {
    const long = `${'word '.repeat(60)}end`;

    const split = splitHeadline(long);

    expect(split.headline.length).toBeLessThanOrEqual(152);
    expect(split.headline.endsWith('…')).toBe(true);
    expect(split.body).toBe(long);
  });
});
