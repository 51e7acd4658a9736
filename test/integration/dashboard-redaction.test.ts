import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ProposalStore } from '../../src/approvals/proposal-store.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { writeApprovalConfig } from '../support/config-file.ts';

/**
 * What the dashboard shows passes the same last redaction as chat: a pending card whose diff and
 * reasoning carry secrets shows none of them, and keeps its Approve and Reject buttons exact.
 */
let app: TestApp;
let redis: Redis;
const LEE = 'lee-token-0123456789';

beforeAll(async () => {
  const config = writeApprovalConfig({
    cluster: 'prod',
    kubeconfig: '/nonexistent/kubeconfig',
    channel: 'web:ops',
    approvers: ['web:lee'],
  });
  app = await startTestApp({ COXSWAIN_CONFIG: config, DASHBOARD_TOKENS: `lee:${LEE}` });
  redis = new Redis(app.redisUrl);
}, 60_000);

afterAll(async () => {
  redis?.disconnect();
  await app?.stop();
});

it('shows pending cards redacted, with their buttons exact', async () => {
  const proposals = new ProposalStore(redis, app.prefix);
  const id = 'pSecret0123456789';
  await proposals.create({
    id,
    runId: 'run-secret',
    agent: 'k8s-diagnostician',
    state: 'pending',
    createdAt: new Date().toISOString(),
    rationale: 'The app logs in with DB_PASSWORD: Winter2026! and fails',
    action: {
      type: 'patch',
      verb: 'patch',
      target: {
        cluster: 'prod',
        namespace: 'payments',
        apiVersion: 'v1',
        kind: 'ConfigMap',
        name: 'payments-config',
        uid: 'u-1',
        resourceVersion: '7',
      },
      change: { method: 'patch', patchType: 'merge', body: {} },
      summary: 'patch configmap payments/payments-config: data.LOG_LEVEL',
      changes: [{ path: 'data.LOG_LEVEL', from: 'info', to: 'debug' }],
      diff: '  API_TOKEN: "tok-0011223344"\n- LOG_LEVEL: info\n+ LOG_LEVEL: debug',
      digest: '0'.repeat(64),
    },
  });
  await proposals.attach(id, {
    channel: 'web:ops',
    requester: 'web:dana',
    cluster: 'prod',
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  });
  const login = await fetch(`${app.baseUrl}/dashboard/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'lee', token: LEE }),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

  const response = await fetch(`${app.baseUrl}/dashboard/api/pending`, { headers: { cookie } });

  expect(response.status).toBe(200);
  const body = (await response.json()) as {
    pending: { id: string; card: { buttons: { value: string }[] } }[];
  };
  const card = body.pending.find((p) => p.id === id);
  expect(card?.card.buttons.map((b) => b.value)).toEqual([id, id]);
  const text = JSON.stringify(card);
  expect(text).toContain('+ LOG_LEVEL: debug');
  expect(text).not.toContain('Winter2026!');
  expect(text).not.toContain('tok-0011223344');
});
