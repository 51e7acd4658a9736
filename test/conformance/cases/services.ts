import type { Case, Step } from '../case.ts';
import { stream } from './manifests.ts';

/** Leases, Services and their Endpoints, PersistentVolumeClaims and ResourceQuota admission. */
const NS = 'net';
const QUOTA_NS = 'quota';

const service = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: NS },
  spec: { ports: [{ port: 80 }], ...spec },
});

const pod = (name: string, namespace: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace },
  // Away from the node the operations table drains: a bare pod would stop the drain.
  spec: {
    nodeSelector: { 'kubernetes.io/hostname': 'sandbox-worker' },
    containers: [{ name: 'app', image: 'nginx:1.27' }],
    ...spec,
  },
});

const withCpu = (name: string) =>
  pod(name, QUOTA_NS, {
    containers: [
      {
        name: 'app',
        image: 'nginx:1.27',
        resources: { requests: { cpu: '100m' }, limits: { cpu: '200m' } },
      },
    ],
  });

export const SERVICE_SETUP: readonly Step[] = [
  ['create', 'namespace', NS],
  ['create', 'namespace', QUOTA_NS],
  {
    kubectl: ['apply', '-f', '-'],
    stdin: stream(
      {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: 'stale', namespace: NS },
        spec: { holderIdentity: 'one', leaseDurationSeconds: 15 },
      },
      service('original', { selector: { app: 'original' } }),
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'data', namespace: NS },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      },
      {
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        metadata: { name: 'q', namespace: QUOTA_NS },
        spec: { hard: { pods: '2', 'requests.cpu': '2', 'limits.cpu': '4' } },
      },
    ),
  },
];

export const SERVICES: readonly Case[] = [
  {
    request: {
      method: 'PUT',
      path: `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/stale`,
      body: {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: 'stale', namespace: NS, resourceVersion: '1' },
        spec: { holderIdentity: 'two', leaseDurationSeconds: 15 },
      },
    },
    real: '409 Conflict: the object has been modified',
    expect: {
      exit: 409,
      out: /Operation cannot be fulfilled on leases\.coordination\.k8s\.io \\"stale\\": the object has been modified; please apply your changes to the latest version and try again/,
    },
  },
  {
    kubectl: ['get', 'lease', '-n', 'kube-node-lease'],
    real: 'one lease a node, HOLDER the node',
    expect: {
      exit: 0,
      out: /NAME\s+HOLDER\s+AGE\n(?:sandbox-\S+\s+sandbox-\S+\s+\S+\n){4}$/,
    },
  },
  {
    kubectl: ['get', 'lease', 'sandbox-worker', '-n', 'kube-node-lease'],
    real: "the worker's own lease",
    expect: { exit: 0, out: /^sandbox-worker\s+sandbox-worker\s/m },
  },
  {
    kubectl: ['describe', 'node', 'sandbox-worker'],
    real: "the node's lease and its holder",
    expect: { exit: 0, out: /Lease:\s*\n\s+HolderIdentity:\s+sandbox-worker\n/ },
  },
  {
    kubectl: ['apply', '-f', '-'],
    stdin: JSON.stringify(service('plain', { selector: { app: 'plain' } })),
    real: 'service/plain created',
    expect: { exit: 0, out: /^service\/plain created$/m },
  },
  {
    kubectl: [
      'get',
      'svc',
      'plain',
      '-n',
      NS,
      '-o',
      'jsonpath={.spec.clusterIP} {.spec.ipFamilies} {.spec.ipFamilyPolicy} {.spec.sessionAffinity} {.spec.ports[0].targetPort} {.spec.ports[0].protocol}',
    ],
    real: 'defaults: a cluster IP in 10.96.0.0/12, IPv4 SingleStack, no affinity, targetPort = port, TCP',
    expect: {
      exit: 0,
      out: /^10\.(?:9[6-9]|10\d|11[01])\.\d+\.\d+ \["IPv4"\] SingleStack None 80 TCP$/,
    },
  },
  {
    kubectl: ['apply', '-f', '-'],
    stdin: JSON.stringify(service('copy', { clusterIP: '10.96.14.20' })),
    real: "the cluster IP is shop/frontend's: invalid, failed to allocate",
    expect: {
      exit: 1,
      err: /The Service "copy" is invalid: spec\.clusterIPs: Invalid value: \[\]string\{"10\.96\.14\.20"\}: failed to allocate IP 10\.96\.14\.20: provided IP is already allocated/,
    },
  },
  {
    before: [
      {
        kubectl: ['apply', '-f', '-'],
        stdin: JSON.stringify(service('exposed', { type: 'NodePort', selector: { app: 'x' } })),
      },
    ],
    kubectl: ['get', 'svc', 'exposed', '-n', NS],
    real: 'TYPE NodePort, PORT(S) 80 and a node port from 30000-32767',
    expect: { exit: 0, out: /^exposed\s+NodePort\s+10\.\S+\s+<none>\s+80:3\d{4}\/TCP\s/m },
  },
  {
    kubectl: ['get', 'endpoints', 'frontend', '-n', 'shop'],
    real: "the ready pods' IP:port",
    expect: { exit: 0, out: /^frontend\s+10\.244\.\d+\.\d+:8080(?:,10\.244\.\d+\.\d+:8080)*/m },
  },
  {
    kubectl: ['describe', 'svc', 'frontend', '-n', 'shop'],
    real: 'Endpoints: the same addresses',
    expect: { exit: 0, out: /^Endpoints:\s+10\.244\.\d+\.\d+:8080/m },
  },
  {
    kubectl: ['get', 'ep', 'original', '-n', NS],
    real: 'a Service that selects no pod: ENDPOINTS <none>',
    expect: { exit: 0, out: /^original\s+<none>\s/m },
  },
  {
    kubectl: [
      'get',
      'pvc',
      'data',
      '-n',
      NS,
      '-o',
      'jsonpath={.spec.storageClassName} {.status.phase}',
    ],
    real: 'the default StorageClass, standard; Pending until a pod uses it',
    expect: { exit: 0, out: /^standard Pending$/ },
  },
  {
    kubectl: ['get', 'events', '-n', NS, '--field-selector', 'involvedObject.name=data'],
    real: 'WaitForFirstConsumer: waiting for first consumer to be created before binding',
    expect: {
      exit: 0,
      out: /WaitForFirstConsumer\s+persistentvolumeclaim\/data\s+waiting for first consumer to be created before binding/,
    },
  },
  {
    before: [
      {
        kubectl: ['apply', '-f', '-'],
        stdin: JSON.stringify(
          pod('consumer', NS, {
            containers: [
              {
                name: 'app',
                image: 'nginx:1.27',
                volumeMounts: [{ name: 'data', mountPath: '/data' }],
              },
            ],
            volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
          }),
        ),
      },
    ],
    kubectl: ['get', 'pvc', 'data', '-n', NS],
    real: 'a pod uses the claim: STATUS Bound to a new volume',
    expect: { exit: 0, out: /^data\s+Bound\s+pvc-\S+\s+1Gi\s+RWO\s+standard\s/m },
    within: 10,
  },
  {
    kubectl: ['apply', '-f', '-'],
    stdin: JSON.stringify(pod('bare', QUOTA_NS)),
    real: '403: a compute quota needs cpu limits and requests',
    expect: {
      exit: 1,
      err: /pods "bare" is forbidden: failed quota: q: must specify limits\.cpu for: app; requests\.cpu for: app/,
    },
  },
  {
    before: [{ kubectl: ['apply', '-f', '-'], stdin: stream(withCpu('one'), withCpu('two')) }],
    kubectl: ['apply', '-f', '-'],
    stdin: JSON.stringify(withCpu('extra')),
    real: '403: the third pod under pods: 2 exceeds the quota',
    expect: {
      exit: 1,
      err: /pods "extra" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2/,
    },
  },
  {
    kubectl: ['apply', '--server-side', '-f', '-'],
    stdin: JSON.stringify(withCpu('applied')),
    real: '403: a server-side apply goes through the same quota admission',
    expect: {
      exit: 1,
      err: /pods "applied" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2/,
    },
  },
  {
    kubectl: ['get', 'quota', '-n', QUOTA_NS],
    real: 'REQUEST with used/hard for each resource',
    expect: { exit: 0, out: /^q\s+\S+\s+.*pods: 2\/2/m },
  },
];
