import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProposalStore } from '../../src/approvals/proposal-store.ts';
import { AuditLog } from '../../src/audit/audit-log.ts';
import { JOB_OPTIONS } from '../../src/queue/queues.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { runCli } from '../support/cli.ts';
import { writeConfigFile } from '../support/config-file.ts';
import { eventually, useSandbox } from '../support/sandbox.ts';
import { FakeSlack, type SlackCall } from '../support/slack-api.ts';
import { interactiveForm, messageTs } from '../support/slack-payloads.ts';

/**
 * The suspend switch end to end: `coxswain suspend` and `resume` against the app's Redis, an
 * approval in Slack refused with the reason, an action already queued held until resumed and then
 * run once, `status` saying so first, and the dashboard's toggle for approvers only.
 */
const sandbox = useSandbox(['oom-crashloop']);
let slack: FakeSlack;
let app: TestApp;
let events: string;
let redis: Redis;
let store: ProposalStore;
const LEE = 'lee-token-0123456789';
const DANA = 'dana-token-0123456789';
const SAM = 'sam-token-0123456789abcdef';

beforeAll(async () => {
  slack = await FakeSlack.start();
  const file = writeConfigFile({
    clusters: [{ name: 'sandbox', kubeconfig: sandbox.kubeconfig }],
    bindings: [
      {
        channel: 'slack:C0OPS',
        clusters: ['sandbox'],
        namespaces: ['*'],
        maxTier: 'confirm',
        approvers: ['slack:U0LEAD'],
      },
      {
        channel: 'web:ops',
        clusters: ['sandbox'],
        namespaces: ['*'],
        maxTier: 'confirm',
        approvers: ['web:lee'],
      },
    ],
    // Sam approves on Slack only; on the dashboard Sam is the same person.
    people: [{ name: 'sam', ids: ['slack:U0LEAD', 'web:sam'] }],
  });
  app = await startTestApp({
    COXSWAIN_CONFIG: file,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_API_URL: slack.apiUrl,
    // The local Slack has no rate limit: a short pace keeps messages spaced without the wait.
    SLACK_PACE_MS: '100',
    DASHBOARD_TOKENS: `lee:${LEE},dana:${DANA},sam:${SAM}`,
  });
  events = `${app.baseUrl}/slack/events`;
  redis = new Redis(app.redisUrl);
  store = new ProposalStore(redis, app.prefix);
}, 60_000);

afterAll(async () => {
  redis.disconnect();
  await app.stop();
  await slack.close();
});

const text = (call: SlackCall) => `${String(call.args.text)} ${JSON.stringify(call.args.blocks)}`;

/** `coxswain suspend|resume …` as an operator runs it, against the app's Redis. */
async function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  const run = runCli(args, { REDIS_URL: app.redisUrl, REDIS_PREFIX: app.prefix });
  const code = await run.exited;
  return { code, out: run.stdout() };
}

/** A command typed by U0DANA in #ops: the thread its answer goes to. */
async function command(value: string): Promise<string> {
  const asked = messageTs();
  await slack.sendHttp(
    events,
    interactiveForm(
      slack.blockActions({
        actionId: 'coxswain.command.0',
        value,
        channel: 'C0OPS',
        user: 'U0DANA',
        messageTs: asked,
      }),
    ),
    { contentType: 'form' },
  );
  return asked;
}

/** `diagnose -n payments`: the proposal on the card it gets, and the card's ts. */
async function proposeFix(): Promise<{ id: string; ts: string }> {
  const asked = await command('diagnose -n payments');
  const card = await slack.waitForCall(
    'chat.postMessage',
    (c) => c.args.thread_ts === asked && /Approve\?/.test(text(c)),
    20_000,
  );
  const blocks = card.args.blocks as { elements?: { action_id?: string; value?: string }[] }[];
  const id =
    blocks
      .flatMap((block) => block.elements ?? [])
      .find((element) => element.action_id === 'coxswain.approve.0')?.value ?? '';
  return { id, ts: String((card.result as { ts?: string }).ts) };
}

const write = (r: { method: string; path: string; dryRun: boolean }) =>
  r.method === 'PATCH' && !r.dryRun && r.path.endsWith('/deployments/payments-api');

describe('the suspend switch', () => {
  it('is turned on by the CLI, and status says so first while reads go on', async () => {
    const suspended = await cli(['suspend', '--reason', 'database migration']);

    const asked = await command('status');

    expect(suspended.code).toBe(0);
    expect(suspended.out).toMatch(
      /^Writes suspended since \d{4}-\d\d-\d\d \d\d:\d\d UTC by cli:\S+: database migration\n$/,
    );
    const answer = await slack.waitForCall(
      'chat.postMessage',
      (c) => c.args.thread_ts === asked && /nodes/i.test(text(c)),
      20_000,
    );
    expect(text(answer)).toMatch(/Writes suspended since .* by cli:\S+: database migration/);
  });

  it('refuses an approval with the reason, and the proposal stays pending', async () => {
    const { id, ts } = await proposeFix();

    await slack.sendHttp(
      events,
      interactiveForm(
        slack.blockActions({
          actionId: 'coxswain.approve.0',
          value: id,
          channel: 'C0OPS',
          user: 'U0LEAD',
          messageTs: ts,
        }),
      ),
      { contentType: 'form' },
    );

    const refusal = await slack.waitForCall(
      'chat.postEphemeral',
      (c) => c.args.user === 'U0LEAD' && /Writes are suspended/.test(text(c)),
      10_000,
    );
    expect(text(refusal)).toContain('database migration');
    expect((await store.record(id))?.state).toBe('pending');
  });

  it('holds an action queued before the suspension, and runs it once after resume', async () => {
    const { id } = await proposeFix();
    // What the bot did on an approving click just before the switch was turned on.
    await store.transition(id, ['pending'], 'approved', 'slack:U0LEAD', {
      decidedBy: 'slack:U0LEAD',
    });
    const actions = new Queue('actions', {
      connection: { url: app.redisUrl },
      prefix: app.prefix,
      defaultJobOptions: JOB_OPTIONS.actions,
    });
    try {
      sandbox.resetRequests();
      await actions.add('execute', { proposalId: id }, { jobId: id });

      // Taken up three times and held each time: the worker looks again every second.
      const state = await eventually(
        async () => {
          const job = await actions.getJob(id);
          if (job === undefined || job.attemptsStarted < 3) return undefined;
          const now = await job.getState();
          return now === 'delayed' ? now : undefined;
        },
        15_000,
        'the action held three times',
      );
      const held = await store.record(id);
      const writesWhileHeld = sandbox.requests.filter(write).length;
      const resumed = await cli(['resume']);
      const done = await eventually(async () => {
        const record = await store.record(id);
        return record?.state === 'succeeded' ? record : undefined;
      }, 60_000);

      expect(held?.state).toBe('approved');
      expect(state).toBe('delayed');
      expect(writesWhileHeld).toBe(0);
      expect(resumed.code).toBe(0);
      expect(resumed.out).toMatch(
        /^Writes resumed \(they were suspended since .*database migration\)\.\n$/,
      );
      expect(done.transitions.map((t) => t.to)).toEqual(['approved', 'executing', 'succeeded']);
      expect(sandbox.requests.filter(write)).toHaveLength(1);
      const audit = await new AuditLog(redis, app.prefix).latest(100);
      expect(audit.filter((e) => e.proposal === id && e.event === 'executed')).toHaveLength(1);
      expect(audit.map((e) => e.event)).toEqual(expect.arrayContaining(['suspended', 'resumed']));
    } finally {
      await actions.close();
    }
  }, 90_000);
});

describe('the dashboard toggle', () => {
  async function signIn(name: string, token: string): Promise<string> {
    const response = await fetch(`${app.baseUrl}/dashboard/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, token }),
    });
    return (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  }
  const call = (path: string, cookie: string, body?: unknown) =>
    fetch(`${app.baseUrl}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('lets an approver suspend and resume, refuses anyone else, and says who did it', async () => {
    const lee = await signIn('lee', LEE);
    const dana = await signIn('dana', DANA);

    const refused = await call('/dashboard/api/suspend', dana, { suspend: true, reason: 'x' });
    const invalid = await call('/dashboard/api/suspend', lee, { suspend: 'yes' });
    const on = await call('/dashboard/api/suspend', lee, { suspend: true, reason: 'incident' });
    const seenByDana = (await (await call('/dashboard/api/suspend', dana)).json()) as {
      suspended: { by: string; reason: string } | null;
      mayToggle: boolean;
    };
    const off = await call('/dashboard/api/suspend', lee, { suspend: false });
    const after = (await (await call('/dashboard/api/suspend', lee)).json()) as {
      suspended: unknown;
      mayToggle: boolean;
    };

    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toContain('only an approver');
    expect(invalid.status).toBe(400);
    expect(on.status).toBe(200);
    expect(seenByDana).toEqual({
      suspended: expect.objectContaining({ by: 'web:lee', reason: 'incident' }),
      mayToggle: false,
    });
    expect(off.status).toBe(200);
    expect(after).toEqual({ suspended: null, mayToggle: true });
    const history = (await (
      await call('/dashboard/api/history?outcome=suspended', lee)
    ).json()) as {
      entries: { person?: string; outcome: string }[];
    };
    expect(history.entries[0]).toMatchObject({ person: 'web:lee', outcome: 'incident' });
  });

  it('lets a person who approves on Slack toggle it from the dashboard as the same person', async () => {
    const sam = await signIn('sam', SAM);

    const seen = (await (await call('/dashboard/api/suspend', sam)).json()) as {
      mayToggle: boolean;
    };
    const on = await call('/dashboard/api/suspend', sam, { suspend: true, reason: 'drill' });
    const off = await call('/dashboard/api/suspend', sam, { suspend: false });

    expect(seen.mayToggle).toBe(true);
    expect(on.status).toBe(200);
    expect(off.status).toBe(200);
  });
});
