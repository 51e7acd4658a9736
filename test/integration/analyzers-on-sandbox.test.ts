import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/commands/diagnose.ts';
import { analyze, type Finding } from '../../src/tools/kubernetes/analyzers/index.ts';
import { readSnapshot } from '../../src/tools/kubernetes/snapshot.ts';
import { useSandbox } from '../support/sandbox.ts';

/**
 * The analyzers on what a cluster really serves: each scenario's failure is found on the object
 * it concerns, with the fix a rule knows, and `diagnose` turns that into a dry-run proposal in a
 * handful of API calls.
 */
const sandbox = useSandbox([
  'healthy',
  'oom-crashloop',
  'bad-rollout',
  'image-pull-backoff',
  'pending-unschedulable',
  'node-memory-pressure',
  'missing-configmap',
  'failing-readiness',
  'node-not-ready',
  'liveness-restarts',
]);

async function findingsIn(namespace?: string): Promise<Finding[]> {
  return analyze(await readSnapshot(sandbox.cluster, namespace));
}

async function podNames(namespace: string): Promise<string[]> {
  const list = await sandbox.cluster.core.listNamespacedPod({ namespace });
  return list.items.map((p) => p.metadata?.name ?? '').sort();
}

function about(findings: Finding[], kind: string, name: string): Finding[] {
  return findings.filter((f) => f.object.kind === kind && f.object.name === name);
}

describe('analyze on the sandbox', () => {
  it('oom-crashloop: each payments pod is OOM-killed, with a memory limit of 384Mi proposed', async () => {
    const pods = await podNames('payments');

    const findings = await findingsIn('payments');

    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      const [finding] = about(findings, 'Pod', pod);
      expect(finding).toMatchObject({ rule: 'oom-killed', severity: 'critical' });
      expect(finding?.evidence).toContain(
        `Pod payments/${pod} spec.containers[api].resources: memory limit 256Mi, request 256Mi`,
      );
      expect(finding?.action).toEqual({
        type: 'set-resources',
        target: { kind: 'Deployment', namespace: 'payments', name: 'payments-api' },
        container: 'api',
        resources: { limits: { memory: '384Mi' } },
        summary: 'raise the memory limit of api in deployment payments-api from 256Mi to 384Mi',
      });
    }
    expect(findings.flatMap((f) => f.evidence).join('\n')).not.toContain('Pa55w0rd-prod');
  });

  it('liveness-restarts: each gateway container is killed by its liveness probe, not for memory', async () => {
    const findings = await findingsIn('gateway');

    const pods = findings.filter((f) => f.object.kind === 'Pod');

    expect(pods.length).toBeGreaterThan(0);
    for (const finding of pods) {
      expect(finding.rule).toBe('crash-loop/liveness-probe');
      expect(finding.action).toBeUndefined();
    }
    const gateway = pods.find((f) => f.object.name.startsWith('api-gateway-'));
    expect(gateway?.cause).toContain(
      'its liveness probe (HTTP GET /healthz on port http (8080); timeout 1s, every 10s, 3 failures in a row, initial delay 15s) fails: HTTP probe failed with statuscode: 500',
    );
  });

  it('bad-rollout: the rollout of orders-api failed, with a rollback to revision 1 proposed', async () => {
    const findings = await findingsIn('orders');

    const [finding, ...others] = about(findings, 'Deployment', 'orders-api');

    expect(others).toEqual([]);
    expect(finding).toMatchObject({
      rule: 'rollout/progress-deadline',
      title: 'rollout of deployment orders-api failed at revision 2',
    });
    expect(finding?.evidence.join('\n')).toMatch(
      /revision 1 \(orders-api-\S+\): ghcr\.io\/example\/orders-api:1\.4\.0, 3 available/,
    );
    expect(finding?.action).toEqual({
      type: 'rollback',
      target: { kind: 'Deployment', namespace: 'orders', name: 'orders-api' },
      toRevision: 1,
      summary: 'roll back deployment orders-api from revision 2 to revision 1',
    });
  });

  it('image-pull-backoff: each checkout pod cannot pull its image', async () => {
    const pods = await podNames('checkout');

    const findings = await findingsIn('checkout');

    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      expect(about(findings, 'Pod', pod)).toEqual([
        expect.objectContaining({
          rule: 'image-pull/not-found',
          title: `container web of pod ${pod} cannot pull its image ghcr.io/example/checkout-web:2.4.O`,
        }),
      ]);
    }
  });

  it("pending-unschedulable: each analytics pod is pending, with the scheduler's reason", async () => {
    const pods = await podNames('analytics');

    const findings = await findingsIn('analytics');

    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      const [finding] = about(findings, 'Pod', pod);
      expect(finding?.rule).toBe('pending/insufficient-resources');
      expect(finding?.evidence[0]).toMatch(
        /^Pod analytics\/\S+ status.conditions\[PodScheduled\]: Unschedulable: .*Insufficient memory/,
      );
      expect(finding?.cause).toMatch(
        /^it requests \S+ memory and the most any node it may run on has free is/,
      );
    }
  });

  it('missing-configmap: each inventory pod refers to configmap inventory-config', async () => {
    const pods = await podNames('inventory');

    const findings = await findingsIn('inventory');

    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      expect(about(findings, 'Pod', pod)).toEqual([
        expect.objectContaining({
          rule: 'missing-reference/configmap',
          title: `container api of pod ${pod} refers to configmap inventory-config, which does not exist`,
        }),
      ]);
    }
  });

  it('failing-readiness: the search pod runs but is not ready, with the probe failures', async () => {
    const pods = await podNames('search');

    const findings = await findingsIn('search');

    expect(pods).toHaveLength(1);
    const [finding] = about(findings, 'Pod', pods[0] ?? '');
    expect(finding?.rule).toBe('readiness-failing/http-status');
    expect(finding?.evidence.join('\n')).toContain('event Unhealthy: Readiness probe failed');
  });

  it('node-memory-pressure and node-not-ready: the two nodes, and no other', async () => {
    const findings = await findingsIn();

    const nodeFindings = findings
      .filter((f) => f.object.kind === 'Node')
      .map((f) => [f.rule, f.object.name]);

    expect(nodeFindings).toEqual([
      ['node/kubelet-stopped-posting', 'sandbox-worker4'],
      ['node/memory-pressure', 'sandbox-worker3'],
    ]);
    const [pressure] = about(findings, 'Node', 'sandbox-worker3');
    expect(pressure?.title).toBe('node sandbox-worker3 has MemoryPressure');
  });

  it('finds nothing in shop, where all is well', async () => {
    const findings = await findingsIn();

    expect(findings.filter((f) => f.object.namespace === 'shop')).toEqual([]);
  });
});

describe('the healthy scenario alone', () => {
  const healthy = useSandbox(['healthy']);

  it('finds nothing at all', async () => {
    const snapshot = await readSnapshot(healthy.cluster, 'shop');

    const findings = analyze(snapshot);

    expect(snapshot.pods.length).toBe(5);
    expect(findings).toEqual([]);
  });

  it("reads a namespace with no problems in fourteen list requests: its thirteen kinds and Argo CD's applications", async () => {
    healthy.resetRequests();

    const diagnosis = await diagnose(healthy.cluster, { visible: ['*'], namespace: 'shop' });

    expect(diagnosis.message.headline).toBe(
      'No problems found in namespace shop of cluster sandbox',
    );
    expect(diagnosis.message.text).toMatch(
      /^Checked 5 pods, \d+ deployments, .*\d+ nodes, \d+ events, 0 container logs: no analyzer found a problem\.$/,
    );
    expect(healthy.requests).toHaveLength(14);
    expect(healthy.requests.every((r) => r.method === 'GET' && !r.path.includes('/log'))).toBe(
      true,
    );
    expect(healthy.requests.map((r) => r.path)).toContain(
      '/apis/argoproj.io/v1alpha1/applications',
    );
  });
});

describe('diagnose', () => {
  it('proposes one fix for payments, needing confirmation, with its dry-run diff', async () => {
    const before = await sandbox.cluster.apps.readNamespacedDeployment({
      namespace: 'payments',
      name: 'payments-api',
    });

    const diagnosis = await diagnose(sandbox.cluster, { visible: ['*'], namespace: 'payments' });

    expect(diagnosis.findings.filter((f) => f.rule === 'oom-killed')).toHaveLength(2);
    expect(diagnosis.actions).toHaveLength(1);
    const [{ action, tier } = { action: undefined, tier: '' }] = diagnosis.actions;
    expect(tier).toBe('confirm');
    expect(action).toMatchObject({
      type: 'set-resources',
      target: { namespace: 'payments', kind: 'Deployment', name: 'payments-api' },
    });
    expect(action?.diff).toContain(
      '\n-              memory: 256Mi\n+              memory: 384Mi\n',
    );
    expect(diagnosis.refused).toEqual([]);
    const [lead] = diagnosis.findings;
    expect(lead?.rule).toBe('oom-killed');
    expect(diagnosis.message.headline).toBe(lead?.title);
    expect(diagnosis.message.text?.split('\n').slice(0, 2)).toEqual([
      'Cause: the container uses more memory than its 256Mi memory limit allows, and the kernel kills it',
      'Confidence: certain — the last termination reason is OOMKilled',
    ]);
    expect(diagnosis.message.text).toMatch(
      /\n\d+ problems? in namespace payments of cluster sandbox: \d+ critical/,
    );
    const after = await sandbox.cluster.apps.readNamespacedDeployment({
      namespace: 'payments',
      name: 'payments-api',
    });
    expect(after.metadata?.generation).toBe(before.metadata?.generation);
    expect(after.spec?.template.spec?.containers[0]?.resources?.limits?.memory).toBe('256Mi');
  });

  it('diagnoses a deployment with the findings of its pods and proposes the rollback', async () => {
    const diagnosis = await diagnose(sandbox.cluster, {
      visible: ['*'],
      namespace: 'orders',
      target: { kind: 'Deployment', name: 'orders-api' },
    });

    const rules = diagnosis.findings.map((f) => [f.rule, f.object.kind]);
    expect(rules).toContainEqual(['rollout/progress-deadline', 'Deployment']);
    expect(rules).toContainEqual(['crash-loop/missing-env', 'Pod']);
    expect(diagnosis.findings.find((f) => f.object.kind === 'Pod')?.cause).toContain(
      'the environment variable ORDERS_DB_URL it needs is not set',
    );
    expect(diagnosis.findings.every((f) => f.object.namespace === 'orders')).toBe(true);
    expect(diagnosis.actions.map((a) => [a.action.type, a.tier])).toEqual([
      ['rollback', 'confirm'],
    ]);
    expect(diagnosis.actions[0]?.action.diff).toContain(
      '\n+          image: ghcr.io/example/orders-api:1.4.0\n',
    );
  });

  it('diagnoses a node by itself', async () => {
    const diagnosis = await diagnose(sandbox.cluster, {
      visible: ['*'],
      target: { kind: 'Node', name: 'sandbox-worker4' },
    });

    expect(diagnosis.findings.map((f) => [f.rule, f.object.name])).toEqual([
      ['node/kubelet-stopped-posting', 'sandbox-worker4'],
    ]);
    expect(diagnosis.actions).toEqual([]);
  });

  it('says not found for a target that does not exist', async () => {
    const diagnosis = await diagnose(sandbox.cluster, {
      visible: ['*'],
      namespace: 'payments',
      target: { kind: 'Deployment', name: 'no-such-api' },
    });

    expect(diagnosis.message.headline).toBe(
      'deployment no-such-api not found in namespace payments',
    );
    expect(diagnosis.findings).toEqual([]);
    expect(diagnosis.actions).toEqual([]);
  });

  it('reads a namespace in a small, fixed number of API requests', async () => {
    sandbox.resetRequests();

    await diagnose(sandbox.cluster, { visible: ['*'], namespace: 'payments' });

    const requests = [...sandbox.requests];
    // 13 lists, Argo CD's applications, the crashed replicas' last lines (one for both), and the fix's
    // read, dry run and re-read.
    expect(requests.length).toBeLessThanOrEqual(20);
    expect(requests).toEqual(
      expect.arrayContaining([
        { method: 'GET', path: '/api/v1/namespaces/payments/pods', dryRun: false, watch: false },
        {
          method: 'GET',
          path: '/apis/apps/v1/namespaces/payments/deployments',
          dryRun: false,
          watch: false,
        },
        {
          method: 'GET',
          path: '/apis/apps/v1/namespaces/payments/replicasets',
          dryRun: false,
          watch: false,
        },
        { method: 'GET', path: '/api/v1/namespaces/payments/events', dryRun: false, watch: false },
        { method: 'GET', path: '/api/v1/nodes', dryRun: false, watch: false },
      ]),
    );
    const perPod = requests.filter((r) => r.path.startsWith('/api/v1/namespaces/payments/pods/'));
    // Both replicas crash alike: one is read for the two.
    expect(perPod).toHaveLength(1);
    expect(
      perPod.every((r) => /^\/api\/v1\/namespaces\/payments\/pods\/[^/]+\/log$/.test(r.path)),
    ).toBe(true);
  });
});
