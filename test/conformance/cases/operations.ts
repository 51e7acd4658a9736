import type { Case, Step } from '../case.ts';
import { stream, workload } from './manifests.ts';

/**
 * What an engineer runs during an incident: watches, followed logs, paused rollouts, namespace
 * deletion, finalizers, orphaning deletes, cordon, disruption budgets and drain. Drain empties a
 * node, so this table runs last; bare pods are pinned away from the drained node.
 */
const NS = 'ops';
const DRAINED = 'sandbox-worker3';

const pod = (name: string, namespace: string, spec: Record<string, unknown>, labels = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels },
  spec: { containers: [{ name: 'app', image: 'nginx:1.27' }], ...spec },
});

const held = (namespace: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'held', namespace, finalizers: ['example.com/hold'] },
});

const RELEASE = ['--type=merge', '-p', '{"metadata":{"finalizers":null}}'];

export const OPERATION_SETUP: readonly Step[] = [
  ['create', 'namespace', NS],
  ['create', 'namespace', 'doomed'],
  {
    kubectl: ['apply', '-f', '-'],
    stdin: stream(
      pod('said', NS, {
        nodeName: 'sandbox-worker',
        restartPolicy: 'Never',
        containers: [{ name: 'app', image: 'busybox:1.36', command: ['echo', 'said and done'] }],
      }),
      pod('guarded', NS, { nodeName: 'sandbox-worker2' }, { app: 'guarded' }),
      {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: 'guard', namespace: NS },
        spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } },
      },
      workload('Deployment', 'paused', NS),
      workload('Deployment', 'orphaned', NS),
      held(NS),
      held('doomed'),
    ),
  },
];

export const OPERATIONS: readonly Case[] = [
  {
    kubectl: ['get', 'pods', '-n', 'payments', '-w'],
    stopAfter: 1,
    real: 'the header and a row per pod with its STATUS, and it keeps watching',
    expect: {
      exit: null,
      out: /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\npayments-api-\S+\s+0\/1\s+(?:CrashLoopBackOff|OOMKilled|Running)\s+\d+/,
    },
  },
  {
    kubectl: ['get', 'pods', '-n', NS, '-l', 'app=watched', '-w'],
    stopAfter: 2.5,
    during: [
      {
        delay: 0.5,
        kubectl: ['run', 'watched', '-n', NS, '--image=nginx:1.27', '--labels=app=watched'],
      },
    ],
    real: 'a full row for each change of a pod created while watching: Pending, then Running',
    expect: {
      exit: null,
      out: /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nwatched\s+0\/1\s+Pending\s+0\s+0s\n[\s\S]*^watched\s+1\/1\s+Running\s+0\s/m,
    },
  },
  {
    kubectl: ['logs', '-f', 'deploy/frontend', '-n', 'shop'],
    stopAfter: 1,
    real: 'the log so far, and it stays open for new lines',
    expect: { exit: null, out: /"path":"\/"/ },
  },
  {
    kubectl: ['logs', '-f', 'said', '-n', NS],
    real: 'a container that has ended: its output, and the follow ends with it',
    expect: { exit: 0, out: /^said and done\n$/ },
  },
  {
    kubectl: ['exec', 'guarded', '-n', NS, '--', 'echo', 'hi'],
    real: 'the command runs in the container (over WebSocket, v5.channel.k8s.io) and prints hi',
    expect: { exit: 0, out: /^hi\n$/ },
  },
  {
    kubectl: ['exec', 'guarded', '-n', NS, '--', 'sh', '-c', 'exit 3'],
    real: 'the command exit code is kubectl exit code, and it says so',
    expect: { exit: 3, err: /^command terminated with exit code 3$/m },
  },
  {
    kubectl: [
      'run',
      'once',
      '-n',
      NS,
      '-i',
      '--rm',
      '--image=busybox:1.36',
      '--restart=Never',
      '--',
      'echo',
      'hi',
    ],
    real: 'attached: the output, then the pod is deleted',
    expect: { exit: 0, out: /^hi\npod "once" deleted/m },
  },
  {
    kubectl: ['rollout', 'pause', 'deploy/paused', '-n', NS],
    real: 'deployment.apps/paused paused',
    expect: { exit: 0, out: /^deployment\.apps\/paused paused$/m },
  },
  {
    kubectl: ['rollout', 'restart', 'deploy/paused', '-n', NS],
    real: 'refused while paused',
    expect: {
      exit: 1,
      err: /error: deployments\.apps "paused" can't restart paused deployment \(run rollout resume first\)/,
    },
  },
  {
    kubectl: ['rollout', 'resume', 'deploy/paused', '-n', NS],
    real: 'deployment.apps/paused resumed',
    expect: { exit: 0, out: /^deployment\.apps\/paused resumed$/m },
  },
  {
    before: [['create', 'namespace', 'fresh']],
    kubectl: [
      'get',
      'serviceaccount/default',
      'configmap/kube-root-ca.crt',
      '-n',
      'fresh',
      '-o',
      'name',
    ],
    real: 'a new namespace has its default service account and the root CA',
    expect: { exit: 0, out: /^serviceaccount\/default\nconfigmap\/kube-root-ca\.crt\n$/ },
    within: 5,
  },
  {
    kubectl: ['delete', 'namespace', 'doomed', '--wait=false'],
    real: 'namespace "doomed" deleted',
    expect: { exit: 0, out: /^namespace "doomed" deleted$/m },
  },
  {
    kubectl: ['get', 'namespace', 'doomed'],
    real: 'Terminating while its content (a finalizer here) is not gone',
    expect: { exit: 0, out: /^doomed\s+Terminating\s/m },
  },
  {
    kubectl: ['create', '-f', '-'],
    stdin: JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'late', namespace: 'doomed' },
    }),
    real: 'Forbidden: the namespace is being terminated',
    expect: {
      exit: 1,
      err: /Error from server \(Forbidden\): error when creating "STDIN": configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated/,
    },
  },
  {
    before: [['patch', 'configmap', 'held', '-n', 'doomed', ...RELEASE]],
    kubectl: ['get', 'namespace', 'doomed'],
    real: 'its last finalizer removed: the namespace is gone',
    expect: { exit: 1, err: /namespaces "doomed" not found/ },
    within: 10,
  },
  {
    kubectl: ['delete', 'configmap', 'held', '-n', NS, '--wait=false'],
    real: 'configmap "held" deleted',
    expect: { exit: 0, out: /^configmap "held" deleted$/m },
  },
  {
    kubectl: ['get', 'configmap', 'held', '-n', NS, '-o', 'jsonpath={.metadata.deletionTimestamp}'],
    real: 'still there, with a deletionTimestamp, while it has a finalizer',
    expect: { exit: 0, out: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/ },
  },
  {
    before: [['patch', 'configmap', 'held', '-n', NS, ...RELEASE]],
    kubectl: ['get', 'configmap', 'held', '-n', NS],
    real: 'finalizers removed: gone',
    expect: { exit: 1, err: /configmaps "held" not found/ },
    within: 5,
  },
  {
    kubectl: ['create', '--raw', `/api/v1/namespaces/${NS}/configmaps`, '-f', '-'],
    stdin: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cut"',
    real: "400 in the words of Go's JSON scanner",
    expect: {
      exit: 1,
      err: /Error from server \(BadRequest\): couldn't get version\/kind; json parse error: unexpected end of JSON input/,
    },
  },
  {
    kubectl: ['create', '--raw', '/api/v1/configmaps', '-f', '-'],
    stdin: JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'everywhere', namespace: NS },
    }),
    real: 'MethodNotAllowed: across all namespaces configmaps are only listed and watched',
    expect: {
      exit: 1,
      err: /Error from server \(MethodNotAllowed\): the server does not allow this method on the requested resource/,
    },
  },
  {
    request: { method: 'DELETE', path: '/api/v1/configmaps' },
    real: '405 MethodNotAllowed, and no namespace loses its configmaps',
    expect: { exit: 405, out: /"reason":"MethodNotAllowed","details":\{\},"code":405/ },
  },
  {
    before: [['rollout', 'status', 'deploy/orphaned', '-n', NS, '--timeout=15s']],
    kubectl: ['delete', 'deploy', 'orphaned', '-n', NS, '--cascade=orphan'],
    real: 'deployment.apps "orphaned" deleted',
    expect: { exit: 0, out: /^deployment\.apps "orphaned" deleted$/m },
  },
  {
    kubectl: ['get', 'rs,pods', '-l', 'app=orphaned', '-n', NS, '-o', 'name'],
    real: 'its ReplicaSet and pod stay',
    expect: { exit: 0, out: /^replicaset\.apps\/orphaned-\S+\npod\/orphaned-\S+\n$/ },
  },
  {
    kubectl: ['cordon', 'sandbox-worker2'],
    real: 'node/sandbox-worker2 cordoned',
    expect: { exit: 0, out: /^node\/sandbox-worker2 cordoned$/m },
  },
  {
    kubectl: ['get', 'node', 'sandbox-worker2'],
    real: 'STATUS Ready,SchedulingDisabled',
    expect: { exit: 0, out: /^sandbox-worker2\s+Ready,SchedulingDisabled\s/m },
  },
  {
    kubectl: ['uncordon', 'sandbox-worker2'],
    real: 'node/sandbox-worker2 uncordoned',
    expect: { exit: 0, out: /^node\/sandbox-worker2 uncordoned$/m },
  },
  {
    before: [
      ['wait', '--for=jsonpath={.status.currentHealthy}=1', 'pdb/guard', '-n', NS, '--timeout=10s'],
    ],
    kubectl: ['get', 'pdb', '-n', NS],
    real: 'MIN AVAILABLE, MAX UNAVAILABLE and ALLOWED DISRUPTIONS',
    expect: {
      exit: 0,
      out: /^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE\nguard\s+1\s+N\/A\s+0\s/,
    },
  },
  {
    request: {
      method: 'POST',
      path: `/api/v1/namespaces/${NS}/pods/guarded/eviction`,
      body: {
        apiVersion: 'policy/v1',
        kind: 'Eviction',
        metadata: { name: 'guarded', namespace: NS },
      },
    },
    real: "429 TooManyRequests: it would violate the pod's disruption budget",
    expect: {
      exit: 429,
      out: /^(?=[\s\S]*"reason":"TooManyRequests")[\s\S]*"message":"Cannot evict pod as it would violate the pod's disruption budget\."/,
    },
  },
  {
    before: [
      {
        kubectl: ['apply', '-f', '-'],
        stdin: JSON.stringify(pod('stray', NS, { nodeName: DRAINED })),
      },
    ],
    kubectl: ['drain', DRAINED, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=20s'],
    real: 'refused: a pod that declares no controller needs --force',
    expect: {
      exit: 1,
      err: /cannot delete Pods that declare no controller \(use --force to override\): ops\/stray/,
    },
  },
  {
    before: [['delete', 'pod', 'stray', 'watched', '-n', NS, '--grace-period=0']],
    kubectl: ['drain', DRAINED, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=20s'],
    real: 'cordoned, each pod evicted, drained',
    expect: {
      exit: 0,
      out: /node\/sandbox-worker3 (?:already )?cordoned[\s\S]*evicting pod [\s\S]*node\/sandbox-worker3 drained/,
    },
  },
  {
    kubectl: ['uncordon', DRAINED],
    real: 'node/sandbox-worker3 uncordoned',
    expect: { exit: 0, out: /^node\/sandbox-worker3 uncordoned$/m },
  },
];
