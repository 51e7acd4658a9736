import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { type ExecuteDeps, executeProposal } from '../../src/approvals/execute-proposal.ts';
import type { ProposalStore } from '../../src/approvals/proposal-store.ts';
import { AuditLog } from '../../src/audit/audit-log.ts';
import type { OutboxJob } from '../../src/chat/outbox-job.ts';
import { Autonomy, Binding } from '../../src/config/policy-schema.ts';
import { proposeScale } from '../../src/tools/kubernetes/actions/propose.ts';
import { type Cluster, Clusters, connect } from '../../src/tools/kubernetes/cluster.ts';
import { subjectOf, writerRbac } from '../../src/tools/kubernetes/writer-rbac.ts';
import { approvedAction, executeDeps } from '../support/approved-change.ts';
import { KubeGate } from '../support/kube-gate.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';
import { useSandbox } from '../support/sandbox.ts';

/**
 * Writes as a second identity, on an API server that enforces RBAC: the worker's own account
 * reads everything and may impersonate the writer; the writer has only what `coxswain rbac`
 * grants a binding over namespace shop whose policy lets it scale. An approved scale in shop is
 * made as the writer; the same in payments is refused by the API server, and the card says which
 * identity lacked which permission. Reads never carry the impersonation header.
 */
const sandbox = useSandbox(['healthy', 'oom-crashloop']);
const WRITER = 'system:serviceaccount:coxswain:coxswain-writer';
const prefix = testPrefix();
let gate: KubeGate;
let redis: Redis;
let store: ProposalStore;
let deps: ExecuteDeps;
let kubeconfig: string;
const posted: { jobId: string; data: OutboxJob }[] = [];

/** The worker's own account: reads anything, and may impersonate the writer (and no one else). */
const WORKER_RBAC = `
apiVersion: v1
kind: Namespace
metadata: { name: coxswain }
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: coxswain-worker, namespace: coxswain }
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: coxswain-writer, namespace: coxswain }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: coxswain-reader }
rules: [{ apiGroups: ["*"], resources: ["*"], verbs: [get, list, watch] }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: coxswain-reader }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: coxswain-reader }
subjects: [{ kind: ServiceAccount, name: coxswain-worker, namespace: coxswain }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: impersonate-writer, namespace: coxswain }
rules:
  - { apiGroups: [""], resources: [serviceaccounts], verbs: [impersonate], resourceNames: [coxswain-writer] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: impersonate-writer, namespace: coxswain }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: impersonate-writer }
subjects: [{ kind: ServiceAccount, name: coxswain-worker, namespace: coxswain }]
`;

/** The writer's Roles as `coxswain rbac` prints them for a binding over shop that may scale. */
const writerManifest = () =>
  writerRbac({
    cluster: 'sandbox',
    bindings: [
      Binding.parse({
        channel: 'web:ops',
        clusters: ['sandbox'],
        namespaces: ['shop'],
        maxTier: 'confirm',
        approvers: ['web:sre'],
      }),
    ],
    autonomy: Autonomy.parse({
      confirm: ['scale'],
      forbidden: ['delete *', 'patch', 'rollout', 'sync'],
    }),
    subject: subjectOf(WRITER),
    regenerate: 'coxswain rbac',
  });

async function apply(yaml: string): Promise<void> {
  for (const doc of parseAllDocuments(yaml)) {
    const object = doc.toJS() as KubernetesObject | null;
    if (object !== null) await sandbox.cluster.objects.create(object);
  }
}

/** A kubeconfig to the gate that authenticates as the worker's ServiceAccount, by its token. */
async function workerKubeconfig(): Promise<string> {
  const token = await sandbox.cluster.core.createNamespacedServiceAccountToken({
    namespace: 'coxswain',
    name: 'coxswain-worker',
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const path = join(mkdtempSync(join(tmpdir(), 'coxswain-writer-')), 'kubeconfig');
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'gate', cluster: { server: gate.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'worker', user: { token: token.status?.token } }],
      contexts: [{ name: 'gate', context: { cluster: 'gate', user: 'worker' } }],
      'current-context': 'gate',
    }),
    { mode: 0o600 },
  );
  return path;
}

beforeAll(async () => {
  await apply(WORKER_RBAC);
  await apply(writerManifest());
  gate = await KubeGate.start(sandbox.sandbox.url);
  kubeconfig = await workerKubeconfig();
  redis = new Redis(testRedisUrl());
  deps = {
    ...executeDeps(redis, prefix, kubeconfig, posted),
    clusters: new Clusters([{ name: 'sandbox', kubeconfig, writeAs: WRITER }]),
  };
  store = deps.proposals;
});

afterAll(async () => {
  await gate.close();
  redis.disconnect();
  await dropPrefix(testRedisUrl(), prefix);
});

beforeEach(() => {
  posted.length = 0;
  gate.requests.length = 0;
});

const worker = (): Cluster => deps.clusters.get('sandbox');
const replicas = async (namespace: string, name: string) =>
  ((await sandbox.cluster.apps.readNamespacedDeployment({ namespace, name })) as V1Deployment).spec
    ?.replicas;
const reportOf = (id: string) => posted.find((p) => p.jobId.startsWith(`report.${id}.`));
const auditOf = async (id: string) =>
  (await new AuditLog(redis, prefix).latest(50)).find((e) => e.proposal === id);

describe('writes as the cluster writeAs user', () => {
  it('makes an approved scale in shop as the writer, reading as the worker', async () => {
    const before = (await replicas('shop', 'cart')) ?? 1;
    const action = await proposeScale(worker(), {
      namespace: 'shop',
      name: 'cart',
      replicas: before + 1,
    });
    const id = await approvedAction(store, action, 'run-writer', 'scale-shop');

    const result = await executeProposal(id, deps);

    expect(result.state).toBe('succeeded');
    expect(await replicas('shop', 'cart')).toBe(before + 1);
    const record = await store.record(id);
    expect(record?.result?.writtenAs).toBe(WRITER);
    expect(record?.result?.summary).toBe(`Applied as ${WRITER}.`);
    expect((await auditOf(id))?.writtenAs).toBe(WRITER);
    const writes = gate.requests.filter((r) => r.method !== 'GET');
    const reads = gate.requests.filter((r) => r.method === 'GET');
    // The proposal's dry run, the check's dry run and the write itself.
    expect(writes.map((r) => [r.method, r.dryRun])).toEqual([
      ['PATCH', true],
      ['PATCH', true],
      ['PATCH', false],
    ]);
    expect(writes.every((r) => r.impersonateUser === WRITER)).toBe(true);
    expect(reads.length).toBeGreaterThan(2);
    expect(reads.filter((r) => r.impersonateUser !== undefined)).toEqual([]);
  });

  it('refuses an approved scale in payments, saying which identity may not do what', async () => {
    // Proposed by someone who could (the policy allows it); the writer's RBAC does not.
    const action = await proposeScale(sandbox.cluster, {
      namespace: 'payments',
      name: 'payments-api',
      replicas: 3,
    });
    const id = await approvedAction(store, action, 'run-writer', 'scale-payments');

    const result = await executeProposal(id, deps);

    expect(result.state).toBe('failed');
    expect(await replicas('payments', 'payments-api')).not.toBe(3);
    const message = `forbidden: writes go as ${WRITER}, which may not patch deployments.apps in namespace payments`;
    expect((await store.record(id))?.result?.error).toContain(message);
    expect(reportOf(id)?.data.message.text).toContain(message);
    expect((await auditOf(id))?.event).toBe('failed');
    const writes = gate.requests.filter((r) => r.method !== 'GET');
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.every((r) => r.method === 'PATCH' && r.impersonateUser === WRITER)).toBe(true);
    expect(gate.requests.filter((r) => r.method === 'GET' && r.impersonateUser)).toEqual([]);
  });

  it("refuses every change in Coxswain's own namespace, even where the writer's RBAC reaches", async () => {
    // What a binding over every namespace grants the writer (a ClusterRole) reaches it too.
    await apply(`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: writer-here, namespace: coxswain }
rules: [{ apiGroups: [apps], resources: [deployments], verbs: [patch] }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: writer-here, namespace: coxswain }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: writer-here }
subjects: [{ kind: ServiceAccount, name: coxswain-writer, namespace: coxswain }]
`);
    await sandbox.cluster.apps.createNamespacedDeployment({
      namespace: 'coxswain',
      body: {
        metadata: { name: 'coxswain-worker' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'coxswain-worker' } },
          template: {
            metadata: { labels: { app: 'coxswain-worker' } },
            spec: { containers: [{ name: 'coxswain', image: 'ghcr.io/example/coxswain:0.1.0' }] },
          },
        },
      },
    });
    const target = { namespace: 'coxswain', name: 'coxswain-worker', replicas: 0 };
    // Proposed where nothing writes as the writer; approved; then executed by the worker.
    const id = await approvedAction(
      store,
      await proposeScale(sandbox.cluster, target),
      'run-writer',
      'scale-own',
    );
    gate.requests.length = 0;

    const proposing = await proposeScale(worker(), target).then(
      () => 'proposed',
      (error: Error) => error.message,
    );
    const result = await executeProposal(id, deps);

    const refusal = "namespace coxswain is Coxswain's own";
    expect(proposing).toContain(refusal);
    expect(result.state).toBe('failed');
    expect((await store.record(id))?.result?.error).toContain(refusal);
    expect(await replicas('coxswain', 'coxswain-worker')).toBe(2);
    expect(gate.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('refuses to propose there too: the dry run is the writer’s', async () => {
    const proposing = proposeScale(worker(), {
      namespace: 'payments',
      name: 'payments-api',
      replicas: 4,
    });

    await expect(proposing).rejects.toThrow(
      `writes go as ${WRITER}, which may not patch deployments.apps in namespace payments`,
    );
    expect(gate.requests.filter((r) => r.dryRun).map((r) => r.impersonateUser)).toEqual([WRITER]);
  });

  it('writes as the writer through a kubeconfig with no user, as kubectl proxy gives', async () => {
    const proxied = join(mkdtempSync(join(tmpdir(), 'coxswain-writer-')), 'kubeconfig');
    gate.writeKubeconfig(proxied);
    const cluster = connect({ name: 'sandbox', kubeconfig: proxied, writeAs: WRITER });

    const proposing = proposeScale(cluster, {
      namespace: 'payments',
      name: 'payments-api',
      replicas: 4,
    });

    // Without credentials the sandbox takes the request as its administrator: only acting as the
    // writer makes this a refusal.
    await expect(proposing).rejects.toThrow(`writes go as ${WRITER}, which may not patch`);
    expect(gate.requests.filter((r) => r.dryRun).map((r) => r.impersonateUser)).toEqual([WRITER]);
    expect(gate.requests.filter((r) => r.method === 'GET' && r.impersonateUser)).toEqual([]);
  });

  it('says so when the worker may not impersonate the user it is told to write as', async () => {
    const other = connect({
      name: 'sandbox',
      kubeconfig,
      writeAs: 'system:serviceaccount:coxswain:someone-else',
    });

    await expect(
      proposeScale(other, { namespace: 'shop', name: 'cart', replicas: 5 }),
    ).rejects.toThrow(
      "forbidden: the worker's own credentials may not impersonate system:serviceaccount:coxswain:someone-else",
    );
  });
});
