import { freePort } from '../src/runtime/embedded-redis.ts';
import { writeConfigFile } from '../test/support/config-file.ts';
import { driveLoad, failoverFigures, messagesPerGroup } from '../test/support/failover-load.ts';
import { startSentinelSetup } from '../test/support/redis-sentinel.ts';
import { FakeSlack } from '../test/support/slack-api.ts';
import { sleep, spawnNode } from './support.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CHANNEL = 'C0BENCH';

type Round = ReturnType<typeof failoverFigures> & { mode: string };

/**
 * `coxswain all` on a primary, two replicas and three Sentinels, each a real process. Alert
 * groups arrive at 20 a second, each posted again every 500 ms while answered 503 (as
 * Alertmanager retries), and the primary is SIGKILLed after 3 s. Printed per round: the 503
 * window (first 503 to the first 2xx after it), how soon after the kill the first 503 came, and
 * groups accepted vs delivered to the channel (and delivered twice) — with REDIS_WAIT_REPLICAS=1
 * and without it.
 */
export async function benchSentinelFailover(): Promise<void> {
  const rounds: Round[] = [];
  for (const mode of ['WAIT 1 replica', 'no WAIT']) {
    for (let round = 0; round < ROUNDS; round++) rounds.push({ mode, ...(await oneRound(mode)) });
  }
  console.log('\nsentinel-failover: primary SIGKILLed under 20 alert groups/s, coxswain all');
  console.log(
    'mode            | 503 window ms | first 503 after kill ms | accepted | delivered | twice',
  );
  for (const r of rounds) {
    console.log(
      `${r.mode.padEnd(15)} | ${String(r.windowMs ?? 'open').padStart(13)} | ${String(r.first503AfterKillMs).padStart(23)} | ${String(r.accepted).padStart(8)} | ${String(r.delivered).padStart(9)} | ${r.duplicated}`,
    );
  }
}

async function oneRound(mode: string): Promise<ReturnType<typeof failoverFigures>> {
  const redis = await startSentinelSetup('coxswain-bench', 2);
  const slack = await FakeSlack.start();
  try {
    const port = await freePort();
    const app = await spawnNode(
      ['bin/coxswain.js', 'all'],
      {
        REDIS_URL: '',
        ...redis.env,
        ...(mode === 'no WAIT' ? {} : { REDIS_WAIT_REPLICAS: '1' }),
        PORT: String(port),
        WORKER_PORT: String(await freePort()),
        LOG_LEVEL: 'error',
        REDIS_PREFIX: 'bench',
        COXSWAIN_CONFIG: writeConfigFile({
          routes: [{ match: {}, channels: [`slack:${CHANNEL}`] }],
        }),
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_SIGNING_SECRET: slack.signingSecret,
        SLACK_API_URL: slack.apiUrl,
        SLACK_PACE_MS: '0',
      },
      `http://127.0.0.1:${port}/readyz`,
    );
    try {
      const { answers, killedAt } = await driveLoad(`http://127.0.0.1:${port}`, () =>
        redis.primary.kill(),
      );
      const accepted = new Set(answers.filter((a) => a.status === 202).map((a) => a.group));
      const deadline = Date.now() + 40_000;
      while (Date.now() < deadline) {
        const delivered = messagesPerGroup(slack, CHANNEL);
        if ([...accepted].every((group) => delivered.has(group))) break;
        await sleep(250);
      }
      // Late retries of the outbox would show as messages posted twice.
      await sleep(3_000);
      return failoverFigures(answers, killedAt ?? 0, messagesPerGroup(slack, CHANNEL));
    } finally {
      await app.stop();
    }
  } finally {
    await slack.close();
    await redis.stop();
  }
}
