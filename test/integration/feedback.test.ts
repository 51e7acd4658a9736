import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareStreamIds } from '../../src/chat/web/entry.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { writeConfigFile } from '../support/config-file.ts';
import { eventually, useSandbox } from '../support/sandbox.ts';
import { FakeSlack, type SlackCall } from '../support/slack-api.ts';
import {
  appMention,
  eventCallback,
  interactiveForm,
  messageTs,
} from '../support/slack-payloads.ts';
import { SseClient } from '../support/sse.ts';

/**
 * 👍 / 👎 under answers, clicked in Slack (signed requests) and in the console (a signed-in
 * session), then read back on the dashboard and in the JSONL export. U0DANA asks in C0OPS;
 * U0EVE, no approver, rates too; Lee approves in C0OPS and so sees its feedback; Sam sees only
 * the console's channels.
 */
const sandbox = useSandbox(['oom-crashloop']);
let slack: FakeSlack;
let app: TestApp;
let events: string;
const TOKENS = { lee: 'lee-token-0123456789', sam: 'sam-token-0123456789' };
const cookies: Record<string, string> = {};
const streams: SseClient[] = [];

beforeAll(async () => {
  slack = await FakeSlack.start();
  const file = writeConfigFile({
    clusters: [{ name: 'sandbox', kubeconfig: sandbox.kubeconfig }],
    people: [{ name: 'lee', ids: ['slack:U0LEAD', 'web:lee'] }],
    bindings: [
      {
        channel: 'slack:C0OPS',
        clusters: ['sandbox'],
        namespaces: ['*'],
        approvers: ['slack:U0LEAD'],
      },
      { channel: 'slack:C0DEV', clusters: ['sandbox'], namespaces: ['*'] },
      { channel: 'web:ops', clusters: ['sandbox'], namespaces: ['*'] },
    ],
  });
  app = await startTestApp({
    COXSWAIN_CONFIG: file,
    DASHBOARD_TOKENS: Object.entries(TOKENS)
      .map(([name, token]) => `${name}:${token}`)
      .join(','),
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_API_URL: slack.apiUrl,
    // The local Slack has no rate limit: a short pace keeps messages spaced without the wait.
    SLACK_PACE_MS: '100',
  });
  events = `${app.baseUrl}/slack/events`;
  for (const name of ['lee', 'sam'] as const) cookies[name] = await signIn(name);
}, 60_000);

afterAll(async () => {
  await Promise.all(streams.map((s) => s.close()));
  await app?.stop();
  await slack?.close();
});

async function signIn(name: keyof typeof TOKENS): Promise<string> {
  const response = await fetch(`${app.baseUrl}/dashboard/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, token: TOKENS[name] }),
  });
  expect(response.status).toBe(200);
  return (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

const text = (call: SlackCall) => `${String(call.args.text)} ${JSON.stringify(call.args.blocks)}`;
type Element = { action_id?: string; value?: string };

/** Asks in C0OPS; the answer's ts and its feedback buttons' values, 👍 then 👎. */
async function askInSlack(): Promise<{ ts: string; up: string; down: string }> {
  const ts = messageTs();
  await slack.sendHttp(
    events,
    eventCallback(
      appMention({ channel: 'C0OPS', user: 'U0DANA', text: 'why is payments crashlooping?', ts }),
    ),
  );
  const answer = await slack.waitForCall(
    'chat.postMessage',
    (c) => c.args.thread_ts === ts && /coxswain\.feedback/.test(text(c)),
    20_000,
  );
  const elements = (answer.args.blocks as { elements?: Element[] }[]).flatMap(
    (b) => b.elements ?? [],
  );
  const value = (id: string) => elements.find((e) => e.action_id === id)?.value ?? '';
  return { ts, up: value('coxswain.feedback.0'), down: value('coxswain.feedback.1') };
}

function click(value: string, user: string, thread: string, options = { channel: 'C0OPS' }) {
  return slack.sendHttp(
    events,
    interactiveForm(
      slack.blockActions({
        actionId: `coxswain.feedback.${value.startsWith('up.') ? 0 : 1}`,
        value,
        channel: options.channel,
        user,
        messageTs: messageTs(),
        threadTs: thread,
      }),
    ),
    { contentType: 'form' },
  );
}

/** The ephemeral replies to `user`, in order, once `count` have come. */
const toldTo = (user: string, count: number) =>
  eventually(async () => {
    const told = slack.calls
      .filter((c) => c.method === 'chat.postEphemeral' && c.args.user === user)
      .map((c) => String(c.args.text));
    return told.length >= count ? told : undefined;
  }, 10_000);

type Case = {
  runId: string;
  kind: string;
  question: string;
  answer: string;
  rating: string;
  by: string;
  at: string;
  channel: string;
  specialists: string[];
};
const get = (path: string, cookie?: string) =>
  fetch(`${app.baseUrl}${path}`, { headers: cookie === undefined ? {} : { cookie } });
const listed = async (cookie: string, query = '') =>
  ((await (await get(`/dashboard/api/feedback${query}`, cookie)).json()) as { feedback: Case[] })
    .feedback;

describe('feedback on answers', () => {
  let runId = '';

  it('records one vote per person from Slack clicks, telling each clicker privately', async () => {
    const { ts, up, down } = await askInSlack();
    runId = `ask.slack.C0OPS.${ts}`;

    expect(up).toMatch(/^up\./);
    expect(down).toMatch(/^down\./);
    await click(up, 'U0DANA', ts);
    expect(await toldTo('U0DANA', 1)).toEqual(['Thanks: 👍 recorded for this answer']);
    await click(down, 'U0DANA', ts);
    await click(up, 'U0EVE', ts);

    expect(await toldTo('U0DANA', 2)).toEqual([
      'Thanks: 👍 recorded for this answer',
      'Your feedback on this answer is now 👎',
    ]);
    expect(await toldTo('U0EVE', 1)).toEqual(['Thanks: 👍 recorded for this answer']);
    const cases = (await listed(cookies.lee ?? '')).filter((c) => c.runId === runId);
    expect(cases.map((c) => [c.by, c.rating])).toEqual([
      ['slack:U0EVE', 'up'],
      ['slack:U0DANA', 'down'],
    ]);
    expect(cases[0]).toMatchObject({
      kind: 'answer',
      question: 'why is payments crashlooping?',
      channel: 'slack:C0OPS',
      specialists: ['k8s-diagnostician'],
    });
    expect(cases[0]?.answer).toContain('namespace payments');
  });

  it('refuses a forged request, a made-up value and a click from another channel', async () => {
    const { ts, up } = await askInSlack();
    const payload = slack.blockActions({
      actionId: 'coxswain.feedback.0',
      value: up,
      channel: 'C0OPS',
      user: 'U0MALLORY',
      messageTs: ts,
    });

    const forged = await slack.sendHttp(events, interactiveForm(payload), {
      contentType: 'form',
      secret: 'not-the-secret-at-all',
    });
    await click('up.AAAAAAAAAAAAAAAA', 'U0MALLORY', ts);
    await click(up, 'U0MALLORY', ts, { channel: 'C0DEV' });

    expect(forged.status).toBe(401);
    expect((await toldTo('U0MALLORY', 2)).sort()).toEqual([
      'I have no record of that message to rate',
      'That message is not one of this channel’s',
    ]);
    const all = await listed(cookies.lee ?? '');
    expect(all.filter((c) => c.by === 'slack:U0MALLORY')).toEqual([]);
  });

  it('records a console click as the signed-in person', async () => {
    const headers = { 'content-type': 'application/json', cookie: cookies.sam ?? '' };
    const stream = await SseClient.connect(`${app.baseUrl}/api/stream?channel=ops`, {
      cookie: cookies.sam ?? '',
    });
    streams.push(stream);
    const posted = await fetch(`${app.baseUrl}/api/channels/ops/messages`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ text: '@coxswain why is payments crashlooping?' }),
    });
    const { id } = (await posted.json()) as { id: string };
    const answer = await stream.next((e) => {
      if (e.event !== 'message' || compareStreamIds(e.id ?? '0-0', id) <= 0) return false;
      const entry = JSON.parse(e.data) as { message: { buttons: { action: string }[] } };
      return entry.message.buttons.some((b) => b.action === 'feedback');
    }, 20_000);
    const buttons = (JSON.parse(answer.data) as { message: { buttons: { label: string }[] } })
      .message.buttons;

    const clicked = await fetch(`${app.baseUrl}/api/channels/ops/clicks`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        entry: answer.id,
        button: buttons.findIndex((b) => b.label.startsWith('👎')),
        author: 'someone-else',
      }),
    });

    expect(clicked.status).toBe(202);
    const mine = await eventually(async () => {
      const found = (await listed(cookies.sam ?? '')).filter((c) => c.channel === 'web:ops');
      return found.length > 0 ? found : undefined;
    });
    expect(mine.map((c) => [c.by, c.rating, c.kind])).toEqual([['web:sam', 'down', 'answer']]);
  });

  it('shows each person only their channels’ feedback, and exports it as JSON Lines', async () => {
    const sams = await listed(cookies.sam ?? '');
    const export_ = await get('/dashboard/api/feedback.jsonl?rating=down', cookies.lee);
    const anonymous = await Promise.all([
      get('/dashboard/api/feedback'),
      get('/dashboard/api/feedback.jsonl'),
    ]);
    const bad = await get('/dashboard/api/feedback.jsonl?rating=meh', cookies.lee);

    expect(sams.every((c) => c.channel === 'web:ops')).toBe(true);
    expect(export_.status).toBe(200);
    expect(export_.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = (await export_.text())
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Case);
    expect(lines.find((c) => c.runId === runId)).toMatchObject({
      kind: 'answer',
      question: 'why is payments crashlooping?',
      rating: 'down',
      by: 'slack:U0DANA',
      channel: 'slack:C0OPS',
      specialists: ['k8s-diagnostician'],
    });
    for (const line of lines) {
      expect(Object.keys(line)).toEqual(
        expect.arrayContaining([
          'runId',
          'kind',
          'question',
          'answer',
          'rating',
          'by',
          'at',
          'channel',
          'specialists',
        ]),
      );
      expect(line.rating).toBe('down');
      expect(['slack:C0OPS', 'web:ops']).toContain(line.channel);
    }
    expect(anonymous.map((r) => r.status)).toEqual([401, 401]);
    expect(bad.status).toBe(400);
  });
});
