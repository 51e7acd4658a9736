import type { IncomingMessage, ServerResponse } from 'node:http';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { ChannelSpend } from '../../src/agents/runs/budget.ts';
import { AlertGroups } from '../../src/alerts/alert-groups.ts';
import { Incidents } from '../../src/alerts/incidents.ts';
import { Binding } from '../../src/config/policy-schema.ts';
import { incidentRoutes } from '../../src/dashboard/incident-routes.ts';
import { WebAccess } from '../../src/dashboard/web-access.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';

/**
 * What the Incidents view shows a signed-in person: the incidents of their channels, however many
 * newer ones others have, and the figures of their clusters' namespaces only.
 */
const prefix = testPrefix();
const redis = new Redis(testRedisUrl());
const groups = new AlertGroups(redis, prefix);
const incidents = new Incidents(redis, prefix);
const TOKENS = { alice: 'alice-token-0123456789', bob: 'bob-token-0123456789' };
const access = new WebAccess(redis, prefix, {
  users: Object.entries(TOKENS).map(([name, token]) => ({ name, token })),
  trustLocal: false,
  secure: false,
});
const bindings = [
  // Alice is bound to payments in dev only; Bob to payments in dev and in prod.
  Binding.parse({
    channel: 'slack:C0DEV',
    clusters: ['dev'],
    namespaces: ['payments'],
    approvers: ['web:alice', 'web:bob'],
  }),
  Binding.parse({
    channel: 'slack:C0PROD',
    clusters: ['prod'],
    namespaces: ['payments'],
    approvers: ['web:bob'],
  }),
];
const [route] = incidentRoutes({
  access,
  bindings,
  people: [],
  incidents: { incidents, groups, spend: new ChannelSpend(redis, prefix) },
});

afterAll(async () => {
  redis.disconnect();
  await dropPrefix(testRedisUrl(), prefix);
});

type View = {
  incidents: { alertname: string }[];
  figures: { alertname: string; namespace: string; cluster: string }[];
};

async function viewOf(name: keyof typeof TOKENS): Promise<View> {
  const login = await access.login(name, TOKENS[name], '127.0.0.1');
  if (!login.ok) throw new Error('not signed in');
  const reply = await route?.handler({
    req: { headers: { cookie: login.cookie.split(';')[0] } } as IncomingMessage,
    res: {} as ServerResponse,
    url: new URL('http://localhost/dashboard/api/incidents'),
    params: {},
    log: createLogger('silent'),
  });
  return reply?.body as View;
}

async function open(groupKey: string, alertname: string, channel: string, startsAt: string) {
  const alerts = [
    {
      status: 'firing' as const,
      labels: { alertname },
      annotations: {},
      startsAt,
      generatorURL: '',
      fingerprint: groupKey,
    },
  ];
  await incidents.observe(
    { groupKey, commonLabels: { alertname }, groupLabels: {} },
    await groups.merge({ groupKey, alerts }),
    [channel],
  );
}

describe('the Incidents view', () => {
  it('shows each person the figures of the namespaces they are bound to in that cluster', async () => {
    const resolved = (id: string, alertname: string, cluster?: string) =>
      incidents.count(
        {
          id: `${id}.1`,
          groupId: id,
          threadKey: `alert.${id}`,
          alertname,
          namespace: 'payments',
          ...(cluster === undefined ? {} : { cluster }),
          channels: ['slack:C0PROD'],
          firedAt: '2026-12-06T10:00:00.000Z',
        },
        {
          resolveSeconds: 600,
          diagnoseSeconds: undefined,
          mitigateSeconds: undefined,
          automated: false,
        },
      );
    await resolved('p', 'FraudRuleTriggered', 'prod');
    await resolved('d', 'QueueBacklog', 'dev');
    await resolved('n', 'NoClusterLabel');

    const [alice, bob] = [await viewOf('alice'), await viewOf('bob')];

    const names = (view: View) => view.figures.map((f) => f.alertname).sort();
    expect(names(alice)).toEqual(['QueueBacklog']);
    // An alert that names no cluster may be prod's: only someone bound in every cluster sees it.
    expect(names(bob)).toEqual(['FraudRuleTriggered', 'NoClusterLabel', 'QueueBacklog']);
    expect(bob.figures.find((f) => f.alertname === 'FraudRuleTriggered')?.cluster).toBe('prod');
  });

  it('lists a person’s incidents even when other channels opened 200 newer ones', async () => {
    await open('{}:{dev="1"}', 'DevOnly', 'slack:C0DEV', '2026-12-06T09:00:00Z');
    for (let i = 0; i < 201; i++)
      await open(`{}:{prod="${i}"}`, 'ProdNoise', 'slack:C0PROD', '2026-12-06T10:00:00Z');

    const alice = await viewOf('alice');

    expect(alice.incidents.map((i) => i.alertname)).toEqual(['DevOnly']);
  });

  it('shows what was found and done only through a channel whose binding covers the alert', async () => {
    // Shown in dev's channel and prod's; it is about prod's payments, which Alice may not see.
    const groupKey = '{}:{both="1"}';
    const labels = { alertname: 'LedgerDown', cluster: 'prod', namespace: 'payments' };
    const alerts = [
      {
        status: 'firing' as const,
        labels,
        annotations: {},
        startsAt: '2026-12-06T11:00:00Z',
        generatorURL: '',
        fingerprint: 'ledger',
      },
    ];
    const opened = await incidents.observe(
      { groupKey, commonLabels: labels, groupLabels: {} },
      await groups.merge({ groupKey, alerts }),
      ['slack:C0DEV', 'slack:C0PROD'],
    );
    if (opened.kind !== 'opened') throw new Error('not opened');
    await incidents.diagnosed(opened.incident.threadKey, {
      at: '2026-12-06T11:02:00.000Z',
      cause: 'ledger cannot reach pg-ledger-0',
      evidence: 'password authentication failed',
      by: 'analyzers, no model',
      runId: 'r',
    });

    const [alice, bob] = [await viewOf('alice'), await viewOf('bob')];

    const ledger = (view: View) =>
      (view.incidents as { alertname: string; cause?: string }[]).find(
        (i) => i.alertname === 'LedgerDown',
      );
    expect(ledger(alice)).toBeDefined();
    expect(ledger(alice)?.cause).toBeUndefined();
    expect(ledger(bob)?.cause).toBe('ledger cannot reach pg-ledger-0');
  });
});
