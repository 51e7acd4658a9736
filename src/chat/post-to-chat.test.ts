import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { LIMITS } from './message.ts';
import { type ChatPost, jobIdOf, type Outbox, outboxJobOf, postToChat } from './post-to-chat.ts';

const post: ChatPost = {
  kind: 'answer',
  key: ['cmd.slack.C0OPS.1700000000.000100'],
  channel: 'slack:C0OPS',
  message: { headline: 'Checkout is crash-looping' },
};

describe('postToChat', () => {
  it('derives the job id from the kind and the key, with channel colons as dots', () => {
    expect(jobIdOf(post)).toBe('answer.cmd.slack.C0OPS.1700000000.000100');
    expect(jobIdOf({ kind: 'alert', key: ['alert.abc', 'web:alerts'] })).toBe(
      'alert.alert.abc.web.alerts',
    );
  });

  it('fits a message that is too long instead of losing it', () => {
    const long = { ...post, message: { headline: 'h'.repeat(LIMITS.headline + 50) } };

    const job = outboxJobOf(long);

    expect(job.data.message.headline).toHaveLength(LIMITS.headline);
    expect(job.data.message.headline?.endsWith('…')).toBe(true);
  });

  it('carries the thread, the private recipient and the replace key only when given', () => {
    const plain = outboxJobOf(post).data;
    const threaded = outboxJobOf({
      ...post,
      thread: '1700000000.000100',
      ephemeralTo: 'U0DANA',
      replace: { key: 'status.run-1', version: 7 },
    }).data;

    expect(Object.keys(plain)).toEqual(['channel', 'message']);
    expect(threaded).toMatchObject({
      thread: '1700000000.000100',
      ephemeralTo: 'U0DANA',
      replaceKey: 'status.run-1',
      version: 7,
    });
  });

  it('refuses a message no fitting can make valid, naming the field, as a failure no retry mends', () => {
    const empty = { ...post, message: {} };

    expect(() => outboxJobOf(empty)).toThrow(UnrecoverableError);
    expect(() => outboxJobOf(empty)).toThrow(
      /answer for slack:C0OPS is not a valid message: message: needs a headline or a text/,
    );
    expect(() => outboxJobOf({ ...post, thread: 'not a thread id!' })).toThrow(
      /thread: must be a thread id/,
    );
  });

  it('adds one job, named for its kind, under its derived id', async () => {
    const added: { name: string; jobId: string }[] = [];
    const outbox: Outbox = {
      add: async (name, _data, options) => {
        added.push({ name, jobId: options.jobId });
      },
    };

    await postToChat(outbox, post);

    expect(added).toEqual([{ name: 'answer', jobId: 'answer.cmd.slack.C0OPS.1700000000.000100' }]);
  });
});
