import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { showProposals } from '../../src/approvals/offer.ts';
import { ProposalStore, proposalId } from '../../src/approvals/proposal-store.ts';
import { DEFAULT_AUTONOMY } from '../../src/config/policy-schema.ts';
import { freePort } from '../../src/runtime/embedded-redis.ts';
import { proposeScale } from '../../src/tools/kubernetes/actions/propose.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { chaos, repeated, sleep, unclaimedPosts } from '../support/chaos.ts';
import {
  type Card,
  type ClickStatus,
  cardOf,
  chaosDeployments,
  clickApprove,
  target,
  writesTo,
} from '../support/chaos-cards.ts';
import { type CliRun, runCli } from '../support/cli.ts';
import { writeConfigFile } from '../support/config-file.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';
import { eventually, useSandbox } from '../support/sandbox.ts';
import { FakeSlack, type SlackCall } from '../support/slack-api.ts';

/**
 * The bot process SIGKILLed and started again while people click Approve on cards in Slack (HTTP
 * mode, signed `block_actions`). Clicks arrive in a seeded order and rhythm, some twice, some by
 * two approvers at once; the bot is killed after clicks drawn from the same seed, some while a
 * click is in flight. A click that is refused or unanswered is clicked again, as a person does
 * when Slack shows an error. Every proposal is then executed exactly once (one write to its
 * deployment at the sandbox), every card is posted once, no card shows the same update twice, and
 * no message is posted twice.
 */
const CARDS = 12;
const KILLS = 3;
const CHANNEL = 'C0CARDS';
const APPROVERS = ['U0SRE', 'U0OPS'];
const sandbox = useSandbox(['healthy']);
const random = chaos();
const prefix = testPrefix();

let slack: FakeSlack;
let worker: TestApp | undefined;
let bot: CliRun | undefined;
let port = 0;
let configFile = '';
const bots: CliRun[] = [];

beforeAll(async () => {
  slack = await FakeSlack.start();
  port = await freePort();
  configFile = writeConfigFile({
    clusters: [{ name: 'sandbox', kubeconfig: sandbox.kubeconfig }],
    bindings: [
      {
        channel: `slack:${CHANNEL}`,
        clusters: ['sandbox'],
        namespaces: ['*'],
        maxTier: 'confirm',
        approvers: APPROVERS.map((u) => `slack:${u}`),
      },
    ],
  });
  // The worker stays up: the bot is what dies here.
  worker = await startTestApp(
    { ...slackEnv(), REDIS_PREFIX: prefix, COXSWAIN_CONFIG: configFile },
    'worker',
  );
}, 60_000);

afterAll(async () => {
  for (const run of bots) if (run.child.exitCode === null) run.child.kill('SIGKILL');
  await worker?.stop();
  await slack?.close();
  await dropPrefix(testRedisUrl(), prefix);
});

const slackEnv = () => ({
  SLACK_BOT_TOKEN: slack.botToken,
  SLACK_SIGNING_SECRET: slack.signingSecret,
  SLACK_API_URL: slack.apiUrl,
  SLACK_PACE_MS: '0',
});

function startBot(): CliRun {
  const run = runCli(['bot'], {
    ...slackEnv(),
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: prefix,
    PORT: String(port),
    COXSWAIN_CONFIG: configFile,
    ALERTMANAGER_AUTH: 'none',
    // The messages a killed bot was delivering are taken again after this.
    WORKER_LOCK_SECONDS: '2',
    LOG_LEVEL: 'warn',
  });
  bots.push(run);
  return run;
}

/** One proposal (scale to 2) for each chaos deployment, its card shown in the channel. */
async function proposeAll(store: ProposalStore, outbox: Queue): Promise<string[]> {
  await chaosDeployments(sandbox.cluster, CARDS);
  const ids: string[] = [];
  for (let i = 0; i < CARDS; i++) {
    const action = await proposeScale(sandbox.cluster, {
      namespace: 'chaos',
      name: target(i),
      replicas: 2,
    });
    const id = proposalId(`chaos.clicks.${prefix}`, `call-${i}`);
    await store.create({
      id,
      runId: `chaos.clicks.${prefix}`,
      agent: 'k8s-diagnostician',
      action,
      state: 'pending',
      createdAt: new Date().toISOString(),
    });
    ids.push(id);
  }
  await showProposals(
    ids,
    { channel: `slack:${CHANNEL}`, requester: 'slack:U0DANA', cluster: 'sandbox' },
    { proposals: store, outbox, autonomy: DEFAULT_AUTONOMY, dashboardUrl: undefined },
  );
  return ids;
}

type Click = { card: number; user: string; statuses: ClickStatus[] };

const cards = (ids: readonly string[]) => {
  const found = ids.map((id) => cardOf(slack, id));
  return found.every((c) => c !== undefined) ? (found as Card[]) : undefined;
};

/** Clicks in a seeded order and rhythm, the bot killed and started again after some of them. */
async function clickThroughKills(all: Card[]): Promise<{ clicks: Click[]; killedAfter: number[] }> {
  const order = all.map((_, i) => i).sort(() => random.next() - 0.5);
  const killedAfter = new Set<number>();
  while (killedAfter.size < KILLS) killedAfter.add(random.between(0, CARDS - 2));
  const clicks: Click[] = [];
  const sending: Promise<void>[] = [];
  for (const [n, i] of order.entries()) {
    const card = all[i] as Card;
    // Most cards get one click; some a double click, some two approvers at once.
    const users = random.next() < 0.3 ? APPROVERS : [APPROVERS[random.between(0, 1)] as string];
    if (random.next() < 0.2) users.push(users[0] as string);
    for (const user of users) {
      const record: Click = { card: i, user, statuses: [] };
      clicks.push(record);
      sending.push(
        clickApprove(slack, url, card, user).then((statuses) => {
          record.statuses = statuses;
        }),
      );
    }
    await sleep(random.between(0, 80));
    if (killedAfter.has(n)) {
      bot?.child.kill('SIGKILL');
      await bot?.exited;
      bot = startBot();
    }
  }
  await Promise.all(sending);
  return { clicks, killedAfter: [...killedAfter].sort((a, b) => a - b) };
}

const url = () => `http://127.0.0.1:${port}/slack/events`;

const content = (c: SlackCall) =>
  JSON.stringify([c.args.channel, c.args.ts, c.args.thread_ts, c.args.text, c.args.blocks]);

it('executes each approved proposal once while the bot is killed between and during clicks', async () => {
  const redis = new Redis(testRedisUrl());
  const store = new ProposalStore(redis, prefix);
  const outbox = new Queue('outbox', { connection: { url: testRedisUrl() }, prefix });
  try {
    const ids = await proposeAll(store, outbox);
    bot = startBot();
    const all = await eventually(async () => cards(ids), 30_000, 'every card posted').catch(
      (error) => {
        // What the bot said is what tells why it posted nothing.
        throw new Error(`${error}\nbot stderr:\n${bot?.stderr()}`);
      },
    );
    sandbox.resetRequests();

    const { clicks, killedAfter } = await clickThroughKills(all);
    const records = await eventually(
      async () => {
        const found = await Promise.all(ids.map((id) => store.record(id)));
        return found.every((r) => r?.state === 'succeeded' || r?.state === 'failed')
          ? found
          : undefined;
      },
      60_000,
      `every proposal executed (${random.label})`,
    );
    const finalCards = await eventually(
      async () => {
        const updates = all.map((card) =>
          slack.calls.filter((c) => c.method === 'chat.update' && c.args.ts === card.ts),
        );
        return updates.every((u) =>
          /Done: |Applied, not verified: /.test(JSON.stringify(u.at(-1)?.args ?? {})),
        )
          ? updates
          : undefined;
      },
      30_000,
      `every card showing the outcome (${random.label})`,
    );
    process.stdout.write(
      `bot kill clicks: ${JSON.stringify({ seed: random.seed, killedAfter, clicks: clicks.length, refused: clicks.flatMap((c) => c.statuses).filter((s) => s !== 200).length })}\n`,
    );

    expect(
      clicks.filter((c) => c.statuses[0] !== 200),
      random.label,
    ).toEqual([]);
    expect(
      records.map((r) => r?.state),
      random.label,
    ).toEqual(ids.map(() => 'succeeded'));
    for (const record of records)
      expect(
        record?.transitions.filter((t) => t.to === 'approved'),
        random.label,
      ).toHaveLength(1);
    expect(
      all.map((_, i) => writesTo(sandbox.requests, target(i))),
      random.label,
    ).toEqual(all.map(() => 1));
    const posts = slack.calls.filter((c) => c.method === 'chat.postMessage' && !c.rateLimited);
    for (const id of ids)
      expect(
        posts.filter((c) => JSON.stringify(c.args.blocks ?? []).includes(id)),
        random.label,
      ).toHaveLength(1);
    expect([...repeated(posts.map(content)).keys()], random.label).toEqual([]);
    expect([...repeated(finalCards.flat().map(content)).keys()], random.label).toEqual([]);
    expect(await unclaimedPosts(slack, testRedisUrl(), prefix), random.label).toEqual([]);
  } finally {
    await outbox.close();
    redis.disconnect();
  }
}, 150_000);
