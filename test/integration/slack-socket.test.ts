import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedRedis, startEmbeddedRedis } from '../../src/runtime/embedded-redis.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { writeConfigFile } from '../support/config-file.ts';
import { queuesIdle } from '../support/queues-idle.ts';
import { eventually, useSandbox } from '../support/sandbox.ts';
import { FakeSlack, type SlackCall } from '../support/slack-api.ts';
import { appMention, eventCallback, messageTs } from '../support/slack-payloads.ts';

/**
 * The real Bolt in Socket Mode: the bot connects out to a local Slack and takes envelopes. The
 * bot has a Redis of its own, so one test can make it refuse writes for a while.
 */
const sandbox = useSandbox(['oom-crashloop']);
let slack: FakeSlack;
let app: TestApp;
let redis: EmbeddedRedis;

beforeAll(async () => {
  slack = await FakeSlack.start();
  redis = await startEmbeddedRedis();
  const file = writeConfigFile({
    clusters: [{ name: 'sandbox', kubeconfig: sandbox.kubeconfig }],
    bindings: [{ channel: 'slack:C0OPS', clusters: ['sandbox'], namespaces: ['payments'] }],
  });
  app = await startTestApp({
    REDIS_URL: redis.url,
    COXSWAIN_CONFIG: file,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_APP_TOKEN: slack.appToken,
    SLACK_API_URL: slack.apiUrl,
    // The local Slack has no rate limit: a short pace keeps messages spaced without the wait.
    SLACK_PACE_MS: '100',
  });
  await slack.socketConnected();
});

afterAll(async () => {
  await app.stop();
  await slack.close();
  await redis.stop();
});

const text = (call: SlackCall) => `${String(call.args.text)} ${JSON.stringify(call.args.blocks)}`;

describe('Slack in Socket Mode', () => {
  it('serves no HTTP endpoint for Slack', async () => {
    const response = await fetch(`${app.baseUrl}/slack/events`, { method: 'POST', body: '{}' });

    expect(response.status).toBe(404);
  });

  it('acks a mention and answers in its thread', async () => {
    const ts = messageTs();

    const ack = await slack.sendSocket(
      'events_api',
      eventCallback(appMention({ channel: 'C0OPS', user: 'U0DANA', text: 'diagnose', ts })),
    );

    expect(ack.ms).toBeLessThan(3_000);
    const answer = await slack.waitForCall(
      'chat.postMessage',
      (call) => call.args.thread_ts === ts && /namespace payments/.test(text(call)),
      20_000,
    );
    expect(text(answer)).toContain('OOM');
  });

  it('runs a YAML workflow from a mention, its status edited in the thread until it ends', async () => {
    const ts = messageTs();

    await slack.sendSocket(
      'events_api',
      eventCallback(
        appMention({ channel: 'C0OPS', user: 'U0DANA', text: 'workflow cluster-health-check', ts }),
      ),
    );

    const done = await eventually(
      async () =>
        slack.calls.find(
          (call) =>
            (call.method === 'chat.postMessage' || call.method === 'chat.update') &&
            /Workflow cluster-health-check: succeeded/.test(text(call)),
        ),
      30_000,
      'the workflow to end',
    );
    expect(text(done)).toContain('status (succeeded)');
    const inThread = slack.calls.filter(
      (call) =>
        call.method === 'chat.postMessage' &&
        call.args.thread_ts === ts &&
        /Workflow cluster-health-check/.test(text(call)),
    );
    expect(inThread.length).toBeGreaterThan(0);
  });

  it('answers a slash command in its ack, and a click with the command behind it', async () => {
    const help = await slack.sendSocket(
      'slash_commands',
      slack.slashCommand({ text: 'help', channelId: 'C0OPS', userId: 'U0DANA' }),
    );
    const card = messageTs();
    await slack.sendSocket(
      'interactive',
      slack.blockActions({
        actionId: 'coxswain.command.0',
        value: 'rollback orders-api',
        channel: 'C0OPS',
        user: 'U0SAM',
        messageTs: card,
      }),
    );

    expect(JSON.stringify(help.payload)).toContain('Coxswain commands');
    // The binding covers payments only; rollback without -n takes it, and orders-api is not there.
    const answer = await slack.waitForCall(
      'chat.postMessage',
      (call) => call.args.thread_ts === card,
      20_000,
    );
    expect(text(answer)).toContain('Cannot roll back deployment payments/orders-api');
  });

  it('acknowledges an event only once its work is queued, so Slack sends it again', async () => {
    const ts = messageTs();
    const event = eventCallback(
      appMention({ channel: 'C0OPS', user: 'U0DANA', text: 'status', ts }),
    );
    const admin = new Redis(redis.url);
    try {
      // Redis refusing writes for longer than Slack waits for an ack.
      await admin.call('CLIENT', 'PAUSE', '3500', 'WRITE');

      await expect(slack.sendSocket('events_api', event)).rejects.toThrow();
    } finally {
      admin.disconnect();
    }
    // The work was queued once Redis took writes again, and answered.
    await slack.waitForCall(
      'chat.postMessage',
      (call) => call.args.thread_ts === ts && /Cluster sandbox/.test(text(call)),
      20_000,
    );
    const retried = await slack.sendSocket('events_api', event, {
      retryAttempt: 1,
      retryReason: 'timeout',
    });

    expect(retried.ms).toBeLessThan(3_000);
    await queuesIdle(app);
    expect(
      slack.calls.filter(
        (call) =>
          call.method === 'chat.postMessage' &&
          call.args.thread_ts === ts &&
          /Cluster sandbox/.test(text(call)),
      ),
    ).toHaveLength(1);
  });
});
