import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runKubectl } from '../support/kubectl.ts';
import { eventually, useSandbox } from '../support/sandbox.ts';

/**
 * What an engineer sees with the real kubectl when running workloads on the sandbox: images no
 * scenario defines, Jobs, CronJobs, StatefulSets, DaemonSets and the autoscaler's targets.
 */
const sandbox = useSandbox(['healthy']);
const cacheDir = mkdtempSync(join(tmpdir(), 'coxswain-kubectl-cache-'));
const kubectl = (args: string[], input?: string) =>
  runKubectl({ kubeconfig: sandbox.kubeconfig, cacheDir }, args, input);

afterAll(() => {
  rmSync(cacheDir, { recursive: true, force: true });
});

const job = (name: string, script: string, extra = '') => `
apiVersion: batch/v1
kind: Job
metadata: { name: ${name}, namespace: default }
spec:
  ${extra || 'completions: 1'}
  template:
    spec:
      restartPolicy: Never
      containers:
        - { name: main, image: busybox:1.36, command: [sh, -c, ${JSON.stringify(script)}] }
`;

/** The row of `kubectl get` output whose name starts with `name`, split into its columns. */
async function row(args: string[], name: string): Promise<string[] | undefined> {
  const { stdout } = await kubectl(['get', ...args]);
  const line = stdout.split('\n').find((l) => l.startsWith(name));
  return line?.trim().split(/\s{2,}/);
}

describe('workloads through kubectl', () => {
  it('runs a deployment of an image no scenario defines, whose log says it is a stand-in', async () => {
    const created = await kubectl(
      ['apply', '-f', '-'],
      `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: default }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: nginx, image: nginx:1.27 }] }
`,
    );
    expect(created.stderr).toBe('');

    const rollout = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=25s']);
    const logs = await kubectl(['logs', 'deployment/web']);

    expect(rollout.stdout).toContain('successfully rolled out');
    expect(logs.stdout).toContain('stand-in for image "nginx:1.27"');
  });

  it('completes a job, shown Complete 1/1, with its output in kubectl logs', async () => {
    await kubectl(['apply', '-f', '-'], job('hello', 'echo hello from the job'));

    const wait = await kubectl(['wait', '--for=condition=complete', 'job/hello', '--timeout=25s']);
    const cells = await row(['jobs'], 'hello');
    const logs = await kubectl(['logs', 'job/hello']);

    expect(wait.stdout).toContain('job.batch/hello condition met');
    expect(cells?.slice(0, 3)).toEqual(['hello', 'Complete', '1/1']);
    expect(logs.stdout.trim()).toBe('hello from the job');
  });

  it('fails a job past its backoff limit; its pod shows Error', async () => {
    await kubectl(['apply', '-f', '-'], job('broken', 'exit 1', 'backoffLimit: 0'));

    const wait = await kubectl(['wait', '--for=condition=failed', 'job/broken', '--timeout=25s']);
    const reason = await kubectl([
      'get',
      'job',
      'broken',
      '-o',
      'jsonpath={.status.conditions[?(@.type=="Failed")].reason}',
    ]);
    const pod = await row(['pods', '-l', 'job-name=broken'], 'broken');

    expect(wait.code).toBe(0);
    expect(reason.stdout).toBe('BackoffLimitExceeded');
    expect(pod?.slice(1, 3)).toEqual(['0/1', 'Error']);
  });

  it('lists cronjobs, statefulsets and daemonsets with their columns', async () => {
    await kubectl(
      ['apply', '-f', '-'],
      `
apiVersion: batch/v1
kind: CronJob
metadata: { name: nightly, namespace: default }
spec:
  schedule: "30 2 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{ name: task, image: busybox:1.36, command: ["true"] }]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db, namespace: default }
spec:
  replicas: 2
  serviceName: db
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec: { containers: [{ name: db, image: postgres:16 }] }
---
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agent, namespace: kube-system }
spec:
  selector: { matchLabels: { app: agent } }
  template:
    metadata: { labels: { app: agent } }
    spec: { containers: [{ name: agent, image: fluent/fluent-bit:3.1 }] }
`,
    );

    const cron = await row(['cronjobs'], 'nightly');
    const sts = await eventually(async () => {
      const cells = await row(['statefulsets'], 'db');
      return cells?.[1] === '2/2' ? cells : undefined;
    }, 20_000);
    const ds = await eventually(async () => {
      const cells = await row(['daemonsets', '-n', 'kube-system'], 'agent');
      return cells?.[3] === '3' ? cells : undefined;
    }, 20_000);
    const pods = await kubectl(['get', 'pods', '-l', 'app=db', '-o', 'name']);
    const stsRollout = await kubectl(['rollout', 'status', 'statefulset/db', '--timeout=20s']);
    const dsRollout = await kubectl([
      'rollout',
      'status',
      'daemonset/agent',
      '-n',
      'kube-system',
      '--timeout=20s',
    ]);

    expect(cron?.slice(0, 6)).toEqual(['nightly', '30 2 * * *', '<none>', 'False', '0', '<none>']);
    expect(sts.slice(0, 2)).toEqual(['db', '2/2']);
    expect(ds.slice(0, 7)).toEqual(['agent', '3', '3', '3', '3', '3', '<none>']);
    expect(pods.stdout.trim().split('\n')).toEqual(['pod/db-0', 'pod/db-1']);
    // The defaulted partition 0 makes kubectl report the rollout as partitioned, as on a cluster.
    expect(stsRollout.stdout).toBe(
      'partitioned roll out complete: 2 new pods have been updated...\n',
    );
    expect(dsRollout.stdout).toContain('daemon set "agent" successfully rolled out');
  });

  it("shows the autoscaler's current utilization against its target", async () => {
    const cells = await eventually(async () => {
      const found = await row(['hpa', '-n', 'shop'], 'frontend');
      return found?.[2]?.includes('<unknown>') === false ? found : undefined;
    }, 20_000);

    expect(cells.slice(0, 6)).toEqual([
      'frontend',
      'Deployment/frontend',
      'cpu: 40%/70%',
      '3',
      '10',
      '3',
    ]);
  });
});
