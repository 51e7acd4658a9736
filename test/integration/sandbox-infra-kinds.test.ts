import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runKubectl } from '../support/kubectl.ts';
import { eventually, type TestSandbox, useSandbox } from '../support/sandbox.ts';

/**
 * Services, Endpoints and EndpointSlices, volumes and quotas on the sandbox, through the real
 * kubectl (what a person sees) and the client library (what the bot reads).
 */
const cacheDir = mkdtempSync(join(tmpdir(), 'coxswain-kubectl-cache-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

type Json = Record<string, unknown>;

function kubectlOn(sandbox: TestSandbox) {
  return (args: string[], input = '') =>
    runKubectl({ kubeconfig: sandbox.kubeconfig, cacheDir }, args, input);
}

function yaml(...objects: Json[]): string {
  return objects.map((o) => stringify(o)).join('---\n');
}

/** Namespaces are applied: `kubectl create namespace` sends protobuf, which the sandbox does not read. */
function namespace(name: string): string {
  return yaml({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

const FRONTEND_IMAGE = 'ghcr.io/example/shop-frontend:3.2.1';

/** A pod's metadata and spec, as a workload's template holds them. */
function template(name: string, namespace: string): Json {
  const { metadata, spec } = pod(name, namespace);
  return { metadata, spec };
}

function pod(name: string, namespace: string, extra: Json = {}, labels = { app: name }): Json {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: {
      containers: [
        {
          name: 'app',
          image: FRONTEND_IMAGE,
          ports: [{ name: 'http', containerPort: 8080 }],
          resources: { requests: { cpu: '100m' }, limits: { cpu: '200m' } },
        },
      ],
      ...extra,
    },
  };
}

describe('services and endpoints', () => {
  const sandbox = useSandbox(['healthy']);
  const kubectl = kubectlOn(sandbox);

  it('allocates a cluster IP and defaults the spec as the API server does', async () => {
    await kubectl(['apply', '-f', '-'], namespace('net'));
    const applied = await kubectl(
      ['apply', '-f', '-'],
      yaml({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'api', namespace: 'net' },
        spec: { selector: { app: 'api' }, ports: [{ port: 80 }] },
      }),
    );

    const service = await sandbox.cluster.core.readNamespacedService({
      name: 'api',
      namespace: 'net',
    });

    expect(applied.code, applied.stderr).toBe(0);
    expect(service.spec?.clusterIP).toMatch(/^10\.(9[6-9]|10\d|11[01])\.\d+\.\d+$/);
    expect(service.spec?.clusterIPs).toEqual([service.spec?.clusterIP]);
    expect(service.spec).toMatchObject({
      type: 'ClusterIP',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }],
    });
  });

  it('refuses a cluster IP already in use, keeps headless services headless, and gives node ports', async () => {
    const taken = await kubectl(
      ['apply', '-f', '-'],
      yaml({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'copy', namespace: 'net' },
        spec: { clusterIP: '10.96.14.20', ports: [{ port: 80 }] },
      }),
    );
    const applied = await kubectl(
      ['apply', '-f', '-'],
      yaml(
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'headless', namespace: 'net' },
          spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432 }] },
        },
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'edge', namespace: 'net' },
          spec: { type: 'NodePort', selector: { app: 'edge' }, ports: [{ port: 80 }] },
        },
      ),
    );
    const headless = await sandbox.cluster.core.readNamespacedService({
      name: 'headless',
      namespace: 'net',
    });
    const edge = await sandbox.cluster.core.readNamespacedService({
      name: 'edge',
      namespace: 'net',
    });
    const nodePort = edge.spec?.ports?.[0]?.nodePort ?? 0;
    const listed = await kubectl(['get', 'svc', 'edge', '-n', 'net']);

    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain(
      'The Service "copy" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.14.20"}: failed to allocate IP 10.96.14.20: provided IP is already allocated',
    );
    expect(applied.code, applied.stderr).toBe(0);
    expect(headless.spec?.clusterIP).toBe('None');
    expect(headless.spec?.clusterIPs).toEqual(['None']);
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    expect(nodePort).toBeLessThanOrEqual(32767);
    expect(edge.spec?.externalTrafficPolicy).toBe('Cluster');
    expect(listed.stdout).toContain(`80:${nodePort}/TCP`);
  });

  it('lists the ready pods a service selects as its endpoints, in kubectl and in its slice', async () => {
    const endpoints = await sandbox.cluster.core.readNamespacedEndpoints({
      name: 'frontend',
      namespace: 'shop',
    });
    const pods = await sandbox.cluster.core.listNamespacedPod({
      namespace: 'shop',
      labelSelector: 'app=frontend',
    });
    const subset = endpoints.subsets?.[0];
    const got = await kubectl(['get', 'endpoints', 'frontend', '-n', 'shop']);
    const described = await kubectl(['describe', 'svc', 'frontend', '-n', 'shop']);
    const slices = await kubectl([
      'get',
      'endpointslices',
      '-n',
      'shop',
      '-l',
      'kubernetes.io/service-name=frontend',
      '-o',
      'json',
    ]);
    const slice = (JSON.parse(slices.stdout) as { items: Json[] }).items[0] as Json;

    expect(subset?.ports).toEqual([{ port: 8080, protocol: 'TCP' }]);
    expect(subset?.addresses?.map((a) => a.targetRef?.name).sort()).toEqual(
      pods.items.map((p) => p.metadata?.name).sort(),
    );
    expect(subset?.addresses?.every((a) => a.nodeName?.startsWith('sandbox-worker'))).toBe(true);
    expect(got.stdout).toMatch(/frontend\s+(\d+\.\d+\.\d+\.\d+:8080,?){3}\s/);
    expect(described.stdout).toMatch(/Endpoints:\s+\d+\.\d+\.\d+\.\d+:8080,/);
    expect(slice).toMatchObject({
      addressType: 'IPv4',
      ports: [{ name: '', port: 8080, protocol: 'TCP' }],
      metadata: {
        labels: {
          'kubernetes.io/service-name': 'frontend',
          'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
        },
      },
    });
    expect(slice.endpoints).toHaveLength(3);
    expect((slice.endpoints as Json[])[0]).toMatchObject({
      conditions: { ready: true, serving: true, terminating: false },
      targetRef: { kind: 'Pod', namespace: 'shop' },
    });
  });

  it('resolves named target ports, follows the pods it selects, and has no subsets for none', async () => {
    const applied = await kubectl(
      ['apply', '-f', '-'],
      yaml(
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'web', namespace: 'net' },
          spec: {
            selector: { app: 'web' },
            ports: [{ name: 'http', port: 80, targetPort: 'http' }],
          },
        },
        pod('web-1', 'net', {}, { app: 'web' }),
      ),
    );

    const ready = await eventually(async () => {
      const ep = await sandbox.cluster.core.readNamespacedEndpoints({
        name: 'web',
        namespace: 'net',
      });
      return ep.subsets?.[0]?.addresses?.length === 1 ? ep : undefined;
    });
    const deleted = await kubectl(['delete', 'pod', 'web-1', '-n', 'net', '--grace-period=0']);
    const empty = await eventually(async () => {
      const ep = await sandbox.cluster.core.readNamespacedEndpoints({
        name: 'web',
        namespace: 'net',
      });
      return ep.subsets === undefined ? ep : undefined;
    });
    const none = await kubectl(['get', 'ep', 'api', '-n', 'net']);
    await kubectl(['delete', 'svc', 'web', '-n', 'net']);
    const gone = await eventually(async () => {
      const left = await kubectl(['get', 'ep,endpointslices', '-n', 'net', '-o', 'name']);
      return left.stdout.includes('web') ? undefined : left.stdout;
    });

    expect(applied.code, applied.stderr).toBe(0);
    expect(ready.subsets?.[0]?.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(ready.subsets?.[0]?.addresses?.[0]?.targetRef?.name).toBe('web-1');
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(empty.metadata?.name).toBe('web');
    expect(none.stdout).toMatch(/api\s+<none>\s/);
    expect(gone).toContain('endpoints/api');
  });
});

describe('volumes', () => {
  const sandbox = useSandbox(['healthy']);
  const kubectl = kubectlOn(sandbox);
  const claim = (name: string, extra: Json = {}): Json => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'store' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } }, ...extra },
  });

  it('gives a claim the default class, which waits for its first consumer, then binds a provisioned volume', async () => {
    await kubectl(['apply', '-f', '-'], namespace('store'));
    await kubectl(['apply', '-f', '-'], yaml(claim('data')));

    const waiting = await eventually(async () => {
      const events = await kubectl([
        'get',
        'events',
        '-n',
        'store',
        '--field-selector',
        'involvedObject.name=data',
      ]);
      return events.stdout.includes('WaitForFirstConsumer') ? events.stdout : undefined;
    });
    const pending = await sandbox.cluster.core.readNamespacedPersistentVolumeClaim({
      name: 'data',
      namespace: 'store',
    });
    await kubectl(
      ['apply', '-f', '-'],
      yaml(
        pod('db', 'store', {
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
        }),
      ),
    );
    const bound = await eventually(async () => {
      const c = await sandbox.cluster.core.readNamespacedPersistentVolumeClaim({
        name: 'data',
        namespace: 'store',
      });
      return c.status?.phase === 'Bound' ? c : undefined;
    });
    const volume = await sandbox.cluster.core.readPersistentVolume({
      name: bound.spec?.volumeName ?? '',
    });
    const scheduled = await eventually(async () => {
      const p = await sandbox.cluster.core.readNamespacedPod({ name: 'db', namespace: 'store' });
      return p.spec?.nodeName;
    });
    const described = await kubectl(['describe', 'pvc', 'data', '-n', 'store']);
    const listed = await kubectl(['get', 'pvc', 'data', '-n', 'store']);

    expect(waiting).toContain('waiting for first consumer to be created before binding');
    expect(pending.spec?.storageClassName).toBe('standard');
    expect(pending.status?.phase).toBe('Pending');
    expect(bound.spec?.volumeName).toBe(`pvc-${bound.metadata?.uid}`);
    expect(bound.metadata?.annotations?.['pv.kubernetes.io/bind-completed']).toBe('yes');
    expect(bound.status?.capacity).toEqual({ storage: '2Gi' });
    expect(volume.status?.phase).toBe('Bound');
    expect(volume.spec?.claimRef).toMatchObject({
      name: 'data',
      namespace: 'store',
      uid: bound.metadata?.uid,
    });
    expect(volume.spec?.accessModes).toEqual(['ReadWriteOnce']);
    expect(scheduled).toMatch(/^sandbox-worker/);
    expect(described.stdout).toContain(
      'External provisioner is provisioning volume for claim "store/data"',
    );
    expect(described.stdout).toContain(
      `Successfully provisioned volume pvc-${bound.metadata?.uid}`,
    );
    expect(listed.stdout).toMatch(/data\s+Bound\s+pvc-\S+\s+2Gi\s+RWO\s+standard\s/);
  });

  it('binds an immediate class at once, and holds a pod whose claim cannot bind', async () => {
    await kubectl(
      ['apply', '-f', '-'],
      yaml(
        {
          apiVersion: 'storage.k8s.io/v1',
          kind: 'StorageClass',
          metadata: { name: 'fast' },
          provisioner: 'ebs.csi.aws.com',
          volumeBindingMode: 'Immediate',
        },
        claim('fast-data', { storageClassName: 'fast' }),
        claim('lost', { storageClassName: 'missing' }),
        pod('stuck', 'store', {
          volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'lost' } }],
        }),
      ),
    );

    const fast = await eventually(async () => {
      const c = await sandbox.cluster.core.readNamespacedPersistentVolumeClaim({
        name: 'fast-data',
        namespace: 'store',
      });
      return c.status?.phase === 'Bound' ? c : undefined;
    });
    const stuck = await eventually(async () => {
      const p = await sandbox.cluster.core.readNamespacedPod({ name: 'stuck', namespace: 'store' });
      return p.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    });

    expect(fast.spec?.volumeName).toBe(`pvc-${fast.metadata?.uid}`);
    expect(stuck.reason).toBe('Unschedulable');
    expect(stuck.message).toBe(
      '0/4 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.',
    );
  });
});

describe('a cluster without a default StorageClass', () => {
  const sandbox = useSandbox(['pvc-pending']);
  const kubectl = kubectlOn(sandbox);

  it('leaves the claim Pending with the controller event, and its pod unschedulable', async () => {
    const classes = await kubectl(['get', 'storageclass']);
    const claim = await sandbox.cluster.core.readNamespacedPersistentVolumeClaim({
      name: 'ledger-data',
      namespace: 'finance',
    });
    const events = await kubectl(['get', 'events', '-n', 'finance']);

    expect(classes.stderr).toContain('No resources found');
    expect(claim.status?.phase).toBe('Pending');
    expect(claim.spec?.storageClassName).toBeUndefined();
    expect(events.stdout).toMatch(
      /FailedBinding\s+persistentvolumeclaim\/ledger-data\s+no persistent volumes available for this claim and no storage class is set/,
    );
    expect(events.stdout).toContain(
      '0/4 nodes are available: pod has unbound immediate PersistentVolumeClaims.',
    );
  });
});

describe('resource quotas', () => {
  const sandbox = useSandbox(['healthy']);
  const kubectl = kubectlOn(sandbox);

  it('counts usage, refuses what goes beyond it, and tells a ReplicaSet why', async () => {
    await kubectl(['apply', '-f', '-'], namespace('team'));
    await kubectl(
      ['apply', '-f', '-'],
      yaml({
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        metadata: { name: 'q', namespace: 'team' },
        spec: { hard: { pods: '2', 'requests.cpu': '1', 'limits.cpu': '2', services: '5' } },
      }),
    );

    const bare = await kubectl(
      ['apply', '-f', '-'],
      yaml({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'bare', namespace: 'team' },
        spec: { containers: [{ name: 'app', image: FRONTEND_IMAGE }] },
      }),
    );
    await kubectl(
      ['apply', '-f', '-'],
      yaml({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'api', namespace: 'team' },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'api' } },
          template: template('api', 'team'),
        },
      }),
    );
    const refused = await eventually(async () => {
      const events = await kubectl([
        'get',
        'events',
        '-n',
        'team',
        '--field-selector',
        'reason=FailedCreate',
      ]);
      return events.stdout.includes('exceeded quota') ? events.stdout : undefined;
    });
    const third = await kubectl(['apply', '-f', '-'], yaml(pod('extra', 'team')));
    const quota = await eventually(async () => {
      const q = await sandbox.cluster.core.readNamespacedResourceQuota({
        name: 'q',
        namespace: 'team',
      });
      return q.status?.used?.pods === '2' ? q : undefined;
    });
    const listed = await kubectl(['get', 'quota', '-n', 'team']);
    const deployment = await eventually(async () => {
      const d = await sandbox.cluster.apps.readNamespacedDeployment({
        name: 'api',
        namespace: 'team',
      });
      return d.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
    });

    expect(bare.code).toBe(1);
    expect(bare.stderr).toContain(
      'pods "bare" is forbidden: failed quota: q: must specify limits.cpu for: app; requests.cpu for: app',
    );
    expect(refused).toMatch(
      /Error creating: pods "api-[a-z0-9]+-" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2/,
    );
    expect(third.code).toBe(1);
    expect(third.stderr).toContain(
      'pods "extra" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2',
    );
    expect(quota.status?.hard).toEqual({
      pods: '2',
      'requests.cpu': '1',
      'limits.cpu': '2',
      services: '5',
    });
    expect(quota.status?.used).toEqual({
      pods: '2',
      'requests.cpu': '200m',
      'limits.cpu': '400m',
      services: '0',
    });
    expect(deployment).toMatchObject({ status: 'True', reason: 'FailedCreate' });
    expect(deployment.message).toMatch(/^pods "api-[a-z0-9]+-" is forbidden: exceeded quota: q,/);
    expect(listed.stdout).toMatch(
      /q\s+\S+\s+pods: 2\/2, requests.cpu: 200m\/1, services: 0\/5\s+limits.cpu: 400m\/2/,
    );
  });
  it("fills a pod's missing requests and limits from the namespace's LimitRange before the quota", async () => {
    await kubectl(['apply', '-f', '-'], namespace('limited'));
    await kubectl(
      ['apply', '-f', '-'],
      yaml(
        {
          apiVersion: 'v1',
          kind: 'LimitRange',
          metadata: { name: 'defaults', namespace: 'limited' },
          spec: { limits: [{ type: 'Container', default: { cpu: '300m', memory: '256Mi' } }] },
        },
        {
          apiVersion: 'v1',
          kind: 'ResourceQuota',
          metadata: { name: 'compute', namespace: 'limited' },
          spec: { hard: { 'requests.cpu': '2', 'limits.cpu': '2' } },
        },
      ),
    );

    const applied = await kubectl(
      ['apply', '-f', '-'],
      yaml({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'plain', namespace: 'limited' },
        spec: { containers: [{ name: 'app', image: FRONTEND_IMAGE }] },
      }),
    );
    const created = await sandbox.cluster.core.readNamespacedPod({
      name: 'plain',
      namespace: 'limited',
    });

    expect(applied.code, applied.stderr).toBe(0);
    expect(created.spec?.containers[0]?.resources).toEqual({
      requests: { cpu: '300m', memory: '256Mi' },
      limits: { cpu: '300m', memory: '256Mi' },
    });
    expect(created.metadata?.annotations?.['kubernetes.io/limit-ranger']).toBe(
      'LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app',
    );
  });
});
