import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { writeConfigFile } from '../support/config-file.ts';
import { eventually, useSandbox } from '../support/sandbox.ts';
import { FakeSlack } from '../support/slack-api.ts';

/**
 * One person across platforms (`people` in the config file): Dana asks on Slack and cannot approve
 * her own proposal as web:dana on the dashboard; Lee, named as an approver by his Slack id only,
 * approves as web:lee. Sam, bound to nothing but the web console, sees neither the Slack channel's
 * history nor its cluster's status; Kai, bound to prod's team-* namespaces only, sees none of
 * payments' problems or pods.
 */
const sandbox = useSandbox(['oom-crashloop']);
let slack: FakeSlack;
let app: TestApp;
const TOKENS = {
  dana: 'dana-token-0123456789',
  lee: 'lee-token-0123456789',
  sam: 'sam-token-0123456789',
  kai: 'kai-token-0123456789',
};

beforeAll(async () => {
  slack = await FakeSlack.start();
  const config = writeConfigFile({
    clusters: [
      { name: 'prod', kubeconfig: sandbox.kubeconfig },
      { name: 'lab', kubeconfig: sandbox.kubeconfig },
    ],
    people: [
      { name: 'dana', ids: ['slack:U0DANA', 'web:dana'] },
      { name: 'lee', ids: ['slack:U0LEE', 'web:lee'] },
    ],
    bindings: [
      {
        channel: 'slack:C0OPS',
        clusters: ['prod'],
        namespaces: ['*'],
        maxTier: 'confirm',
        approvers: ['slack:U0DANA', 'slack:U0LEE'],
      },
      {
        channel: 'slack:C0TEAM',
        clusters: ['prod'],
        namespaces: ['team-*'],
        approvers: ['web:kai'],
      },
      { channel: 'web:lab', clusters: ['lab'], namespaces: ['*'] },
    ],
  });
  app = await startTestApp({
    COXSWAIN_CONFIG: config,
    DASHBOARD_TOKENS: Object.entries(TOKENS)
      .map(([name, token]) => `${name}:${token}`)
      .join(','),
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_API_URL: slack.apiUrl,
    // The local Slack has no rate limit: a short pace keeps messages spaced without the wait.
    SLACK_PACE_MS: '100',
  });
}, 60_000);

afterAll(async () => {
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

const get = async <T>(path: string, cookie: string): Promise<T> =>
  (await (await fetch(`${app.baseUrl}${path}`, { headers: { cookie } })).json()) as T;
const decide = (id: string, cookie: string) =>
  fetch(`${app.baseUrl}/dashboard/api/proposals/${id}/approve`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: '{}',
  });

type Pending = { pending: { id: string; channel: string }[] };
type History = { entries: { proposal: string; event: string; approver?: string }[] };
type Status = {
  clusters: { cluster: string; message?: { fields: { label: string; value: string }[] } }[];
};

it('refuses self-approval across platforms, allows approval across them, and filters by person', async () => {
  const [dana, lee, sam] = await Promise.all([signIn('dana'), signIn('lee'), signIn('sam')]);
  const asked = await slack.sendHttp(
    `${app.baseUrl}/slack/events`,
    slack.slashCommand({ text: 'diagnose -n payments', channelId: 'C0OPS', userId: 'U0DANA' }),
    { contentType: 'form' },
  );
  expect(asked.status).toBe(200);
  // Dana's Slack id is an approver of the channel: the card waits for her as web:dana too.
  const card = await eventually(async () => {
    const body = await get<Pending>('/dashboard/api/pending', dana);
    return body.pending.find((p) => p.channel === 'slack:C0OPS');
  }, 20_000);

  const own = await decide(card.id, dana);
  const stranger = await decide(card.id, sam);
  const samPending = await get<Pending>('/dashboard/api/pending', sam);
  const approved = await decide(card.id, lee);

  expect(own.status).toBe(409);
  expect(((await own.json()) as { error: string }).error).toContain('you asked for this change');
  expect(stranger.status).toBe(403);
  expect(samPending.pending).toEqual([]);
  expect(approved.status).toBe(202);
  // The worker checks the approval again, with the same people, and runs it.
  const executed = await eventually(async () => {
    const body = await get<History>('/dashboard/api/history?outcome=executed', lee);
    return body.entries.find((e) => e.proposal === card.id);
  }, 60_000);
  expect(executed.approver).toBe('web:lee');
  const seenByDana = await get<History>('/dashboard/api/history', dana);
  const seenBySam = await get<History>('/dashboard/api/history', sam);
  expect(seenByDana.entries.filter((e) => e.proposal === card.id).map((e) => e.event)).toEqual([
    'executed',
    'approved',
    'proposed',
  ]);
  expect(seenBySam.entries).toEqual([]);
}, 90_000);

it('shows each person the status of the clusters their channels are bound to', async () => {
  const [lee, sam] = await Promise.all([signIn('lee'), signIn('sam')]);

  const forLee = await eventually(async () => {
    const body = await get<Status>('/dashboard/api/status', lee);
    return body.clusters.length === 2 ? body.clusters : undefined;
  });
  const forSam = await get<Status>('/dashboard/api/status', sam);

  expect(forLee.map((c) => c.cluster).sort()).toEqual(['lab', 'prod']);
  expect(forSam.clusters.map((c) => c.cluster)).toEqual(['lab']);
});

it('shows each person only the namespaces their channels are bound to, in problems and totals', async () => {
  const [lee, kai] = await Promise.all([signIn('lee'), signIn('kai')]);

  const prodFor = async (cookie: string) =>
    eventually(async () => {
      const body = await get<Status>('/dashboard/api/status', cookie);
      return body.clusters.find((c) => c.cluster === 'prod' && c.message !== undefined);
    });
  const [forLee, forKai] = await Promise.all([prodFor(lee), prodFor(kai)]);

  const pods = (c: Status['clusters'][number]) =>
    c.message?.fields.find((f) => f.label === 'Pods healthy')?.value;
  expect(JSON.stringify(forLee)).toContain('payments');
  expect(pods(forLee)).not.toBe('0/0');
  expect(JSON.stringify(forKai)).not.toContain('payments');
  expect(pods(forKai)).toBe('0/0');
});
