import { freePort, startEmbeddedRedis } from '../src/runtime/embedded-redis.ts';
import { writeConfigFile } from '../test/support/config-file.ts';
import { FakeSlack } from '../test/support/slack-api.ts';
import {
  appMention,
  blockActions,
  eventCallback,
  interactiveForm,
} from '../test/support/slack-payloads.ts';
import { slackSignature } from '../test/support/slack-signed-request.ts';
import { sleep, spawnNode } from './support.ts';

const RATE = Number(process.env.BENCH_RATE ?? 200);
const DURATION_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

type Figures = {
  label: string;
  sent: number;
  ok: number;
  other: number;
  p50: number;
  p99: number;
  max: number;
};

/**
 * `coxswain bot` in Slack HTTP mode against the local Slack: signed events and button clicks at
 * a fixed rate (an open loop: a slow answer does not slow the sending), each one new, so every
 * one is verified, de-duplicated and enqueued before it is acknowledged. Printed: the time to the
 * HTTP answer (Slack's ack), p50 and p99.
 */
export async function benchSlackAck(): Promise<void> {
  const redis = await startEmbeddedRedis();
  const slack = await FakeSlack.start();
  const results: Figures[] = [];
  try {
    const port = await freePort();
    const config = writeConfigFile({
      bindings: [{ channel: 'slack:C0BENCH', clusters: ['default'], namespaces: ['*'] }],
    });
    const bot = await spawnNode(
      ['bin/coxswain.js', 'bot'],
      {
        REDIS_URL: redis.url,
        PORT: String(port),
        LOG_LEVEL: 'warn',
        REDIS_PREFIX: 'bench',
        COXSWAIN_CONFIG: config,
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_SIGNING_SECRET: slack.signingSecret,
        SLACK_API_URL: slack.apiUrl,
      },
      `http://127.0.0.1:${port}/readyz`,
    );
    const url = `http://127.0.0.1:${port}/slack/events`;
    try {
      let n = 0;
      // Warm up the connections and the bot's code paths first.
      await load('warm-up', url, slack.signingSecret, 50, 1, () => mention(n++));
      results.push(
        await load(
          'event: app_mention → question queued',
          url,
          slack.signingSecret,
          RATE,
          DURATION_SECONDS,
          () => mention(n++),
        ),
      );
      await sleep(1_000);
      results.push(
        await load(
          'block_actions: button → command queued',
          url,
          slack.signingSecret,
          RATE,
          DURATION_SECONDS,
          () => click(n++),
        ),
      );
    } finally {
      await bot.stop();
    }
  } finally {
    await slack.close();
    await redis.stop();
  }
  console.log(
    `\nSlack acks: ${RATE} signed requests/s for ${DURATION_SECONDS} s each, to coxswain bot in HTTP mode`,
  );
  console.table(
    results.map((r) => ({
      request: r.label,
      sent: r.sent,
      '2xx': r.ok,
      'non-2xx/errors': r.other,
      'p50 ms': r.p50.toFixed(1),
      'p99 ms': r.p99.toFixed(1),
      'max ms': r.max.toFixed(1),
    })),
  );
  console.log('Slack wants an ack within 3,000 ms.');
}

type Body = { body: string; contentType: string };

function mention(n: number): Body {
  const ts = `${1_800_000_000 + n}.000100`;
  const event = eventCallback(
    appMention({
      channel: 'C0BENCH',
      user: 'U0BENCH',
      text: `why is checkout-${n % 50} slow?`,
      ts,
    }),
    { eventId: `Ev${n.toString(36).padStart(8, '0')}` },
  );
  return { body: JSON.stringify(event), contentType: 'application/json' };
}

function click(n: number): Body {
  const payload = blockActions({
    actionId: 'coxswain.command.0',
    value: 'status',
    channel: 'C0BENCH',
    user: 'U0BENCH',
    messageTs: `${1_800_000_000 + n}.000200`,
  });
  const form = interactiveForm(payload);
  return {
    body: new URLSearchParams(form).toString(),
    contentType: 'application/x-www-form-urlencoded',
  };
}

async function load(
  label: string,
  url: string,
  secret: string,
  rate: number,
  seconds: number,
  next: () => Body,
): Promise<Figures> {
  const latencies: number[] = [];
  let ok = 0;
  let other = 0;
  const pending: Promise<void>[] = [];
  const total = rate * seconds;
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const { body, contentType } = next();
    const timestamp = Math.floor(Date.now() / 1000);
    const sentAt = performance.now();
    pending.push(
      fetch(url, {
        method: 'POST',
        body,
        headers: {
          'content-type': contentType,
          'x-slack-request-timestamp': String(timestamp),
          'x-slack-signature': slackSignature(secret, timestamp, body),
        },
      })
        .then(async (response) => {
          await response.arrayBuffer();
          latencies.push(performance.now() - sentAt);
          if (response.ok) ok++;
          else other++;
        })
        .catch(() => {
          other++;
        }),
    );
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { label, sent: total, ok, other, p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? 0 };
}
