import type { Case, Step } from '../case.ts';
import { stream, workload } from './manifests.ts';

/**
 * Workloads of any image: Deployments, bare pods that exit, Jobs, CronJobs, StatefulSets,
 * DaemonSets and the autoscaler, all in `workloads` (the DaemonSet in kube-system).
 */
const NS = 'workloads';

const pod = (name: string, restart: string, command: string[]) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: NS },
  // Away from the node the operations table drains: a bare pod would stop the drain.
  spec: {
    nodeSelector: { 'kubernetes.io/hostname': 'sandbox-worker' },
    restartPolicy: restart,
    containers: [{ name: 'main', image: 'busybox:1.36', command }],
  },
});

const job = (name: string, script: string, spec: Record<string, number>) => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, namespace: NS },
  spec: {
    ...spec,
    template: {
      spec: {
        restartPolicy: 'Never',
        containers: [{ name: 'main', image: 'busybox:1.36', command: ['sh', '-c', script] }],
      },
    },
  },
});

const cronJob = {
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'nightly', namespace: NS },
  spec: {
    schedule: '30 2 * * *',
    jobTemplate: {
      spec: {
        template: {
          spec: {
            restartPolicy: 'OnFailure',
            containers: [{ name: 'task', image: 'busybox:1.36', command: ['true'] }],
          },
        },
      },
    },
  },
};

/** A container's state, its last state and restarts, in one line for a regex. */
const STATE =
  'jsonpath={.status.phase} {.status.containerStatuses[0].state.terminated.exitCode} {.status.containerStatuses[0].state.terminated.reason} {.status.containerStatuses[0].restartCount}';

/** Everything but the Deployment, made before the first row so its controllers are done by now. */
export const WORKLOAD_SETUP: readonly Step[] = [
  ['create', 'namespace', NS],
  {
    kubectl: ['apply', '-f', '-'],
    // A stream, not a v1 List: kubectl validates a List against /openapi/v2, which the sandbox
    // does not serve.
    stdin: stream(
      pod('fails', 'Never', ['sh', '-c', 'exit 1']),
      pod('hi', 'Never', ['echo', 'hi']),
      pod('crashes', 'Always', ['false']),
      job('hello', 'echo hello from the job', { completions: 3, parallelism: 2 }),
      job('broken', 'exit 1', { backoffLimit: 0 }),
      cronJob,
      workload('StatefulSet', 'db', NS, {
        image: 'postgres:16',
        spec: { replicas: 2, serviceName: 'db' },
      }),
      workload('DaemonSet', 'agent', 'kube-system', { image: 'fluent/fluent-bit:3.1' }),
    ),
  },
];

export const WORKLOADS: readonly Case[] = [
  {
    kubectl: ['apply', '-f', '-'],
    stdin: JSON.stringify(workload('Deployment', 'web', NS)),
    real: 'deployment.apps/web created',
    expect: { exit: 0, out: /^deployment\.apps\/web created$/m },
  },
  {
    kubectl: ['rollout', 'status', 'deployment/web', '-n', NS, '--timeout=20s'],
    real: 'successfully rolled out',
    expect: { exit: 0, out: /deployment "web" successfully rolled out/ },
  },
  {
    kubectl: ['logs', 'deployment/web', '-n', NS],
    real: "the image's output (the sandbox's: a line saying it stands in for nginx:1.27)",
    expect: { exit: 0, out: /stand-in for image "nginx:1\.27"/ },
  },
  {
    kubectl: ['get', 'pod', 'fails', '-n', NS, '-o', STATE],
    real: 'sh -c "exit 1", restartPolicy Never: Failed, exit code 1, reason Error, no restart',
    expect: { exit: 0, out: /^Failed 1 Error 0$/ },
    within: 10,
  },
  {
    kubectl: ['get', 'pod', 'hi', '-n', NS, '-o', STATE],
    real: 'echo hi, restartPolicy Never: Succeeded, exit code 0, reason Completed',
    expect: { exit: 0, out: /^Succeeded 0 Completed 0$/ },
    within: 10,
  },
  {
    kubectl: ['logs', 'hi', '-n', NS],
    real: "the command's output: hi",
    expect: { exit: 0, out: /^hi\n$/ },
  },
  {
    kubectl: ['get', 'pod', 'crashes', '-n', NS],
    real: 'false, restartPolicy Always: CrashLoopBackOff with restarts',
    expect: { exit: 0, out: /crashes\s+0\/1\s+CrashLoopBackOff\s+[1-9]/ },
    within: 15,
  },
  {
    kubectl: [
      'get',
      'pod',
      'crashes',
      '-n',
      NS,
      '-o',
      'jsonpath={.status.containerStatuses[0].lastState.terminated.exitCode} {.status.containerStatuses[0].lastState.terminated.reason}',
    ],
    real: 'the last run terminated with exit code 1, reason Error',
    expect: { exit: 0, out: /^1 Error$/ },
  },
  {
    kubectl: [
      'get',
      'job',
      'hello',
      '-n',
      NS,
      '-o',
      'jsonpath={.status.succeeded} {.status.conditions[*].type}',
    ],
    real: 'completions 3, parallelism 2: succeeded 3, conditions SuccessCriteriaMet and Complete',
    expect: { exit: 0, out: /^3 SuccessCriteriaMet Complete$/ },
    within: 20,
  },
  {
    kubectl: ['wait', '--for=condition=complete', 'job/hello', '-n', NS, '--timeout=20s'],
    real: 'job.batch/hello condition met',
    expect: { exit: 0, out: /^job\.batch\/hello condition met$/m },
  },
  {
    kubectl: ['get', 'jobs', 'hello', '-n', NS],
    real: 'STATUS Complete, COMPLETIONS 3/3',
    expect: { exit: 0, out: /^hello\s+Complete\s+3\/3\s/m },
  },
  {
    kubectl: ['logs', 'job/hello', '-n', NS],
    real: "the output of one of the job's pods",
    expect: { exit: 0, out: /^hello from the job$/m },
  },
  {
    kubectl: ['wait', '--for=condition=failed', 'job/broken', '-n', NS, '--timeout=20s'],
    real: 'backoffLimit 0 and a failing pod: the job fails, condition met',
    expect: { exit: 0, out: /job\.batch\/broken condition met/ },
  },
  {
    kubectl: ['get', 'pods', '-l', 'job-name=broken', '-n', NS],
    real: "the job's pod: 0/1 Error",
    expect: { exit: 0, out: /^broken-[a-z0-9]{5}\s+0\/1\s+Error\s+0\s/m },
  },
  {
    kubectl: ['get', 'cronjobs', '-n', NS],
    real: 'SCHEDULE, TIMEZONE <none>, SUSPEND False, ACTIVE 0, LAST SCHEDULE <none>',
    expect: { exit: 0, out: /^nightly\s+30 2 \* \* \*\s+<none>\s+False\s+0\s+<none>\s/m },
  },
  {
    kubectl: ['get', 'sts', 'db', '-n', NS],
    real: 'READY 2/2',
    expect: { exit: 0, out: /^db\s+2\/2\s/m },
    within: 15,
  },
  {
    kubectl: ['get', 'pods', '-l', 'app=db', '-n', NS, '-o', 'name'],
    real: 'pods named by ordinal: db-0, db-1',
    expect: { exit: 0, out: /^pod\/db-0\npod\/db-1\n$/ },
  },
  {
    kubectl: ['rollout', 'status', 'statefulset/db', '-n', NS, '--timeout=15s'],
    real: 'partitioned roll out complete (the defaulted partition 0)',
    expect: {
      exit: 0,
      out: /^partitioned roll out complete: 2 new pods have been updated\.\.\.\n$/,
    },
  },
  {
    kubectl: ['get', 'ds', 'agent', '-n', 'kube-system'],
    real: 'one pod a worker, none on the tainted control plane: 3 3 3 3 3 <none>',
    expect: { exit: 0, out: /^agent\s+3\s+3\s+3\s+3\s+3\s+<none>\s/m },
    within: 15,
  },
  {
    kubectl: ['rollout', 'status', 'daemonset/agent', '-n', 'kube-system', '--timeout=15s'],
    real: 'daemon set "agent" successfully rolled out',
    expect: { exit: 0, out: /daemon set "agent" successfully rolled out/ },
  },
  {
    kubectl: ['get', 'hpa', 'frontend', '-n', 'shop'],
    real: 'REFERENCE, TARGETS with current/target utilization, MINPODS, MAXPODS, REPLICAS',
    expect: { exit: 0, out: /^frontend\s+Deployment\/frontend\s+cpu: 40%\/70%\s+3\s+10\s+3\s/m },
    within: 15,
  },
];
