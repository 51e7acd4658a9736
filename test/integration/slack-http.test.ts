import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboxKey } from '../../src/queue/alert-inbox.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { writeConfigFile } from '../support/config-file.ts';
import { queuesIdle } from '../support/queues-idle.ts';
import { eventually, useSandbox } from '../support/sandbox.ts';
import { FakeSlack, type SlackCall } from '../support/slack-api.ts';
import {
  appMention,
  directMessage,
  eventCallback,
  interactiveForm,
  messageTs,
} from '../support/slack-payloads.ts';

/**
 * The real Bolt in HTTP mode on the bot's port, against a local Slack: signed events, slash
 * commands and clicks in; Web API calls out. The cluster is the sandbox; no model key, so
 * questions are answered by the analyzers.
 */
const sandbox = useSandbox(['oom-crashloop', 'healthy']);
let slack: FakeSlack;
let app: TestApp;
let events: string;
let runs: Queue;

beforeAll(async () => {
  slack = await FakeSlack.start();
  const file = writeConfigFile({
    clusters: [{ name: 'sandbox', kubeconfig: sandbox.kubeconfig }],
    bindings: [{ channel: 'slack:C0OPS', clusters: ['sandbox'], namespaces: ['*'] }],
  });
  app = await startTestApp({
    COXSWAIN_CONFIG: file,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_API_URL: slack.apiUrl,
    // The local Slack has no rate limit: a short pace keeps messages spaced without the wait.
    SLACK_PACE_MS: '100',
  });
  events = `${app.baseUrl}/slack/events`;
  runs = new Queue('runs', { connection: { url: app.redisUrl }, prefix: app.prefix });
});

afterAll(async () => {
  await runs.close();
  await app.stop();
  await slack.close();
});

/** How many requests the Slack inbox has ever taken (XINFO STREAM's entries-added). */
async function slackInboxAdded(): Promise<number> {
  const redis = new Redis(app.redisUrl);
  try {
    const info = (await redis.xinfo('STREAM', inboxKey(app.prefix, 'slack'))) as unknown[];
    return Number(info[info.indexOf('entries-added') + 1]);
  } finally {
    redis.disconnect();
  }
}

const text = (call: SlackCall) => `${String(call.args.text)} ${JSON.stringify(call.args.blocks)}`;
const answerIn = (thread: string, pattern: RegExp) => (call: SlackCall) =>
  call.args.thread_ts === thread && pattern.test(text(call));

describe('Slack over HTTP', () => {
  it('answers a mention in a thread, and a follow-up there with the thread as context', async () => {
    const ts = messageTs();
    const sent = await slack.sendHttp(
      events,
      eventCallback(
        appMention({ channel: 'C0OPS', user: 'U0DANA', text: 'why is payments crashlooping?', ts }),
      ),
    );
    expect(sent.status).toBe(200);
    const answer = await slack.waitForCall(
      'chat.postMessage',
      answerIn(ts, /Answered by the analyzers/),
      20_000,
    );
    expect(text(answer)).toContain('namespace payments');
    expect(text(answer)).toContain('OOM');

    // The follow-up names no namespace: the thread says which one.
    await slack.sendHttp(
      events,
      eventCallback(
        appMention({
          channel: 'C0OPS',
          user: 'U0DANA',
          text: 'is it still failing?',
          threadTs: ts,
        }),
      ),
    );
    const followUp = await slack.waitForCall(
      'chat.postMessage',
      (call) => answerIn(ts, /Answered by the analyzers/)(call) && call !== answer,
      20_000,
    );
    expect(text(followUp)).toContain('namespace payments');
  });

  it('keeps one status message in the thread, showing the latest step', async () => {
    const ts = messageTs();
    await slack.sendHttp(
      events,
      eventCallback(
        appMention({ channel: 'C0OPS', user: 'U0DANA', text: 'what is wrong in shop?', ts }),
      ),
    );

    await slack.waitForCall('chat.postMessage', answerIn(ts, /Answered by the analyzers/), 20_000);
    // Pacing may deliver an earlier step after a later one; the earlier one is then dropped.
    const shown = await eventually(async () => {
      const statuses = slack
        .posted('C0OPS')
        .filter((m) => m.thread_ts === ts && /Looking into it|Answered below/.test(m.text));
      return statuses.length === 1 && /Answered below/.test(statuses[0]?.text ?? '')
        ? statuses
        : undefined;
    });
    expect(shown).toHaveLength(1);
  });

  it('runs a slash command: an ephemeral acknowledgement at once, the answer in the channel', async () => {
    const reply = await slack.sendHttp(
      events,
      slack.slashCommand({ text: 'status', channelId: 'C0OPS', userId: 'U0DANA' }),
      { contentType: 'form' },
    );

    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ response_type: 'ephemeral' });
    expect(reply.body).toContain('Working on status');
    const posted = await slack.waitForCall(
      'chat.postMessage',
      (call) => call.args.channel === 'C0OPS' && /Cluster sandbox/.test(text(call)),
      20_000,
    );
    // The status answer offers a button per namespace with problems.
    expect(JSON.stringify(posted.args.blocks)).toContain('diagnose -n payments');
  });

  it('answers help and refusals to a slash command privately, with what is missing', async () => {
    const help = await slack.sendHttp(
      events,
      slack.slashCommand({ text: 'help', channelId: 'C0OPS', userId: 'U0DANA' }),
      { contentType: 'form' },
    );
    const unbound = await slack.sendHttp(
      events,
      slack.slashCommand({ text: 'status', channelId: 'C0ELSEWHERE', userId: 'U0DANA' }),
      { contentType: 'form' },
    );

    expect(help.body).toContain('Coxswain commands');
    expect(help.body).toContain('rollback APP');
    expect(JSON.parse(unbound.body)).toMatchObject({ response_type: 'ephemeral' });
    expect(unbound.body).toContain('slack:C0ELSEWHERE');
    expect(unbound.body).toContain('no binding');
  });

  it('redacts a slash command’s private answer, which does not pass the outbox', async () => {
    const reply = await slack.sendHttp(
      events,
      slack.slashCommand({
        text: 'status password=Hunter2xyz',
        channelId: 'C0OPS',
        userId: 'U0DANA',
      }),
      { contentType: 'form' },
    );

    expect(reply.body).toContain('status takes no arguments');
    expect(reply.body).toContain('password=[redacted]');
    expect(reply.body).not.toContain('Hunter2xyz');
  });

  it('runs the command behind a button, as the person who clicked, in the thread of its message', async () => {
    const messageTsOfCard = messageTs();
    const payload = slack.blockActions({
      actionId: 'coxswain.command.0',
      value: 'diagnose -n payments',
      channel: 'C0OPS',
      user: 'U0SAM',
      messageTs: messageTsOfCard,
    });

    const clicked = await slack.sendHttp(events, interactiveForm(payload), { contentType: 'form' });

    expect(clicked.status).toBe(200);
    const answer = await slack.waitForCall(
      'chat.postMessage',
      answerIn(messageTsOfCard, /namespace payments of cluster sandbox/),
      20_000,
    );
    expect(text(answer)).toContain('U0SAM asked: diagnose');
  });

  it('answers a direct message outside a thread, and refuses an unbound DM saying why', async () => {
    await slack.sendHttp(
      events,
      eventCallback(directMessage({ channel: 'D0DANA', user: 'U0DANA', text: 'help' })),
    );

    const reply = await slack.waitForCall('chat.postMessage', (c) => c.args.channel === 'D0DANA');
    expect(text(reply)).toContain('slack:D0DANA');
    expect(text(reply)).toContain('has no binding');
    expect(reply.args.thread_ts).toBeUndefined();
  });

  it.each([
    ['a wrong signature', { secret: 'not-the-signing-secret' }],
    ['a timestamp six minutes old', { timestamp: Math.floor(Date.now() / 1000) - 360 }],
    ['a timestamp six minutes ahead', { timestamp: Math.floor(Date.now() / 1000) + 360 }],
    ['no signature', { signature: '' }],
  ])('refuses %s with 401 and enqueues nothing', async (_, options) => {
    const before = await runs.getJobCountByTypes(
      'waiting',
      'active',
      'completed',
      'failed',
      'delayed',
    );
    const ts = messageTs();

    const refused = await slack.sendHttp(
      events,
      eventCallback(appMention({ channel: 'C0OPS', user: 'U0EVE', text: 'status', ts })),
      options,
    );

    expect(refused.status).toBe(401);
    const after = await runs.getJobCountByTypes(
      'waiting',
      'active',
      'completed',
      'failed',
      'delayed',
    );
    expect(after).toBe(before);
    expect(await runs.getJob(`command.slack.C0OPS.${ts}`)).toBeUndefined();
  });

  it('handles an event Slack retries once', async () => {
    const ts = messageTs();
    const event = eventCallback(
      appMention({ channel: 'C0OPS', user: 'U0DANA', text: 'why is shop slow?', ts }),
    );
    await slack.sendHttp(events, event);
    await slack.waitForCall('chat.postMessage', answerIn(ts, /Answered by the analyzers/), 20_000);
    // The run is done and its job gone (as after its retention): only the event id can tell the
    // retry apart now.
    const runId = `ask.slack.C0OPS.${ts}`;
    await eventually(async () => {
      const job = await runs.getJob(runId);
      if (job === undefined || !(await job.isCompleted())) return undefined;
      await job.remove();
      return true;
    });

    const added = await slackInboxAdded();
    const retried = await slack.sendHttp(events, event, {
      retryNum: 1,
      retryReason: 'http_timeout',
    });
    await queuesIdle(app);

    expect(retried.status).toBe(200);
    // Acknowledged without a second entry: the event id was accepted once already.
    expect(await slackInboxAdded()).toBe(added);
    expect(await runs.getJob(runId)).toBeUndefined();
    expect(slack.calls.filter(answerIn(ts, /Answered by the analyzers/))).toHaveLength(1);
  });

  it('handles an event taken over while a reader that died still holds its claim', async () => {
    const ts = messageTs();
    const event = eventCallback(appMention({ channel: 'C0OPS', user: 'U0DANA', text: 'help', ts }));
    // A reader took the event, claimed its id (for 60 s) and died; 30 s on another takes the entry
    // over and finds the claim still pending for the rest of the minute, here 15 s.
    const redis = new Redis(app.redisUrl);
    try {
      await redis.set(`${app.prefix}:event:slack:${event.event_id}`, 'pending', 'EX', 15);
    } finally {
      redis.disconnect();
    }

    const sent = await slack.sendHttp(events, event);

    expect(sent.status).toBe(200);
    // Answered once the dead reader's claim lapses, not dropped as failing meanwhile.
    await slack.waitForCall('chat.postMessage', answerIn(ts, /Coxswain commands/), 40_000);
  }, 60_000);

  it('refuses a signed click with no action with 400, adding nothing to the inbox', async () => {
    const payload = {
      ...slack.blockActions({
        actionId: 'coxswain.approve.0',
        value: 'p-none',
        channel: 'C0OPS',
        user: 'U0DANA',
        messageTs: messageTs(),
      }),
      actions: [],
    };
    // Bolt reads the first action of every click before any listener: it would throw on this
    // each time the entry was read. (The mention makes sure the inbox exists to count.)
    await slack.sendHttp(
      events,
      eventCallback(appMention({ channel: 'C0OPS', user: 'U0DANA', text: 'help' })),
    );
    const added = await slackInboxAdded();

    const clicked = await slack.sendHttp(events, interactiveForm(payload), { contentType: 'form' });

    expect(clicked.status).toBe(400);
    expect(await slackInboxAdded()).toBe(added);
  });

  it('delivers after the Retry-After of a 429, without failing the message', async () => {
    const ts = messageTs();
    slack.rateLimit('chat.postMessage', 1, 1, (args) => args.thread_ts === ts);
    const started = Date.now();

    await slack.sendHttp(
      events,
      eventCallback(appMention({ channel: 'C0OPS', user: 'U0DANA', text: 'help', ts })),
    );

    const delivered = await slack.waitForCall(
      'chat.postMessage',
      answerIn(ts, /Coxswain commands/),
      15_000,
    );
    const limited = slack.calls.find((c) => c.rateLimited && c.args.thread_ts === ts);
    expect(limited).toBeDefined();
    expect(delivered.at - (limited?.at ?? 0)).toBeGreaterThanOrEqual(1_000);
    expect(delivered.at - started).toBeGreaterThanOrEqual(1_000);
  });

  it('answers Slack’s URL verification with the challenge', async () => {
    const reply = await slack.sendHttp(events, {
      type: 'url_verification',
      challenge: 'abc123',
      token: 'x',
    });

    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ challenge: 'abc123' });
  });
});
