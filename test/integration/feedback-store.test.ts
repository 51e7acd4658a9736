import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ButtonClick } from '../../src/chat/inbound.ts';
import { Binding } from '../../src/config/policy-schema.ts';
import { FeedbackStore, type FeedbackSubject } from '../../src/feedback/feedback-store.ts';
import { feedbackValue, subjectKey } from '../../src/feedback/feedback-value.ts';
import { giveFeedback } from '../../src/feedback/give-feedback.ts';
import { offerFeedback } from '../../src/feedback/offer-feedback.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';

/** Feedback records in real Redis: offered snapshots, one vote per person, the eval cases. */
const prefix = testPrefix();
let redis: Redis;
let store: FeedbackStore;

beforeAll(() => {
  redis = new Redis(testRedisUrl());
  store = new FeedbackStore(redis, prefix);
});

afterAll(async () => {
  redis.disconnect();
  await dropPrefix(testRedisUrl(), prefix);
});

let runs = 0;
function subject(overrides: Partial<FeedbackSubject> = {}): FeedbackSubject {
  runs += 1;
  return {
    kind: 'answer',
    id: `ask.slack.C0OPS.17000000${runs}.000100`,
    channel: 'slack:C0OPS',
    question: 'why is payments crashlooping?',
    answer: 'payments-api is OOMKilled\n\nRaise the memory limit.',
    specialists: ['k8s-diagnostician'],
    postedAt: '2026-11-02T10:00:00.000Z',
    ...overrides,
  };
}

const at = (minute: number) => new Date(Date.UTC(2026, 10, 2, 10, minute));
const vote = (s: FeedbackSubject, person: string, rating: 'up' | 'down', minute = 1) =>
  store.vote({ key: subjectKey(s), rating, person, channel: s.channel, at: at(minute) });
const casesOf = async (s: FeedbackSubject) => (await store.cases()).filter((c) => c.runId === s.id);

describe('FeedbackStore', () => {
  it('records a rating with its subject, as an eval case', async () => {
    const s = subject({ thread: '1700000000.000100' });
    await store.offer(s);

    const outcome = await vote(s, 'slack:U0DANA', 'up');

    expect(outcome).toEqual({
      kind: 'recorded',
      subject: { kind: 'answer', id: s.id },
      previous: undefined,
    });
    expect(await casesOf(s)).toEqual([
      {
        runId: s.id,
        kind: 'answer',
        question: s.question,
        answer: s.answer,
        rating: 'up',
        by: 'slack:U0DANA',
        at: at(1).toISOString(),
        channel: 'slack:C0OPS',
        thread: '1700000000.000100',
        specialists: ['k8s-diagnostician'],
        postedAt: s.postedAt,
      },
    ]);
  });

  it('keeps one vote per person: a second click replaces the first', async () => {
    const s = subject();
    await store.offer(s);

    await vote(s, 'slack:U0DANA', 'up', 1);
    const changed = await vote(s, 'slack:U0DANA', 'down', 2);
    const again = await vote(s, 'slack:U0DANA', 'down', 3);
    await vote(s, 'slack:U0EVE', 'up', 4);

    expect(changed).toMatchObject({ kind: 'recorded', previous: 'up' });
    expect(again).toMatchObject({ kind: 'recorded', previous: 'down' });
    expect((await casesOf(s)).map((c) => [c.by, c.rating, c.at])).toEqual([
      ['slack:U0EVE', 'up', at(4).toISOString()],
      ['slack:U0DANA', 'down', at(3).toISOString()],
    ]);
  });

  it('records nothing for a subject never offered, or offered in another channel', async () => {
    const s = subject();
    await store.offer(s);

    const unknown = await store.vote({
      key: subjectKey({ kind: 'answer', id: 'ask.slack.C0OPS.never' }),
      rating: 'up',
      person: 'slack:U0DANA',
      channel: 'slack:C0OPS',
      at: at(1),
    });
    const elsewhere = await store.vote({
      key: subjectKey(s),
      rating: 'down',
      person: 'slack:U0DANA',
      channel: 'slack:C0DEV',
      at: at(1),
    });

    expect(unknown).toEqual({ kind: 'unknown' });
    expect(elsewhere).toEqual({ kind: 'elsewhere' });
    expect(await casesOf(s)).toEqual([]);
  });

  it('lets an offer run out unless it is rated, and keeps what was rated when offered again', async () => {
    const rated = subject();
    const unrated = subject();
    await store.offer(rated, 600);
    await store.offer(unrated, 600);
    const key = (s: FeedbackSubject) => `${prefix}:feedback:subject:${subjectKey(s)}`;

    await vote(rated, 'slack:U0DANA', 'up');
    await store.offer({ ...rated, answer: 'something else' }, 600);

    expect(await redis.ttl(key(unrated))).toBeGreaterThan(0);
    expect(await redis.ttl(key(rated))).toBe(-1);
    expect((await casesOf(rated))[0]?.answer).toBe(rated.answer);
  });

  it('keeps the most recently rated subjects, dropping the oldest with their votes', async () => {
    const small = new FeedbackStore(redis, `${prefix}-small`, { keptSubjects: 2 });
    const [first, second, third] = [subject(), subject(), subject()];
    for (const s of [first, second, third]) await small.offer(s);

    for (const [i, s] of [first, second, third].entries())
      await small.vote({
        key: subjectKey(s),
        rating: 'up',
        person: 'slack:U0DANA',
        channel: s.channel,
        at: at(i),
      });

    expect((await small.cases()).map((c) => c.runId)).toEqual([third.id, second.id]);
    expect(await redis.exists(`${prefix}-small:feedback:subject:${subjectKey(first)}`)).toBe(0);
    await dropPrefix(testRedisUrl(), `${prefix}-small`);
  });
});

describe('offerFeedback', () => {
  it('keeps the answer as posted, redacted and without its footer, and adds the buttons', async () => {
    const id = 'ask.web.ops.offer-1';

    const message = await offerFeedback(
      store,
      {
        headline: 'Found the cause',
        text: `The app logs password=hunter22 at start.\n${'evidence '.repeat(2_000)}`,
        tone: 'info',
        footer: 'asked by dana · analyzers, no model',
      },
      {
        kind: 'answer',
        id,
        channel: 'web:ops',
        question: 'why does it fail? my token is ghp_0123456789abcdefghijABCDEFGHIJ012345',
        specialists: [],
        at: at(0),
      },
    );
    await store.vote({
      key: subjectKey({ kind: 'answer', id }),
      rating: 'down',
      person: 'web:dana',
      channel: 'web:ops',
      at: at(5),
    });

    expect(message.buttons?.map((b) => b.value)).toEqual([
      feedbackValue('up', { kind: 'answer', id }),
      feedbackValue('down', { kind: 'answer', id }),
    ]);
    const [kept] = (await store.cases()).filter((c) => c.runId === id);
    expect(kept?.answer.startsWith('Found the cause\nThe app logs password=')).toBe(true);
    expect(kept?.answer).not.toContain('hunter22');
    expect(kept?.answer).not.toContain('analyzers, no model');
    // Cut as the outbox cuts it: no more than the message's text limit.
    expect(kept?.answer.length).toBeLessThanOrEqual(3_400);
    expect(kept?.question).toContain('why does it fail?');
    expect(kept?.question).not.toContain('ghp_0123456789');
  });

  it('takes a report’s headline as its question', async () => {
    const id = 'incident.0123456789abcdef01234567.1';

    await offerFeedback(
      store,
      {
        headline: 'Resolved: KubePodCrashLooping in payments',
        text: 'Time to resolve 12m.',
        sections: [{ title: 'Timeline', text: '10:00 fired' }],
      },
      { kind: 'report', id, channel: 'slack:C0OPS', specialists: [], at: at(0) },
    );
    await store.vote({
      key: subjectKey({ kind: 'report', id }),
      rating: 'up',
      person: 'slack:U0DANA',
      channel: 'slack:C0OPS',
      at: at(6),
    });

    const [kept] = (await store.cases()).filter((c) => c.runId === id);
    expect(kept).toMatchObject({
      kind: 'report',
      question: 'Resolved: KubePodCrashLooping in payments',
    });
    expect(kept?.answer).toContain('== Timeline\n10:00 fired');
  });
});

describe('giveFeedback', () => {
  const bindings = [Binding.parse({ channel: 'slack:C0OPS', clusters: ['prod'] })];
  const give = (value: string, channel?: string) =>
    giveFeedback(click(value, channel), {
      feedback: store,
      bindings,
      log: createLogger('silent'),
      now: () => at(9),
    });
  const click = (value: string, channel = 'slack:C0OPS'): ButtonClick => ({
    channel,
    requester: 'slack:U0EVE',
    action: 'feedback',
    value,
    clickId: `click-${Math.random()}`,
  });
  const headline = (outcome: Awaited<ReturnType<typeof giveFeedback>>) =>
    outcome.kind === 'reply' ? outcome.message.headline : outcome.kind;

  it('records a rating and tells the clicker, then tells them when it changes', async () => {
    const s = subject();
    await store.offer(s);

    const first = await give(feedbackValue('up', s));
    const second = await give(feedbackValue('down', s));

    expect(headline(first)).toBe('Thanks: 👍 recorded for this answer');
    expect(headline(second)).toBe('Your feedback on this answer is now 👎');
    expect((await casesOf(s)).map((c) => [c.by, c.rating])).toEqual([['slack:U0EVE', 'down']]);
  });

  it('refuses a forged value, an unknown run and an unbound channel, recording nothing', async () => {
    const s = subject({ channel: 'slack:C0ELSE' });
    await store.offer(s);

    const forged = await give(`up.${s.id}`);
    const unknown = await give(feedbackValue('up', { kind: 'answer', id: 'ask.gone' }));
    const unbound = await give(feedbackValue('up', s), 'slack:C0ELSE');

    expect(headline(forged)).toBe('That feedback button is not one I know');
    expect(headline(unknown)).toBe('I have no record of that message to rate');
    expect(headline(unbound)).toBe('Feedback cannot be given here');
    expect(await casesOf(s)).toEqual([]);
  });
});
