import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { writeConfigFile } from '../support/config-file.ts';
import { useSandbox } from '../support/sandbox.ts';
import { FakeSlack, type SlackCall } from '../support/slack-api.ts';
import { appMention, eventCallback, messageTs } from '../support/slack-payloads.ts';

/** The real Bolt in Socket Mode: the bot connects out to a local Slack and takes envelopes. */
const sandbox = useSandbox(['oom-crashloop']);
let slack: FakeSlack;
let app: TestApp;

beforeAll(async () => {
  slack = await FakeSlack.start();
  const file = writeConfigFile({
    clusters: [{ name: 'sandbox', kubeconfig: sandbox.kubeconfig }],
    bindings: [{ channel: 'slack:C0OPS', clusters: ['sandbox'], namespaces: ['payments'] }],
  });
  app = await startTestApp({
    COXSWAIN_CONFIG: file,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_APP_TOKEN: slack.appToken,
    SLACK_API_URL: slack.apiUrl,
  });
  await slack.socketConnected();
});

afterAll(async () => {
  await app.stop();
  await slack.close();
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
});
