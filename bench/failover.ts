import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { postToChat } from '../src/chat/post-to-chat.ts';
import { freePort, startEmbeddedRedis } from '../src/runtime/embedded-redis.ts';
import { startSandbox } from '../src/sandbox/start-sandbox.ts';
import { FakeSlack } from '../test/support/slack-api.ts';
import { type Child, sleep, spawnNode } from './support.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

type Replica = { name: string; port: number; child: Child };

/**
 * Two `coxswain bot` replicas on one Lease in the sandbox, with Slack in Socket Mode: the holder
 * is SIGKILLed and a message queued at once; the figure is the time from the kill to that
 * message reaching Slack, delivered by the standby that took over. A fresh replica replaces the
 * killed one before the next round, and each kill falls at a random point of the renew period.
 * With LEADER_LEASE_SECONDS at its default (15) and at 3.
 */
export async function benchFailover(): Promise<void> {
  const rows = [];
  for (const seconds of [15, 3]) {
    const times = await failoverTimes(seconds);
    const sorted = [...times].sort((a, b) => a - b);
    rows.push({
      LEADER_LEASE_SECONDS: seconds,
      rounds: times.length,
      'min ms': Math.round(sorted[0] ?? Number.NaN),
      'median ms': Math.round(sorted[Math.floor(sorted.length / 2)] ?? Number.NaN),
      'max ms': Math.round(sorted.at(-1) ?? Number.NaN),
    });
  }
  console.log('\nFailover: holder SIGKILLed → outbox delivering again from the standby');
  console.table(rows);
  console.log(
    'A standby takes the Lease once it has seen it unrenewed for LEADER_LEASE_SECONDS by its own clock.',
  );
}

async function failoverTimes(seconds: number): Promise<number[]> {
  const redis = await startEmbeddedRedis();
  const slack = await FakeSlack.start();
  const sandbox = await startSandbox({ scenarios: [] });
  const dir = mkdtempSync(join(tmpdir(), 'coxswain-bench-failover-'));
  const kubeconfig = join(dir, 'kubeconfig');
  sandbox.writeKubeconfig(kubeconfig);
  const outbox = new Queue('outbox', { connection: { url: redis.url }, prefix: 'bench' });
  const replicas: Replica[] = [];
  let n = 0;
  const start = async () => {
    n += 1;
    const port = await freePort();
    const env = {
      REDIS_URL: redis.url,
      REDIS_PREFIX: 'bench',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      AUDIT_DIR: dir,
      LEADER_LEASE: 'default/coxswain-bot',
      LEADER_LEASE_SECONDS: String(seconds),
      POD_NAME: `bot-${n}`,
      KUBECONFIG: kubeconfig,
      KUBERNETES_SERVICE_HOST: '',
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_APP_TOKEN: slack.appToken,
      SLACK_API_URL: slack.apiUrl,
      SLACK_PACE_MS: '0',
    };
    const child = await spawnNode(
      ['bin/coxswain.js', 'bot'],
      env,
      `http://127.0.0.1:${port}/readyz`,
    );
    replicas.push({ name: env.POD_NAME, port, child });
  };
  const times: number[] = [];
  try {
    await start();
    await start();
    for (let round = 0; round < ROUNDS; round++) {
      const holder = await leaderOf(replicas);
      // Let the standby watch the Lease for a while, then kill at a random point of a renewal.
      await sleep(seconds * 1000 + (Math.random() * seconds * 1000) / 3);
      const killedAt = performance.now();
      holder.child.process.kill('SIGKILL');
      const text = `failover probe ${seconds}-${round}`;
      await postToChat(outbox, {
        kind: 'reply',
        key: ['bench-failover', text],
        channel: 'slack:C0BENCH',
        message: { text },
      });
      await slack.waitForCall(
        'chat.postMessage',
        (call) => String(call.args.text).includes(text),
        seconds * 5_000 + 30_000,
      );
      times.push(performance.now() - killedAt);
      replicas.splice(replicas.indexOf(holder), 1);
      await start();
    }
  } finally {
    await Promise.all(replicas.map((r) => r.child.stop()));
    await outbox.close();
    await sandbox.close();
    await slack.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return times;
}

/** The replica whose /readyz says it leads, once one does. */
async function leaderOf(replicas: Replica[]): Promise<Replica> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    for (const replica of replicas) {
      const ready = await fetch(`http://127.0.0.1:${replica.port}/readyz`)
        .then((r) => r.json() as Promise<{ leader?: boolean }>)
        .catch(() => ({ leader: false }));
      if (ready.leader === true) return replica;
    }
    await sleep(50);
  }
  throw new Error('no replica became the leader');
}
