import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { writeConfigFile } from '../support/config-file.ts';
import { FakeDiscord } from '../support/discord-api.ts';
import {
  deepArray,
  deepObject,
  type HostileCase,
  HUGE,
  hostileCases,
  type Json,
  prototypePolluted,
  SAMPLE_VALUES,
  UNICODE,
} from '../support/hostile-values.ts';
import { FakeSlack } from '../support/slack-api.ts';
import { APP_ID, TEAM_ID, VERIFICATION_TOKEN } from '../support/slack-payloads.ts';
import { encodeBody, slackSignature } from '../support/slack-signed-request.ts';

/**
 * Hostile requests to the bot's HTTP surfaces, over real HTTP, with Redis up: the Alertmanager
 * webhook and Slack's events, slash commands and clicks (signed, so that they reach the bot's
 * own parsing). Every answer is a 2xx or a 4xx with a message, never a 5xx; none hangs (a
 * generous timeout stands in for "never answered"); and the bot still takes a valid request after.
 */
let app: TestApp;
let slack: FakeSlack;
let discord: FakeDiscord;
let dana: string;

/** How long an answer may take before it counts as never coming: far past any real one. */
const HANG_MS = 15_000;

beforeAll(async () => {
  [slack, discord] = await Promise.all([FakeSlack.start(), FakeDiscord.start()]);
  dana = discord.addUser('dana');
  const file = writeConfigFile({
    clusters: [{ name: 'prod', context: 'none' }],
    bindings: [
      { channel: 'slack:C0OPS', clusters: ['prod'], namespaces: ['payments'] },
      { channel: `discord:${discord.channels.ops}`, clusters: ['prod'], namespaces: ['payments'] },
    ],
  });
  app = await startTestApp(
    {
      COXSWAIN_CONFIG: file,
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: slack.signingSecret,
      SLACK_API_URL: slack.apiUrl,
      SLACK_PACE_MS: '10',
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_GUILD_ID: discord.guildId,
      DISCORD_PACE_MS: '10',
    },
    'bot',
  );
  await discord.ready();
});

afterAll(async () => {
  await app?.stop();
  await Promise.all([slack?.close(), discord?.close()]);
});

type Answer = { status: number; text: string };

async function post(path: string, body: string | Buffer, headers: Record<string, string>) {
  const res = await fetch(`${app.baseUrl}${path}`, {
    method: 'POST',
    headers,
    body,
    signal: AbortSignal.timeout(HANG_MS),
  });
  return { status: res.status, text: await res.text() } satisfies Answer;
}

/** Why an answer is not clear: not a 2xx, nor a 4xx that says what is wrong. */
function unclear(answer: Answer): string | undefined {
  if (answer.status >= 200 && answer.status < 300) return undefined;
  if (answer.status >= 400 && answer.status < 500 && answer.text.length > 0) return undefined;
  return `${answer.status} ${answer.text.slice(0, 200)}`;
}

function expectClear(answer: Answer, name: string) {
  expect(unclear(answer), name).toBeUndefined();
}

/** Each case sent one after another; every answer clear, nothing polluted. */
async function sendAll(cases: readonly HostileCase[], send: (c: HostileCase) => Promise<Answer>) {
  const statuses = new Map<number, number>();
  const failures: string[] = [];
  for (const hostile of cases) {
    const answer = await send(hostile);
    const problem = unclear(answer);
    if (problem !== undefined) failures.push(`${hostile.name}: ${problem}`);
    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
  }
  expect(failures).toEqual([]);
  expect(prototypePolluted()).toBe(false);
  return statuses;
}

const ALERT = {
  version: '4',
  groupKey: '{}:{alertname="KubePodCrashLooping"}',
  truncatedAlerts: 0,
  status: 'firing',
  receiver: 'coxswain',
  groupLabels: { alertname: 'KubePodCrashLooping' },
  commonLabels: { namespace: 'payments' },
  commonAnnotations: { summary: 'Pod is crash looping.' },
  externalURL: 'http://alertmanager:9093',
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'KubePodCrashLooping', namespace: 'payments' },
      annotations: { summary: 'Pod is crash looping.' },
      startsAt: '2026-11-21T09:12:40.123Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph',
      fingerprint: 'a1b2c3d4e5f60718',
    },
  ],
};

const JSON_HEADERS = { 'content-type': 'application/json' };
const postAlert = (body: string | Buffer, headers: Record<string, string> = JSON_HEADERS) =>
  post('/alerts/alertmanager', body, headers);

describe('the Alertmanager webhook, hostile', () => {
  const cases = [
    ...hostileCases(ALERT, { values: SAMPLE_VALUES }),
    // The huge values in two fields: a label's value, and the alerts themselves.
    ...hostileCases(ALERT, { values: HUGE, keys: [] }).filter((c) =>
      /^(alerts\[0\]\.labels\.namespace|alerts) ← /.test(c.name),
    ),
  ];

  it(`answers each of ${cases.length} hostile payloads with a 2xx or a 4xx`, async () => {
    const statuses = await sendAll(cases, (c) => postAlert(c.json));

    expect(statuses.get(400) ?? 0).toBeGreaterThan(cases.length / 2);
  });

  const RAW: Record<string, () => Promise<Answer>> = {
    'invalid JSON': () => postAlert('{"version": "4",'),
    'an empty body': () => postAlert(''),
    'JSON null': () => postAlert('null'),
    'a JSON string': () => postAlert('"alerts"'),
    'a 10,000-deep array': () => postAlert(deepArray(10_000)),
    'a 10,000-deep object': () => postAlert(deepObject(10_000)),
    'a 500,000-deep array (1 MB)': () => postAlert(deepArray(500_000)),
    'a 10 MB body': () => postAlert(Buffer.alloc(10 * 1024 * 1024, 'a')),
    'invalid UTF-8': () => postAlert(Buffer.from([0x7b, 0xff, 0xfe, 0xc0, 0x7d])),
    'a text/plain body': () => postAlert(JSON.stringify(ALERT), { 'content-type': 'text/plain' }),
    'a form body': () =>
      postAlert('version=4', { 'content-type': 'application/x-www-form-urlencoded' }),
    'no content-type': () => postAlert(new Blob([JSON.stringify(ALERT)]) as unknown as Buffer, {}),
    'a 100,000-alert payload': () =>
      postAlert(JSON.stringify({ ...ALERT, alerts: Array(100_000).fill(ALERT.alerts[0]) })),
    'alerts: 10,000 empty objects': () =>
      postAlert(JSON.stringify({ ...ALERT, alerts: Array(10_000).fill({}) })),
    'chunked garbage': () =>
      raw(
        'POST /alerts/alertmanager HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{{{{\r\n0\r\n\r\n',
      ),
    'a chunked body cut short': () =>
      raw(
        'POST /alerts/alertmanager HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{"version": "4"\r\n',
        true,
      ),
    'a body shorter than its content-length': () =>
      raw(
        'POST /alerts/alertmanager HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"version":',
        true,
      ),
    'a content-length that is not a number': () =>
      raw(
        'POST /alerts/alertmanager HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n{}',
      ),
  };

  it.each(Object.keys(RAW))('answers %s with a 2xx or a 4xx', async (name) => {
    const answer = await (RAW[name] as () => Promise<Answer>)();

    expectClear(answer, name);
  });

  it('still takes a valid notification after all of them', async () => {
    const answer = await postAlert(JSON.stringify(ALERT));

    expect(answer.status).toBe(202);
    expect(prototypePolluted()).toBe(false);
  });
});

/**
 * Raw bytes on a fresh connection; the status line of the answer. A request the client leaves
 * unfinished (`halfClose`) is ended from the client's side, as a client that gave up would.
 */
function raw(request: string, halfClose = false): Promise<Answer> {
  const { port } = new URL(app.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${HANG_MS} ms`));
    }, HANG_MS);
    socket.on('data', (chunk) => {
      text += chunk.toString();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      // An unfinished request may be dropped without an answer: the client left first.
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? (halfClose ? 400 : 0));
      resolve({ status, text: text || 'connection closed' });
    });
    socket.write(request);
    if (halfClose) socket.end();
    else setTimeout(() => socket.end(), 200);
  });
}

/** A Slack delivery, signed with the app's secret so it passes verification. */
function sendSlack(body: string, contentType: 'json' | 'form'): Promise<Answer> {
  const timestamp = Math.floor(Date.now() / 1000);
  return post('/slack/events', body, {
    'content-type':
      contentType === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(slack.signingSecret, timestamp, body),
  });
}

let eventNumber = 0;
/** Every delivery its own event id, so none is skipped as one already handled. */
const freshIds = (json: string) =>
  json
    .replace('"Ev0HOSTILE"', () => `"Ev0HOSTILE${eventNumber++}"`)
    .replace('"1700000000.000100"', () => `"1700000000.${String(eventNumber++).padStart(6, '0')}"`);

const MENTION = {
  token: VERIFICATION_TOKEN,
  team_id: TEAM_ID,
  api_app_id: APP_ID,
  type: 'event_callback',
  event_id: 'Ev0HOSTILE',
  event_time: 1_700_000_000,
  event: {
    type: 'app_mention',
    user: 'U0DANA',
    text: '<@U0BOT> why is payments crashlooping?',
    ts: '1700000000.000100',
    channel: 'C0OPS',
    event_ts: '1700000000.000100',
  },
};

const DIRECT = {
  ...MENTION,
  event: {
    ...MENTION.event,
    type: 'message',
    channel: 'D0DANA',
    channel_type: 'im',
    text: 'status',
  },
};

const SLASH = {
  token: VERIFICATION_TOKEN,
  team_id: TEAM_ID,
  api_app_id: APP_ID,
  command: '/coxswain',
  text: 'status',
  channel_id: 'C0OPS',
  user_id: 'U0DANA',
  trigger_id: '1700000000.1234.abcd',
};

const CLICK = {
  type: 'block_actions',
  token: VERIFICATION_TOKEN,
  api_app_id: APP_ID,
  team: { id: TEAM_ID },
  user: { id: 'U0DANA' },
  channel: { id: 'C0OPS' },
  message: { ts: '1700000000.000100' },
  trigger_id: '1700000000.1234.abcd',
  actions: [
    {
      action_id: 'coxswain.approve.p0',
      value: 'p-0hostile',
      type: 'button',
      action_ts: '1700000000.000100',
    },
  ],
};

describe('Slack over HTTP, hostile and signed', () => {
  const events = [
    ...hostileCases(MENTION, { values: SAMPLE_VALUES }),
    ...hostileCases(DIRECT.event, { values: SAMPLE_VALUES, keys: [] }).map((c) => ({
      name: `direct message: ${c.name}`,
      json: `{"token":"${VERIFICATION_TOKEN}","team_id":"${TEAM_ID}","api_app_id":"${APP_ID}","type":"event_callback","event_id":"Ev0HOSTILE","event":${c.json}}`,
    })),
  ];
  const slash = hostileCases(SLASH, { values: SAMPLE_VALUES });
  const clicks = hostileCases(CLICK, { values: SAMPLE_VALUES });

  it(`answers each of ${events.length} hostile events with a 2xx or a 4xx`, async () => {
    await sendAll(events, (c) => sendSlack(freshIds(c.json), 'json'));
  });

  it(`answers each of ${slash.length} hostile slash commands with a 2xx or a 4xx`, async () => {
    // Form fields are strings: a hostile value arrives as its JSON text, or the field is missing.
    await sendAll(slash, (c) => {
      const fields: unknown = JSON.parse(c.json);
      const form =
        fields !== null && typeof fields === 'object' && !Array.isArray(fields)
          ? encodeBody(fields, 'form')
          : `text=${encodeURIComponent(c.json)}`;
      return sendSlack(form, 'form');
    });
  });

  it(`answers each of ${clicks.length} hostile clicks with a 2xx or a 4xx`, async () => {
    await sendAll(clicks, (c) =>
      sendSlack(freshIds(encodeBody({ payload: c.json }, 'form')), 'form'),
    );
  });

  it('answers a 10,000-deep payload and an interaction payload that is not JSON with a 4xx', async () => {
    const deep = await sendSlack(deepObject(10_000), 'json');
    const garbage = await sendSlack('payload=%7B%7B%7B', 'form');

    expect(deep.status).toBeGreaterThanOrEqual(200);
    expect(deep.status).toBeLessThan(500);
    expect(garbage.status).toBe(400);
  });

  it('still answers a valid mention after all of them', async () => {
    const answer = await sendSlack(freshIds(JSON.stringify(MENTION)), 'json');

    expect(answer.status).toBe(200);
    expect(prototypePolluted()).toBe(false);
  });
});

/**
 * Discord's gateway events as the bot was sent them, each text field then made hostile in turn:
 * what people type or name (content, option values, names, locales, tokens). Discord itself
 * builds the frames, their ids and permission bits, so wrong types there would be Discord's bug,
 * not an attack (discord.js refuses them inside its own handlers). A throw out
 * of a listener would fail this file as an unhandled error; the answer to a valid command sent
 * after all of them shows the bot's gateway connection still works.
 */
describe('Discord gateway events, hostile', () => {
  const ask = () =>
    discord.runCommand({
      channelId: discord.channels.ops,
      userId: dana,
      name: 'coxswain',
      subcommand: 'help',
    });
  const TEXT = [...UNICODE, ...HUGE.slice(0, 1)];
  const texts = (valid: Json) =>
    hostileCases(valid, {
      values: TEXT,
      keys: [],
      // Ids and permission bits are Discord's numbers, as strings: never typed by anyone.
      fields: (v) => typeof v === 'string' && !/^\d+$/.test(v),
    });
  let snowflake = 1_500_000_000_000_000_000n;
  /** Each event its own id, as Discord's are. */
  const fresh = (json: string) => {
    const data = JSON.parse(json) as Record<string, Json>;
    data.id = String(snowflake++);
    return data;
  };

  it('handles hostile commands, clicks and mentions, and still answers a valid command', async () => {
    await discord.interactionResponse(ask().id);
    discord.sendMessage({
      channelId: discord.channels.ops,
      userId: dana,
      content: 'status',
      mentionBot: true,
    });
    const mention = (await discord.waitFor((d) => d.lastDispatched('MESSAGE_CREATE'))) as Json;
    const command = discord.lastDispatched('INTERACTION_CREATE') as Record<string, Json>;
    const click = {
      ...command,
      type: 3,
      data: { custom_id: 'approve:p-0hostile', component_type: 2 },
      // A click carries the message clicked: any message of the channel's stands in for it.
      message: mention,
    };
    const cases = [
      ...texts(command).map((c) => ['INTERACTION_CREATE', c] as const),
      ...texts(click).map((c) => ['INTERACTION_CREATE', c] as const),
      ...texts(mention).map((c) => ['MESSAGE_CREATE', c] as const),
    ];

    for (const [event, hostile] of cases) discord.dispatchRaw(event, fresh(hostile.json));
    const last = ask();

    expect((await discord.interactionResponse(last.id, HANG_MS)).type).toBe(4);
    expect(cases.length).toBeGreaterThan(250);
    expect(prototypePolluted()).toBe(false);
  });
});
