import { describe, expect, it } from 'vitest';
import { LIMITS } from '../chat/message.ts';
import { commandAnswer, questionAnswer, splitHeadline } from './render-answer.ts';

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

describe('questionAnswer', () => {
  it('lists every proposal even when the answer fills the text, and names who asked', () => {
    const answer = `Checkout is crash-looping\n${'evidence '.repeat(800)}`;

    const message = questionAnswer({ requester: 'slack:U0DANA' }, answer, ['p-1', 'p-2']);

    expect(message.headline).toBe('Checkout is crash-looping');
    expect(message.text?.length).toBeLessThanOrEqual(LIMITS.text);
    expect(message.text?.endsWith('Proposals awaiting approval: p-1, p-2')).toBe(true);
    expect(message.footer).toBe('asked by U0DANA');
  });

  it('redacts credentials in the answer', () => {
    const message = questionAnswer({ requester: 'web:dana' }, 'Found it\npassword=hunter22', []);

    expect(message.text).not.toContain('hunter22');
  });
});

describe('commandAnswer', () => {
  it('signs the skill message with who asked for what, before its own footer', () => {
    const run = { requester: 'discord:42', command: { name: 'status' } } as const;

    expect(commandAnswer(run, { headline: 'ok' }).footer).toBe('42 asked: status');
    expect(commandAnswer(run, { headline: 'ok', footer: '3 nodes' }).footer).toBe(
      '42 asked: status · 3 nodes',
    );
  });

  it('says who answered and what it cost, or that the analyzers did', () => {
    const run = { requester: 'slack:U0DANA' };

    expect(questionAnswer(run, 'All good.', [], { specialists: [], costUsd: 0 }).footer).toBe(
      'asked by U0DANA · analyzers, no model',
    );
    expect(
      questionAnswer(run, 'OOM.', [], {
        specialists: ['k8s-diagnostician', 'prometheus-analyst'],
        costUsd: 0.01234,
        model: { calls: 5, tokens: 12_345 },
      }).footer,
    ).toBe(
      'asked by U0DANA · k8s-diagnostician, prometheus-analyst · 5 model calls, 12,345 tokens, $0.0123',
    );
  });
});
