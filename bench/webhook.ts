import autocannon from 'autocannon';
import { freePort, startEmbeddedRedis } from '../src/runtime/embedded-redis.ts';
import { commandCounts, compiledEntry, cpuMs, perRequest } from './compiled.ts';
import { type Figures, multiAlertFixture, spawnNode, uniqueMultiAlert } from './support.ts';

const CONNECTIONS = 200;
const DURATION_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** The targets: the bot's requests/s against the bare server's, and its p99. */
const TARGET_RATIO = 0.35;
const TARGET_P99_MS = 50;

type Load = { rps: number; p50: number; p99: number; ok: number; other: number };

/**
 * 200 concurrent posts of the multi-alert fixture, each under a group key of its own, against a
 * bare `node:http` server and against the compiled `coxswain bot` with its own `redis-server`.
 */
export async function benchWebhook(): Promise<Figures> {
  const entry = compiledEntry();
  const template = multiAlertFixture();
  const redis = await startEmbeddedRedis();
  try {
    const barePort = await freePort();
    const bareServer = await spawnNode(
      ['bench/bare-server.ts', String(barePort)],
      {},
      `http://127.0.0.1:${barePort}/`,
    );
    const bare = await load(`http://127.0.0.1:${barePort}/alerts/alertmanager`, template);
    await bareServer.stop();

    const botPort = await freePort();
    const botServer = await spawnNode(
      [entry, 'bot'],
      { REDIS_URL: redis.url, PORT: String(botPort), LOG_LEVEL: 'warn', REDIS_PREFIX: 'bench' },
      `http://127.0.0.1:${botPort}/readyz`,
    );
    const before = await commandCounts(redis.url);
    const cpuBefore = { bot: cpuMs(botServer.pid), redis: cpuMs(redis.pid) };
    const bot = await load(`http://127.0.0.1:${botPort}/alerts/alertmanager`, template);
    const requests = bot.ok + bot.other;
    const cpuUsPerRequest = {
      bot: ((cpuMs(botServer.pid) - cpuBefore.bot) * 1000) / requests,
      redis: ((cpuMs(redis.pid) - cpuBefore.redis) * 1000) / requests,
    };
    const redisPerRequest = perRequest(before, await commandCounts(redis.url), requests);
    await botServer.stop();
    const figures = { bare, bot, ratio: bot.rps / bare.rps, cpuUsPerRequest, redisPerRequest };
    print(figures);
    return figures;
  } finally {
    await redis.stop();
  }
}

function print(figures: {
  bare: Load;
  bot: Load;
  ratio: number;
  cpuUsPerRequest: { bot: number; redis: number };
  redisPerRequest: object;
}) {
  const { bare, bot, ratio } = figures;
  console.log(
    `\nWebhook: ${CONNECTIONS} concurrent connections posting the multi-alert fixture for ${DURATION_SECONDS} s each`,
  );
  const row = (server: string, r: Load, p99Target: string) => ({
    server,
    'req/s': Math.round(r.rps),
    'p50 ms': r.p50,
    'p99 ms': r.p99,
    'p99 target': p99Target,
    '2xx': r.ok,
    'non-2xx/errors': r.other,
  });
  console.table([
    row('bare node:http answering 200', bare, ''),
    row('coxswain bot, compiled (enqueue in Redis)', bot, `≤ ${TARGET_P99_MS} ms`),
  ]);
  console.log(
    `ratio coxswain/bare: throughput ${ratio.toFixed(2)}× (target ≥ ${TARGET_RATIO}×), p99 latency ${(bot.p99 / bare.p99).toFixed(2)}×`,
  );
  const cpu = figures.cpuUsPerRequest;
  console.log(
    `CPU per request: bot ${cpu.bot.toFixed(0)} µs, redis-server ${cpu.redis.toFixed(0)} µs (steadier than req/s on a shared machine)`,
  );
  console.log(
    'Redis commands per request (INFO commandstats; scripts count as EVALSHA and as each command they run):',
  );
  console.log(figures.redisPerRequest);
}

async function load(url: string, template: Record<string, unknown>): Promise<Load> {
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
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    other: result.non2xx + result.errors + result.timeouts,
  };
}
