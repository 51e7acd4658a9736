import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { z } from 'zod';
import type { KubeContext } from '../../src/tools/kubernetes/context.ts';
import {
  describeObject,
  getObjects,
  listEvents,
  listNodes,
  listPods,
  podLogs,
  rolloutStatus,
  top,
} from '../../src/tools/kubernetes/read/index.ts';
import { MAX_OUTPUT, runTool, type Tool, type ToolResult } from '../../src/tools/tool.ts';
import { type TestSandbox, useSandbox } from '../support/sandbox.ts';

/**
 * Every Kubernetes read tool through `runTool`, the way the bot calls them, against one sandbox
 * holding every scenario. What is checked is what a person reads in chat: the failing objects,
 * their reasons, and that no credential from the cluster (the payments database password, in an
 * env value and in a log line) ever reaches the output.
 */
const PASSWORD = 'Pa55w0rd-prod';
const NOTE = /\n… output cut: \d+ more lines; narrow the request \(namespace, selector, tail\)$/;

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
  'argocd-out-of-sync',
]);

type AnyTool = Tool<z.ZodType, KubeContext>;

function call(tool: AnyTool, input: unknown, on: TestSandbox = sandbox): Promise<ToolResult> {
  return runTool(tool, { cluster: on.cluster }, input);
}

/** The tool's text; fails the test, with the tool's error, when the tool failed. */
async function text(tool: AnyTool, input: unknown, on: TestSandbox = sandbox): Promise<string> {
  const result = await call(tool, input, on);
  if (!result.ok) throw new Error(`${tool.name} failed: ${result.error}`);
  return result.text;
}

/** The tool's error; fails the test when the tool succeeded. */
async function error(tool: AnyTool, input: unknown, on: TestSandbox = sandbox): Promise<string> {
  const result = await call(tool, input, on);
  if (result.ok) throw new Error(`${tool.name} succeeded:\n${result.text}`);
  return result.error;
}

async function podNames(namespace: string): Promise<string[]> {
  const list = await sandbox.cluster.core.listNamespacedPod({ namespace });
  return list.items.map((p) => p.metadata?.name ?? '').sort();
}

function rowOf(output: string, name: string): string {
  const row = output.split('\n').find((line) => line.split(/\s+/).includes(name));
  if (row === undefined) throw new Error(`no row for ${name} in:\n${output}`);
  return row;
}

describe('list_pods', () => {
  it('shows each OOM-killed pod with its last termination reason and exit code', async () => {
    const pods = await podNames('payments');

    const output = await text(listPods, { namespace: 'payments' });

    expect(pods).toHaveLength(2);
    expect(output.split('\n')[0]).toBe('2 pods in payments, failing first:');
    expect(output.split('\n')[1]).toMatch(
      /^NAME\s+READY\s+STATUS\s+RESTARTS\s+LAST TERMINATION\s+NODE\s+AGE$/,
    );
    for (const pod of pods) expect(rowOf(output, pod)).toMatch(/OOMKilled \(exit 137, /);
  });

  it('across all namespaces adds a NAMESPACE column and puts failing pods before healthy ones', async () => {
    const failing = [
      ...(await podNames('checkout')),
      ...(await podNames('analytics')),
      ...(await podNames('inventory')),
    ];
    const healthy = [...(await podNames('shop')), ...(await podNames('kube-system'))];

    const output = await text(listPods, {});

    const lines = output.split('\n');
    expect(lines[1]).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS/);
    expect(rowOf(output, failing[0] ?? '')).toMatch(/^checkout\s/);
    const position = (name: string) => lines.indexOf(rowOf(output, name));
    const lastFailing = Math.max(...failing.map(position));
    const firstHealthy = Math.min(...healthy.map(position));
    expect(failing.length).toBeGreaterThan(0);
    expect(healthy.length).toBeGreaterThan(0);
    expect(lastFailing).toBeLessThan(firstHealthy);
  });

  it('filters by label selector', async () => {
    const output = await text(listPods, { namespace: 'shop', labelSelector: 'app=cart' });

    expect(output).toMatch(/^2 pods in shop/);
    expect(output).toContain('cart-');
    expect(output).not.toContain('frontend-');
  });
});

describe('describe', () => {
  it('describes a pod with its last termination, env names without values, and its events', async () => {
    const [pod = ''] = await podNames('payments');

    const output = await text(describeObject, { kind: 'pod', namespace: 'payments', name: pod });

    expect(output).toContain(`pod payments/${pod} on node sandbox-worker`);
    expect(output).toContain('container api: image ghcr.io/example/payments-api:1.8.2');
    expect(output).toContain('last termination: OOMKilled (exit 137)');
    expect(output).toContain('requests: cpu 250m, memory 256Mi; limits: memory 256Mi');
    expect(output).toContain('env (values not shown): DB_PASSWORD, JAVA_OPTS');
    expect(output).toMatch(/\nevents:\nLAST SEEN\s+TYPE\s+REASON\s+MESSAGE\n/);
    expect(output).toContain(`Successfully assigned payments/${pod} to sandbox-worker`);
    expect(output).not.toContain(PASSWORD);
    expect(output).not.toContain('-XX:MaxRAMPercentage');
  });

  it('describes a deployment with its revisions, pods and events, never env values', async () => {
    const output = await text(describeObject, {
      kind: 'deployment',
      namespace: 'payments',
      name: 'payments-api',
    });

    expect(output).toMatch(/^deployment payments-api at revision 1: rollout /);
    expect(output).toContain('env (values not shown): DB_PASSWORD, JAVA_OPTS');
    expect(output).toMatch(/revisions:\nREVISION\s+REPLICASET\s+IMAGES/);
    expect(output).toMatch(
      /1 \(current\)\s+payments-api-\S+\s+ghcr\.io\/example\/payments-api:1\.8\.2/,
    );
    expect(output).toContain('2 pods in payments, failing first:');
    expect(output).toMatch(
      /ScalingReplicaSet\s+Scaled up replica set payments-api-\S+ from 0 to 2/,
    );
    expect(output).not.toContain(PASSWORD);
  });

  it('describes a node with its pressure condition, its pods and its events', async () => {
    const output = await text(describeObject, { kind: 'node', name: 'sandbox-worker3' });

    expect(rowOf(output, 'sandbox-worker3')).toMatch(/Ready\s+MemoryPressure/);
    expect(output).toContain('kubelet v1.32.0');
    expect(output).toMatch(/report-builder-\S+\s+1\/1\s+Running/);
    expect(output).toMatch(/EvictionThresholdMet\s+Attempting to reclaim memory/);
  });

  it('says what is missing when a pod is described without a namespace', async () => {
    const result = await call(describeObject, { kind: 'pod', name: 'payments-api' });

    expect(result).toEqual({ ok: false, error: expect.stringContaining('namespace') });
  });

  it('never shows the env value of the payments database password, whatever is described', async () => {
    const pods = await podNames('payments');
    const inputs = [
      ...pods.map((name) => ({ kind: 'pod', namespace: 'payments', name })),
      { kind: 'deployment', namespace: 'payments', name: 'payments-api' },
      { kind: 'node', name: 'sandbox-worker' },
      { kind: 'node', name: 'sandbox-worker2' },
      { kind: 'node', name: 'sandbox-worker3' },
    ];

    const outputs = await Promise.all(inputs.map((input) => text(describeObject, input)));

    expect(outputs.join('\n')).toContain('payments-api');
    for (const output of outputs) expect(output).not.toContain(PASSWORD);
  });
});

describe('pod_logs', () => {
  it("reads the crashed container's log with the database password redacted", async () => {
    const [pod = ''] = await podNames('payments');

    const output = await text(podLogs, { namespace: 'payments', pod, previous: true });

    expect(output).toMatch(new RegExp(`^last \\d+ lines of the previous container of pod ${pod}:`));
    expect(output).toContain('loaded 48213 settlement rules into the in-memory cache');
    expect(output).toContain('cache growing: 312Mi in use');
    expect(output).toContain(
      'connecting to postgres://payments:[redacted]@payments-db.payments.svc:5432/payments',
    );
    expect(output).not.toContain(PASSWORD);
  });

  it('keeps only the last lines asked for', async () => {
    const [pod = ''] = await podNames('payments');

    const output = await text(podLogs, { namespace: 'payments', pod, previous: true, tail: 2 });

    expect(output.split('\n')).toHaveLength(3);
    expect(output).toMatch(/^last 2 lines of the previous container/);
  });
});

describe('events', () => {
  it("shows the scheduler's FailedScheduling events of a namespace, newest first", async () => {
    const output = await text(listEvents, { namespace: 'analytics' });

    expect(output.split('\n')[0]).toBe('events in analytics, newest first:');
    expect(output).toMatch(/Warning\s+FailedScheduling\s+pod\/spark-worker-\S+\s+0\/5 nodes/);
    expect(output).toContain('Insufficient memory');
  });

  it('keeps only warnings when asked', async () => {
    const output = await text(listEvents, { namespace: 'analytics', warningsOnly: true });

    expect(output).toContain('FailedScheduling');
    expect(output).not.toContain('SuccessfulCreate');
    expect(output).not.toMatch(/\sNormal\s/);
  });
});

describe('nodes', () => {
  it('shows MemoryPressure on sandbox-worker3 and sandbox-worker4 NotReady', async () => {
    const output = await text(listNodes, {});

    expect(output.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+PRESSURE\s+CPU REQ\s+MEM REQ/);
    expect(rowOf(output, 'sandbox-worker3')).toMatch(/^sandbox-worker3\s+Ready\s+MemoryPressure\s/);
    expect(rowOf(output, 'sandbox-worker4')).toMatch(
      /^sandbox-worker4\s+NotReady \(NodeStatusUnknown\)\s/,
    );
    expect(rowOf(output, 'sandbox-worker')).toMatch(/^sandbox-worker\s+Ready\s+-\s/);
    expect(output).toContain('conditions needing attention:');
    expect(output).toContain('sandbox-worker4: Ready=Unknown');
  });
});

describe('top', () => {
  it("shows a namespace's pods with their CPU and memory", async () => {
    const pods = await podNames('shop');

    const output = await text(top, { namespace: 'shop' });

    expect(output.split('\n')[0]).toMatch(/^POD\s+CPU\s+MEMORY$/);
    for (const pod of pods) expect(rowOf(output, pod)).toMatch(/\s\d+m\s+\d+(\.\d+)?[KMG]i$/);
    expect(rowOf(output, pods.find((p) => p.startsWith('cart-')) ?? '')).toMatch(/140Mi$/);
  });

  it('shows the nodes, highest memory first, when no namespace is given', async () => {
    const output = await text(top, {});

    const lines = output.split('\n');
    expect(lines[0]).toMatch(/^NODE\s+CPU\s+MEMORY$/);
    expect(lines[1]).toMatch(/^sandbox-worker3\s/);
    expect(lines).toHaveLength(6);
  });
});

describe('rollout_status', () => {
  it('reports the failed rollout of orders-api with both revisions and their images', async () => {
    const output = await text(rolloutStatus, { namespace: 'orders', name: 'orders-api' });

    expect(output.split('\n')[0]).toMatch(
      /^deployment orders-api at revision 2: rollout FAILED: ReplicaSet "orders-api-\S+" has timed out progressing\. \(3 wanted/,
    );
    expect(output).toMatch(
      /\n2 \(current\)\s+orders-api-\S+\s+ghcr\.io\/example\/orders-api:1\.5\.0\s+\d\/\d\s+release 1\.5\.0/,
    );
    expect(output).toMatch(
      /\n1\s+orders-api-\S+\s+ghcr\.io\/example\/orders-api:1\.4\.0\s+3\/3\s+release 1\.4\.0/,
    );
  });
});

describe('get', () => {
  it('gets a deployment as YAML with env values, managed fields and last-applied left out', async () => {
    await sandbox.cluster.apps.patchNamespacedDeployment(
      {
        namespace: 'payments',
        name: 'payments-api',
        fieldManager: 'kubectl-client-side-apply',
        body: {
          metadata: {
            annotations: {
              'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({
                env: [{ name: 'DB_PASSWORD', value: PASSWORD }],
              }),
              'team.example.com/owner': 'payments',
            },
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const live = await sandbox.cluster.apps.readNamespacedDeployment({
      namespace: 'payments',
      name: 'payments-api',
    });

    const output = await text(getObjects, {
      kind: 'Deployment',
      namespace: 'payments',
      name: 'payments-api',
    });

    expect(live.metadata?.managedFields?.length).toBeGreaterThan(0);
    expect(JSON.stringify(live)).toContain(PASSWORD);
    const object = parse(output);
    expect(object.kind).toBe('Deployment');
    expect(object.metadata.name).toBe('payments-api');
    expect(object.metadata.annotations['team.example.com/owner']).toBe('payments');
    expect(object.metadata.annotations).not.toHaveProperty(
      'kubectl.kubernetes.io/last-applied-configuration',
    );
    expect(object.metadata).not.toHaveProperty('managedFields');
    expect(object.spec.template.spec.containers[0].env).toEqual([
      { name: 'DB_PASSWORD', value: '[redacted]' },
      { name: 'JAVA_OPTS', value: '[redacted]' },
    ]);
    expect(object.status.replicas).toBe(2);
    expect(output).not.toContain(PASSWORD);
  });

  it('refuses to read a Secret', async () => {
    const message = await error(getObjects, { kind: 'Secret', namespace: 'payments', name: 'db' });

    expect(message).toBe('Secrets are never read: their values must not reach chat or a model');
  });

  it('lists Argo CD Applications by kind alone', async () => {
    const output = await text(getObjects, { kind: 'Application', namespace: 'argocd' });

    const lines = output.split('\n');
    expect(lines[0]).toMatch(/^NAMESPACE\s+NAME\s+AGE$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2))).toEqual([
      ['argocd', 'shop'],
      ['argocd', 'storefront'],
    ]);
  });

  it('asks for the apiVersion of a kind it does not know', async () => {
    const message = await error(getObjects, { kind: 'Widget', namespace: 'shop' });

    expect(message).toBe('give the apiVersion of Widget (e.g. example.com/v1)');
  });
});

describe('failures', () => {
  it('says not found for an object that does not exist', async () => {
    const fromGet = await error(getObjects, {
      kind: 'Deployment',
      namespace: 'payments',
      name: 'no-such-api',
    });
    const fromDescribe = await error(describeObject, {
      kind: 'pod',
      namespace: 'payments',
      name: 'no-such-pod',
    });
    const fromRollout = await error(rolloutStatus, { namespace: 'orders', name: 'no-such-api' });

    expect(fromGet).toBe('not found: Deployment no-such-api does not exist in namespace payments');
    expect(fromDescribe).toBe('not found: pod no-such-pod does not exist in namespace payments');
    expect(fromRollout).toBe(
      'not found: deployment no-such-api does not exist in namespace orders',
    );
  });

  it('refuses invalid input, naming the field, without calling the cluster', async () => {
    sandbox.resetRequests();

    const badNamespace = await error(listPods, { namespace: 'Payments_Prod' });
    const badTail = await error(podLogs, { namespace: 'payments', pod: 'x', tail: 100_000 });
    const badKind = await error(describeObject, { kind: 'service', name: 'x', namespace: 'shop' });

    expect(badNamespace).toBe('invalid input for list_pods: namespace: must be a namespace name');
    expect(badTail).toMatch(/^invalid input for pod_logs: tail: /);
    expect(badKind).toMatch(/^invalid input for describe: kind: /);
    expect(sandbox.requests).toEqual([]);
  });
});

describe('output bounds', () => {
  it('cuts output beyond MAX_OUTPUT and says how to narrow the request', async () => {
    const data = Object.fromEntries(
      Array.from({ length: 1500 }, (_, i) => [`setting-${i}`, `value-${i}`]),
    );
    await sandbox.cluster.core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'many-settings' }, data },
    });

    const output = await text(getObjects, {
      kind: 'ConfigMap',
      namespace: 'default',
      name: 'many-settings',
    });

    const note = NOTE.exec(output)?.[0] ?? '';
    expect(note).not.toBe('');
    expect(output.length - note.length).toBeLessThanOrEqual(MAX_OUTPUT);
    expect(output).toContain('setting-0: value-0');
    expect(output).not.toContain('setting-999: value-999');
  });

  it('keeps every read tool within MAX_OUTPUT plus the note', async () => {
    const [pod = ''] = await podNames('payments');
    const calls: [AnyTool, unknown][] = [
      [listPods, {}],
      [describeObject, { kind: 'node', name: 'sandbox-worker3' }],
      [describeObject, { kind: 'deployment', namespace: 'orders', name: 'orders-api' }],
      [podLogs, { namespace: 'payments', pod, tail: 500 }],
      [listEvents, { namespace: 'payments' }],
      [listNodes, {}],
      [top, {}],
      [rolloutStatus, { namespace: 'orders', name: 'orders-api' }],
      [getObjects, { kind: 'Pod' }],
      [getObjects, { kind: 'ConfigMap', namespace: 'default', name: 'many-settings' }],
    ];

    const outputs = await Promise.all(calls.map(([tool, input]) => text(tool, input)));

    for (const output of outputs) {
      const note = NOTE.exec(output)?.[0] ?? '';
      expect(output.length - note.length).toBeLessThanOrEqual(MAX_OUTPUT);
    }
  });
});

describe('a cluster without metrics-server, where the bot may not list pods in payments', () => {
  const restricted = useSandbox(['oom-crashloop'], {
    metrics: false,
    deny: [{ verb: 'list', resource: 'pods', namespace: 'payments' }],
  });

  it('says top needs metrics-server, for pods and for nodes', async () => {
    const forPods = await error(top, { namespace: 'kube-system' }, restricted);
    const forNodes = await error(top, {}, restricted);

    expect(forPods).toBe(
      'metrics are not available in cluster sandbox: the metrics API (metrics.k8s.io, served by metrics-server) is not installed',
    );
    expect(forNodes).toBe(forPods);
  });

  it("says which permission the bot's service account lacks", async () => {
    const message = await error(listPods, { namespace: 'payments' }, restricted);
    const elsewhere = await text(listPods, { namespace: 'kube-system' }, restricted);

    expect(message).toBe(
      "forbidden: the bot's service account cannot list pods in namespace payments",
    );
    expect(elsewhere).toMatch(/^\d+ pods in kube-system/);
  });
});
