import autocannon from 'autocannon';
import { freePort, startEmbeddedRedis } from '../src/runtime/embedded-redis.ts';
import { multiAlertFixture, spawnNode, uniqueMultiAlert } from './support.ts';

const CONNECTIONS = 200;
const DURATION_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

type Figures = { label: string; rps: number; p50: number; p99: number; ok: number; other: number };

/** 200 concurrent posts of the multi-alert fixture, against the bot and against a bare server. */
export async function benchWebhook(): Promise<void> {
  const template = multiAlertFixture();
  const redis = await startEmbeddedRedis();
  const results: Figures[] = [];
  try {
    const barePort = await freePort();
    const bare = await spawnNode(
      ['bench/bare-server.ts', String(barePort)],
      {},
      `http://127.0.0.1:${barePort}/`,
    );
    results.push(
      await load(
        'bare node:http answering 200',
        `http://127.0.0.1:${barePort}/alerts/alertmanager`,
        template,
      ),
    );
    await bare.stop();

    const botPort = await freePort();
    const bot = await spawnNode(
      ['bin/coxswain.js', 'bot'],
      { REDIS_URL: redis.url, PORT: String(botPort), LOG_LEVEL: 'warn', REDIS_PREFIX: 'bench' },
      `http://127.0.0.1:${botPort}/readyz`,
    );
    results.push(
      await load(
        'coxswain bot (enqueue in Redis)',
        `http://127.0.0.1:${botPort}/alerts/alertmanager`,
        template,
      ),
    );
    await bot.stop();
  } finally {
    await redis.stop();
  }
  console.log(
    `\nWebhook: ${CONNECTIONS} concurrent connections posting the multi-alert fixture for ${DURATION_SECONDS} s each`,
  );
  console.table(
    results.map((r) => ({
      server: r.label,
      'req/s': Math.round(r.rps),
      'p50 ms': r.p50,
      'p99 ms': r.p99,
      '2xx': r.ok,
      'non-2xx/errors': r.other,
    })),
  );
  const [bare, bot] = results;
  if (bare !== undefined && bot !== undefined) {
    console.log(
      `ratio coxswain/bare: throughput ${(bot.rps / bare.rps).toFixed(2)}x, p99 latency ${(bot.p99 / bare.p99).toFixed(2)}x`,
    );
  }
}

async function load(
  label: string,
  url: string,
  template: Record<string, unknown>,
): Promise<Figures> {
  let n = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION_SECONDS,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => ({ ...request, body: uniqueMultiAlert(template, n++) }),
      },
    ],
  });
  return {
    label,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    other: result.non2xx + result.errors + result.timeouts,
  };
}
