import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, isValidSlackRequest, LogLevel, SocketModeReceiver, webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeSlack } from './slack-api.ts';
import {
  appMention,
  directMessage,
  eventCallback,
  interactiveForm,
  urlVerification,
} from './slack-payloads.ts';

let slack: FakeSlack;
const cleanups: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  slack = await FakeSlack.start({ signingSecret: 'test-signing-secret' });
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await slack.close();
});

function webClient(options: webApi.WebClientOptions = {}) {
  return new webApi.WebClient(slack.botToken, {
    slackApiUrl: slack.apiUrl,
    logLevel: webApi.LogLevel.ERROR,
    ...options,
  });
}

async function startApp(receiver?: SocketModeReceiver): Promise<App> {
  const app = new App({
    token: slack.botToken,
    appToken: slack.appToken,
    socketMode: true,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: slack.apiUrl },
    ...(receiver === undefined ? {} : { receiver }),
  });
  cleanups.push(() => app.stop());
  await app.start();
  return app;
}

describe('FakeSlack Web API, through @slack/web-api', () => {
  it('posts, updates and posts ephemeral messages as a channel then shows them', async () => {
    const client = webClient();
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*pod* restarting' } }];

    const posted = await client.chat.postMessage({ channel: 'C0OPS', text: 'first', blocks });
    const reply = await client.chat.postMessage({
      channel: 'C0OPS',
      text: 'in thread',
      thread_ts: posted.ts ?? '',
    });
    await client.chat.update({ channel: 'C0OPS', ts: posted.ts ?? '', text: 'edited' });
    const ephemeral = await client.chat.postEphemeral({
      channel: 'C0OPS',
      user: 'U0ALICE',
      text: 'only you',
    });

    expect(posted.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Number(reply.ts)).toBeGreaterThan(Number(posted.ts));
    expect(posted.message?.bot_id).toBe(slack.botId);
    expect(slack.posted('C0OPS')).toEqual([
      { channel: 'C0OPS', ts: posted.ts, text: 'edited', blocks, user: slack.botUserId, edits: 1 },
      {
        channel: 'C0OPS',
        ts: reply.ts,
        thread_ts: posted.ts,
        text: 'in thread',
        user: slack.botUserId,
        edits: 0,
      },
      {
        channel: 'C0OPS',
        ts: ephemeral.message_ts,
        text: 'only you',
        user: slack.botUserId,
        ephemeralTo: 'U0ALICE',
        edits: 0,
      },
    ]);
    expect(slack.calls[0]).toMatchObject({
      method: 'chat.postMessage',
      args: { channel: 'C0OPS', text: 'first', blocks },
      token: slack.botToken,
    });
  });

  it('answers errors in Slack shapes: unknown message, unknown method, bad or missing token', async () => {
    const client = webClient();

    const unknownTs = client.chat.update({ channel: 'C0OPS', ts: '1.000001', text: 'x' });
    const unknownMethod = client.apiCall('conversations.history', { channel: 'C0OPS' });
    const badToken = client.auth.test({ token: 'xoxb-wrong' });
    const noToken = new webApi.WebClient(undefined, {
      slackApiUrl: slack.apiUrl,
      logLevel: webApi.LogLevel.ERROR,
    }).auth.test();
    const appTokenForBotMethod = client.auth.test({ token: slack.appToken });

    await expect(unknownTs).rejects.toMatchObject({
      code: webApi.ErrorCode.PlatformError,
      data: { ok: false, error: 'message_not_found' },
    });
    await expect(unknownMethod).rejects.toMatchObject({ data: { error: 'unknown_method' } });
    await expect(badToken).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
    await expect(noToken).rejects.toMatchObject({ data: { error: 'not_authed' } });
    await expect(appTokenForBotMethod).rejects.toMatchObject({
      data: { error: 'not_allowed_token_type' },
    });
  });

  it('deletes as a person would: the edit is message_not_found, a reply goes to the channel, one with replies stays a tombstone', async () => {
    const client = webClient();
    const lone = await client.chat.postMessage({ channel: 'C0OPS', text: 'lone' });
    const parent = await client.chat.postMessage({ channel: 'C0OPS', text: 'parent' });
    const kept = await client.chat.postMessage({
      channel: 'C0OPS',
      text: 'kept',
      thread_ts: parent.ts ?? '',
    });

    slack.deleteMessage('C0OPS', lone.ts ?? '');
    slack.deleteMessage('C0OPS', parent.ts ?? '');
    const edit = await client.chat
      .update({ channel: 'C0OPS', ts: lone.ts ?? '', text: 'x' })
      .catch((error: unknown) => error);
    const toLone = await client.chat.postMessage({
      channel: 'C0OPS',
      text: 'orphan',
      thread_ts: lone.ts ?? '',
    });
    const toParent = await client.chat.postMessage({
      channel: 'C0OPS',
      text: 'later',
      thread_ts: parent.ts ?? '',
    });

    expect(edit).toMatchObject({ data: { error: 'message_not_found' } });
    expect(toLone.message?.thread_ts).toBeUndefined();
    expect(toParent.message?.thread_ts).toBe(parent.ts);
    expect(
      slack.posted('C0OPS').map((m) => [m.text, m.thread_ts ?? null, m.subtype ?? null]),
    ).toEqual([
      ['This message was deleted.', null, 'tombstone'],
      ['kept', parent.ts, null],
      ['orphan', null, null],
      ['later', parent.ts, null],
    ]);
    expect(kept.message?.thread_ts).toBe(parent.ts);
  });

  it('rate-limits: rejectRateLimitedCalls gets the rate-limited error with retryAfter', async () => {
    slack.rateLimit('chat.postMessage', 1, 7);
    const client = webClient({ rejectRateLimitedCalls: true });

    const call = client.chat.postMessage({ channel: 'C0OPS', text: 'hi' });

    await expect(call).rejects.toMatchObject({
      code: webApi.ErrorCode.RateLimitedError,
      retryAfter: 7,
    });
    expect(slack.calls).toMatchObject([
      { method: 'chat.postMessage', rateLimited: true, result: { error: 'ratelimited' } },
    ]);
    expect(slack.posted()).toEqual([]);
  });

  it('rate-limits: by default the client waits Retry-After and then succeeds', async () => {
    slack.rateLimit('chat.postMessage', 1, 1);
    const client = webClient({ retryConfig: webApi.retryPolicies.rapidRetryPolicy });
    const started = performance.now();

    const result = await client.chat.postMessage({ channel: 'C0OPS', text: 'hi' });

    expect(result.ok).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(slack.calls.map((c) => c.rateLimited)).toEqual([true, false]);
    expect(slack.posted('C0OPS')).toHaveLength(1);
  });
});

describe('FakeSlack Socket Mode, through a Bolt app', () => {
  it('connects with the app token and delivers an app_mention; the ack comes back', async () => {
    const app = await startApp();
    const mentions: string[] = [];
    app.event('app_mention', async ({ event, say }) => {
      mentions.push(event.text);
      await say({ text: 'looking', thread_ts: event.ts });
    });
    const event = appMention({ channel: 'C0OPS', user: 'U0ALICE', text: 'why is api down?' });

    await slack.socketConnected();
    const ack = await slack.sendSocket('events_api', eventCallback(event));
    const reply = await slack.waitForCall('chat.postMessage');

    expect(slack.socketConnections).toBe(1);
    expect(slack.calls.find((c) => c.method === 'apps.connections.open')?.token).toBe(
      slack.appToken,
    );
    expect(slack.calls.some((c) => c.method === 'auth.test' && c.result.ok)).toBe(true);
    expect(ack.payload).toEqual({});
    expect(ack.ms).toBeLessThan(3000);
    expect(mentions).toEqual([`<@${slack.botUserId}> why is api down?`]);
    expect(reply.args).toMatchObject({ channel: 'C0OPS', text: 'looking', thread_ts: event.ts });
  });

  it('delivers a direct message and passes retry_attempt through to the app', async () => {
    const app = await startApp();
    const seen: { text: unknown; retryNum: unknown }[] = [];
    app.message(async ({ message, context }) => {
      seen.push({ text: 'text' in message ? message.text : undefined, retryNum: context.retryNum });
    });

    await slack.sendSocket(
      'events_api',
      eventCallback(directMessage({ channel: 'D0ALICE', user: 'U0ALICE', text: 'status?' })),
      { retryAttempt: 1, retryReason: 'timeout' },
    );

    // Bolt acks an event before its listeners run.
    await vi.waitFor(() => expect(seen).toEqual([{ text: 'status?', retryNum: 1 }]));
  });

  it('delivers a slash command: the ack carries the response, respond() reaches the fake', async () => {
    const app = await startApp();
    app.command('/coxswain', async ({ command, ack, respond }) => {
      await ack({ response_type: 'ephemeral', text: `on it: ${command.text}` });
      await respond({ text: 'all pods healthy' });
    });

    const ack = await slack.sendSocket(
      'slash_commands',
      slack.slashCommand({ text: 'status', channelId: 'C0OPS', userId: 'U0ALICE' }),
    );
    const response = await slack.waitForCall('response_url');

    expect(ack.payload).toEqual({ response_type: 'ephemeral', text: 'on it: status' });
    expect(response.args).toEqual({ text: 'all pods healthy' });
    expect(slack.posted('C0OPS')).toMatchObject([
      { text: 'all pods healthy', ephemeralTo: 'U0ALICE' },
    ]);
  });

  it('delivers a block_actions click on a posted message; the handler updates it', async () => {
    const app = await startApp();
    app.action('approve', async ({ ack, body, client }) => {
      await ack();
      if (body.type !== 'block_actions' || !body.message || !body.channel) return;
      await client.chat.update({ channel: body.channel.id, ts: body.message.ts, text: 'Approved' });
    });
    const proposal = await app.client.chat.postMessage({ channel: 'C0OPS', text: 'Scale api?' });

    const ack = await slack.sendSocket(
      'interactive',
      slack.blockActions({
        actionId: 'approve',
        value: 'proposal-1',
        channel: 'C0OPS',
        user: 'U0ALICE',
        messageTs: proposal.ts ?? '',
      }),
    );
    await slack.waitForCall('chat.update');

    expect(ack.envelope_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(slack.posted('C0OPS')).toMatchObject([{ text: 'Approved', edits: 1 }]);
  });

  it('pings the client often enough that it keeps the connection', async () => {
    await slack.close();
    slack = await FakeSlack.start({ pingIntervalMs: 100 });
    let pings = 0;
    const onPing = () => {
      pings += 1;
    };
    subscribe('undici:websocket:ping', onPing);
    cleanups.push(async () => unsubscribe('undici:websocket:ping', onPing));
    // A client that gives up on the server after 400 ms without a ping or 300 ms without a pong.
    const receiver = new SocketModeReceiver({
      appToken: slack.appToken,
      logLevel: LogLevel.ERROR,
      serverPingTimeout: 400,
      clientPingTimeout: 300,
      installerOptions: { clientOptions: { slackApiUrl: slack.apiUrl } },
    });
    await startApp(receiver);

    await new Promise((resolve) => setTimeout(resolve, 1200));

    expect(pings).toBeGreaterThanOrEqual(5);
    expect(slack.calls.filter((c) => c.method === 'apps.connections.open')).toHaveLength(1);
    expect(slack.socketConnections).toBe(1);
  });

  it('rejects when no client is connected or the app never acks', async () => {
    const early = slack.sendSocket(
      'events_api',
      eventCallback(appMention({ channel: 'C0OPS', user: 'U0A', text: 'x' })),
    );
    await expect(early).rejects.toThrow(/no Socket Mode connection/);

    const app = await startApp();
    app.command('/coxswain', async () => {});
    const unacked = slack.sendSocket(
      'slash_commands',
      slack.slashCommand({ text: '', channelId: 'C0OPS', userId: 'U0ALICE' }),
      { timeoutMs: 200 },
    );

    await expect(unacked).rejects.toThrow(/no ack/);
  });
});

describe('FakeSlack HTTP deliveries', () => {
  type Seen = { headers: IncomingHttpHeaders; body: string; valid: boolean };
  let seen: Seen[];
  let appUrl: string;
  let appServer: Server;

  beforeEach(async () => {
    seen = [];
    appServer = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString('utf8');
      const valid = isValidSlackRequest({
        signingSecret: 'test-signing-secret',
        body,
        headers: {
          'x-slack-signature': String(req.headers['x-slack-signature']),
          'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp']),
        },
      });
      seen.push({ headers: req.headers, body, valid });
      res.writeHead(valid ? 200 : 401, { 'content-type': 'text/plain' }).end(valid ? 'ok' : 'no');
    });
    await new Promise<void>((resolve) => appServer.listen(0, '127.0.0.1', resolve));
    appUrl = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}/slack/events`;
    cleanups.push(() => new Promise((resolve) => appServer.close(resolve)));
  });

  it('signs an Events API body so Bolt’s verifier accepts it, with retry headers', async () => {
    const body = eventCallback(appMention({ channel: 'C0OPS', user: 'U0ALICE', text: 'hi' }));

    const reply = await slack.sendHttp(appUrl, body, { retryNum: 2, retryReason: 'http_timeout' });

    expect(reply).toMatchObject({ status: 200, body: 'ok' });
    expect(seen[0]?.headers).toMatchObject({
      'content-type': 'application/json',
      'x-slack-retry-num': '2',
      'x-slack-retry-reason': 'http_timeout',
    });
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual(body);
  });

  it('form-encodes slash commands and interactivity (one payload field of JSON)', async () => {
    const command = slack.slashCommand({ text: 'status', channelId: 'C0OPS', userId: 'U0ALICE' });
    const click = slack.blockActions({
      actionId: 'approve',
      value: 'p1',
      channel: 'C0OPS',
      user: 'U0ALICE',
      messageTs: '1700000000.000100',
    });

    const commandReply = await slack.sendHttp(appUrl, command, { contentType: 'form' });
    const clickReply = await slack.sendHttp(appUrl, interactiveForm(click), {
      contentType: 'form',
    });

    expect([commandReply.status, clickReply.status]).toEqual([200, 200]);
    expect(seen[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(seen[0]?.body))).toEqual(command);
    const form = new URLSearchParams(seen[1]?.body);
    expect([...form.keys()]).toEqual(['payload']);
    expect(JSON.parse(form.get('payload') ?? '')).toEqual(click);
  });

  it('is refused when signed with the wrong secret, a stale timestamp or a forged signature', async () => {
    const body = urlVerification('challenge-1');
    const stale = Math.floor(Date.now() / 1000) - 600;

    const wrongSecret = await slack.sendHttp(appUrl, body, { secret: 'not-the-secret' });
    const old = await slack.sendHttp(appUrl, body, { timestamp: stale });
    const forged = await slack.sendHttp(appUrl, body, { signature: 'v0=deadbeef' });
    const good = await slack.sendHttp(appUrl, body);

    expect([wrongSecret.status, old.status, forged.status, good.status]).toEqual([
      401, 401, 401, 200,
    ]);
    expect(good.ms).toBeGreaterThan(0);
  });
});
