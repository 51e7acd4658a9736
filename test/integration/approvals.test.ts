import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProposalStore, proposalId } from '../../src/approvals/proposal-store.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { writeConfigFile } from '../support/config-file.ts';
import { eventually, useSandbox } from '../support/sandbox.ts';
import { FakeSlack, type SlackCall } from '../support/slack-api.ts';
import { interactiveForm, messageTs } from '../support/slack-payloads.ts';

/**
 * Proposals from `diagnose` in Slack, decided with signed button clicks, executed by the worker
 * on the sandbox cluster. U0DANA asks; U0LEAD approves by name, U0SRE through a user group; U0EVE
 * may not approve.
 */
const sandbox = useSandbox(['oom-crashloop']);
let slack: FakeSlack;
let app: TestApp;
let events: string;
let redis: Redis;
let store: ProposalStore;
let auditDir: string;

beforeAll(async () => {
  slack = await FakeSlack.start();
  slack.userGroup('S0SRE', ['U0SRE']);
  const file = writeConfigFile({
    clusters: [{ name: 'sandbox', kubeconfig: sandbox.kubeconfig }],
    bindings: [
      {
        channel: 'slack:C0OPS',
        clusters: ['sandbox'],
        namespaces: ['*'],
        maxTier: 'confirm',
        approvers: ['slack:U0LEAD', 'slack:U0DANA', 'slack:group:S0SRE'],
      },
    ],
  });
  auditDir = `${file}.audit`;
  app = await startTestApp({
    COXSWAIN_CONFIG: file,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_API_URL: slack.apiUrl,
    // The local Slack has no rate limit: a short pace keeps messages spaced without the wait.
    SLACK_PACE_MS: '100',
    AUDIT_DIR: auditDir,
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

/** `diagnose -n payments` by U0DANA: the id of the proposal on the card it gets, and the card's ts. */
async function proposeFix(): Promise<{ id: string; ts: string }> {
  const asked = messageTs();
  await slack.sendHttp(
    events,
    interactiveForm(
      slack.blockActions({
        actionId: 'coxswain.command.0',
        value: 'diagnose -n payments',
        channel: 'C0OPS',
        user: 'U0DANA',
        messageTs: asked,
      }),
    ),
    { contentType: 'form' },
  );
  const card = await slack.waitForCall(
    'chat.postMessage',
    (c) => c.args.thread_ts === asked && /Approve\?/.test(text(c)),
    20_000,
  );
  const blocks = card.args.blocks as {
    type: string;
    elements?: { action_id?: string; value?: string }[];
  }[];
  const approve = blocks
    .flatMap((block) => block.elements ?? [])
    .find((element) => element.action_id === 'coxswain.approve.0');
  const id = approve?.value ?? '';
  return { id, ts: String((card.result as { ts?: string }).ts) };
}

function click(verb: 'approve' | 'reject', id: string, user: string, cardTs: string) {
  return slack.sendHttp(
    events,
    interactiveForm(
      slack.blockActions({
        actionId: `coxswain.${verb}.${verb === 'approve' ? 0 : 1}`,
        value: id,
        channel: 'C0OPS',
        user,
        messageTs: cardTs,
      }),
    ),
    { contentType: 'form' },
  );
}

const ephemeralTo = (user: string, pattern: RegExp) =>
  slack.waitForCall(
    'chat.postEphemeral',
    (c) => c.args.user === user && pattern.test(text(c)),
    10_000,
  );

describe('approving a proposal in Slack', () => {
  it('posts a card with the change, why, the risk, the diff, tier and Approve/Reject', async () => {
    const { id } = await proposeFix();

    const record = await store.record(id);
    expect(record?.state).toBe('pending');
    expect(record?.origin).toMatchObject({ channel: 'slack:C0OPS', requester: 'slack:U0DANA' });
    const card = slack.posted('C0OPS').find((m) => JSON.stringify(m.blocks).includes(id));
    const shown = JSON.stringify(card?.blocks);
    expect(shown).toContain('set memory limit 256Mi → 384Mi');
    expect(shown).toContain('killed for running out of memory');
    expect(shown).toContain('rolling update');
    expect(shown).toContain('+              memory: 384Mi');
    expect(shown).toContain('confirm');
    expect(shown).toContain('coxswain.reject.1');
  });

  it('refuses a person who is not an approver, and the requester approving their own', async () => {
    const { id, ts } = await proposeFix();

    await click('approve', id, 'U0EVE', ts);
    await click('approve', id, 'U0DANA', ts);

    await ephemeralTo('U0EVE', /not an approver/);
    await ephemeralTo('U0DANA', /someone else must approve it/);
    expect((await store.record(id))?.state).toBe('pending');
  });

  it('refuses a forged click with 401 and decides nothing', async () => {
    const { id, ts } = await proposeFix();
    const payload = slack.blockActions({
      actionId: 'coxswain.approve.0',
      value: id,
      channel: 'C0OPS',
      user: 'U0LEAD',
      messageTs: ts,
    });

    const forged = await slack.sendHttp(events, interactiveForm(payload), {
      contentType: 'form',
      secret: 'not-the-secret-at-all',
    });

    expect(forged.status).toBe(401);
    expect((await store.record(id))?.state).toBe('pending');
  });

  it('lets a group member reject, and the card says so without buttons', async () => {
    const { id, ts } = await proposeFix();

    await click('reject', id, 'U0SRE', ts);

    const record = await eventually(async () => {
      const r = await store.record(id);
      return r?.state === 'rejected' ? r : undefined;
    }).catch(async (error: unknown) => {
      console.log(
        JSON.stringify(await store.record(id)),
        JSON.stringify(
          slack.calls.filter((c) => c.method === 'chat.postEphemeral').map((c) => c.args.text),
        ),
      );
      throw error;
    });
    expect(record.decidedBy).toBe('slack:U0SRE');
    expect(record.decidedVia).toEqual(['slack:group:S0SRE']);
    const card = await eventually(async () => {
      const shown = slack.posted('C0OPS').find((m) => m.ts === ts);
      return shown !== undefined && /Rejected/.test(JSON.stringify(shown.blocks))
        ? shown
        : undefined;
    });
    expect(JSON.stringify(card.blocks)).not.toContain('coxswain.approve');
  });

  it('refuses an expired proposal politely and marks its card expired', async () => {
    const { id, ts } = await proposeFix();
    // The decision window has passed.
    await redis.hset(
      `${app.prefix}:proposal:${id}:state`,
      'origin',
      JSON.stringify({
        ...(await store.record(id))?.origin,
        expiresAt: new Date(Date.now() - 1_000).toISOString(),
      }),
    );

    await click('approve', id, 'U0LEAD', ts);

    await ephemeralTo('U0LEAD', /expired/);
    expect((await store.record(id))?.state).toBe('expired');
  });

  it('supersedes a proposal whose target changed, and offers a fresh one', async () => {
    const { id, ts } = await proposeFix();
    const record = await store.record(id);
    // Someone changes the same field by hand before the approval.
    await sandbox.cluster.apps.patchNamespacedDeployment(
      {
        name: 'payments-api',
        namespace: 'payments',
        body: {
          spec: {
            template: {
              spec: { containers: [{ name: 'api', resources: { limits: { memory: '260Mi' } } }] },
            },
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );

    await click('approve', id, 'U0LEAD', ts);

    const superseded = await eventually(async () => {
      const r = await store.record(id);
      return r?.state === 'superseded' ? r : undefined;
    }, 30_000);
    expect(superseded.supersededBy).toBe(proposalId(record?.runId ?? '', `${id}/again`));
    // The fresh proposal is offered just after the old one is marked superseded.
    const fresh = await eventually(() => store.record(superseded.supersededBy ?? ''));
    expect(fresh.state).toBe('pending');
    expect(fresh.action.diff).toContain('-              memory: 260Mi');
  });

  it('runs a double-clicked approval once, then reports the recovered rollout on the card and in the audit', async () => {
    const { id, ts } = await proposeFix();

    const clicks = await Promise.all([
      click('approve', id, 'U0LEAD', ts),
      click('approve', id, 'U0LEAD', ts),
      click('approve', id, 'U0SRE', ts),
    ]);

    expect(clicks.map((c) => c.status)).toEqual([200, 200, 200]);
    const done = await eventually(async () => {
      const record = await store.record(id);
      return record?.state === 'succeeded' ? record : undefined;
    }, 60_000);
    expect(done.transitions.map((t) => t.to)).toEqual(['approved', 'executing', 'succeeded']);
    expect(done.result?.verified).toMatch(/^Rollout complete: 2\/2 pods updated, 2\/2 available/);
    const actions = new Queue('actions', { connection: { url: app.redisUrl }, prefix: app.prefix });
    // One job, run once: the state is written just before the job itself completes.
    const job = await eventually(async () => {
      const found = await actions.getJob(id);
      return found !== undefined && (await found.isCompleted()) ? found : undefined;
    });
    expect(job.attemptsMade).toBe(1);
    const jobs = await actions.getJobs(['completed', 'failed', 'waiting', 'active', 'delayed']);
    expect(jobs.filter((j) => j.id === id)).toHaveLength(1);
    await actions.close();
    // The clicks that came second were told, privately, that it was decided already.
    await slack.waitForCall('chat.postEphemeral', (c) => /already approved/.test(text(c)), 10_000);
    const card = await eventually(async () => {
      const shown = slack.posted('C0OPS').find((m) => m.ts === ts);
      return shown !== undefined && /Done:/.test(JSON.stringify(shown.blocks)) ? shown : undefined;
    });
    expect(JSON.stringify(card.blocks)).not.toContain('coxswain.approve');
    // The worker copies the audit stream to the daily files as it goes.
    const lines = await eventually(async () => {
      const all = readdirSync(auditDir)
        .flatMap((f) => readFileSync(join(auditDir, f), 'utf8').trim().split('\n'))
        .map((l) => JSON.parse(l) as { proposal: string; event: string; approval?: string });
      return all.some((l) => l.proposal === id && l.event === 'executed') ? all : undefined;
    });
    expect(lines.filter((l) => l.proposal === id).map((l) => l.event)).toContain('executed');
    expect(lines.find((l) => l.proposal === id && l.event === 'executed')?.approval).toBe(
      'user-confirmed',
    );
  });
});
