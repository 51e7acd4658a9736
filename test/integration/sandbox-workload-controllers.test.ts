import { describe, expect, it } from 'vitest';
import type { KObject } from '../../src/sandbox/api/store.ts';
import { type Any, type SimulatedCluster, simulatedCluster } from '../support/simulated-cluster.ts';

/**
 * The sandbox's kubelet and batch controllers, driven through simulated time: stand-in images
 * that do what their command says, Jobs and CronJobs, with the statuses, conditions, names and
 * events a real cluster gives.
 */

const status = (object: KObject): Any => object.status ?? {};

const podsOf = (cluster: SimulatedCluster, owner: KObject) =>
  cluster
    .list('', 'v1', 'pods', owner.metadata.namespace)
    .filter((p) => p.metadata.ownerReferences?.some((o) => o.uid === owner.metadata.uid));

const pod = (name: string, command: string[], restartPolicy: string, image = 'busybox:1.36') => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { restartPolicy, containers: [{ name: 'main', image, command }] },
});

const job = (name: string, command: string[], spec: Record<string, unknown> = {}) => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, namespace: 'default' },
  spec: {
    ...spec,
    template: {
      spec: {
        restartPolicy: (spec.restartPolicy as string | undefined) ?? 'Never',
        containers: [{ name: 'work', image: 'busybox:1.36', command }],
      },
    },
  },
});

describe('images no scenario defines', () => {
  it('start and stay Ready, with a log that says they are a stand-in', () => {
    const cluster = simulatedCluster();
    const deployment = cluster.apply({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] },
        },
      },
    });

    cluster.advance(600);

    const after = cluster.get('apps/v1', 'Deployment', 'default', 'web');
    expect(status(after).readyReplicas).toBe(2);
    const pods = cluster
      .list('', 'v1', 'pods', 'default')
      .filter((p) => p.metadata.labels?.app === 'web');
    expect(pods).toHaveLength(2);
    const first = pods[0] as KObject;
    expect(status(first).containerStatuses[0].restartCount).toBe(0);
    const log = cluster.simulator.logs(first, undefined, false).map((l) => l.text);
    expect(log).toHaveLength(1);
    expect(log[0]).toContain('stand-in for image "nginx:1.27"');
    expect(deployment.metadata.name).toBe('web');
  });

  it('run their command to its exit code, as the restartPolicy says', () => {
    const cluster = simulatedCluster();
    cluster.apply(pod('fails', ['sh', '-c', 'exit 1'], 'Never'));
    cluster.apply(pod('exits-3', ['sh', '-c', 'echo working; exit 3'], 'Never'));
    cluster.apply(pod('says-hi', ['echo', 'hi'], 'Never'));
    cluster.apply(pod('sleeps', ['sleep', '30'], 'OnFailure'));
    cluster.apply(pod('crashes', ['false'], 'Always'));
    cluster.apply(pod('retries', ['sh', '-c', 'exit 2'], 'OnFailure'));
    cluster.apply(pod('stays', ['sleep', 'infinity'], 'Always'));

    cluster.advance(20);
    const sleeping = cluster.get('v1', 'Pod', 'default', 'sleeps');
    cluster.advance(300);

    const get = (name: string) => cluster.get('v1', 'Pod', 'default', name);
    const container = (name: string) => status(get(name)).containerStatuses[0];
    expect(status(get('fails')).phase).toBe('Failed');
    expect(container('fails').state.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(container('fails').restartCount).toBe(0);
    expect(container('exits-3').state.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(cluster.simulator.logs(get('exits-3'), undefined, false).map((l) => l.text)).toEqual([
      'working',
    ]);
    expect(status(get('says-hi')).phase).toBe('Succeeded');
    expect(container('says-hi').state.terminated).toMatchObject({
      exitCode: 0,
      reason: 'Completed',
    });
    expect(cluster.simulator.logs(get('says-hi'), undefined, false).map((l) => l.text)).toEqual([
      'hi',
    ]);
    expect(status(sleeping).phase).toBe('Running');
    expect(status(get('sleeps')).phase).toBe('Succeeded');
    const ready = status(get('says-hi')).conditions.find((c: Any) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'False', reason: 'PodCompleted' });
    expect(status(get('crashes')).phase).toBe('Running');
    expect(container('crashes').state.waiting.reason).toBe('CrashLoopBackOff');
    expect(container('crashes').restartCount).toBeGreaterThan(2);
    expect(container('crashes').lastState.terminated).toMatchObject({
      exitCode: 1,
      reason: 'Error',
    });
    expect(container('retries').state.waiting.reason).toBe('CrashLoopBackOff');
    expect(container('stays').state.running).toBeDefined();
    expect(container('stays').ready).toBe(true);
  });

  it('keeps the behaviour of scenario images, and a missing tag still fails to pull', () => {
    const cluster = simulatedCluster();
    cluster.apply(pod('typo', [], 'Always', 'registry.k8s.io/coredns/coredns:v1.11.4'));

    cluster.advance(120);

    const state = status(cluster.get('v1', 'Pod', 'default', 'typo')).containerStatuses[0].state;
    expect(state.waiting.reason).toBe('ImagePullBackOff');
  });
});

describe('Jobs', () => {
  it('run pods to their completions, parallelism at a time, and complete', () => {
    const cluster = simulatedCluster();
    cluster.apply(
      job('batch', ['sh', '-c', 'echo done && sleep 10'], { completions: 3, parallelism: 2 }),
    );

    cluster.advance(5);
    const running = cluster.get('batch/v1', 'Job', 'default', 'batch');
    cluster.advance(120);

    expect(status(running).active).toBe(2);
    expect(status(running).startTime).toBeDefined();
    const done = cluster.get('batch/v1', 'Job', 'default', 'batch');
    expect(status(done)).toMatchObject({ succeeded: 3, ready: 0, terminating: 0 });
    expect(status(done).active).toBeUndefined();
    expect(status(done).completionTime).toBeDefined();
    expect(
      status(done).conditions.map((c: Any) => [c.type, c.status, c.reason, c.message]),
    ).toEqual([
      [
        'SuccessCriteriaMet',
        'True',
        'CompletionsReached',
        'Reached expected number of succeeded pods',
      ],
      ['Complete', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods'],
    ]);
    const pods = podsOf(cluster, done);
    expect(pods).toHaveLength(3);
    const uid = done.metadata.uid;
    for (const p of pods) {
      expect(p.metadata.name).toMatch(/^batch-[a-z0-9]{5}$/);
      expect(p.metadata.labels).toMatchObject({
        'batch.kubernetes.io/job-name': 'batch',
        'job-name': 'batch',
        'controller-uid': uid,
        'batch.kubernetes.io/controller-uid': uid,
      });
      expect(p.metadata.ownerReferences?.[0]).toMatchObject({
        kind: 'Job',
        name: 'batch',
        controller: true,
      });
    }
    expect((done.spec as Any).selector).toEqual({
      matchLabels: { 'batch.kubernetes.io/controller-uid': uid },
    });
    const events = cluster.events(done);
    expect(
      events.filter((e) => e.startsWith('SuccessfulCreate: Created pod: batch-')),
    ).toHaveLength(3);
    expect(events).toContain('Completed: Job completed');
  });

  it('fail with BackoffLimitExceeded once more pods failed than backoffLimit', () => {
    const cluster = simulatedCluster();
    cluster.apply(job('flaky', ['sh', '-c', 'exit 1'], { backoffLimit: 2 }));

    cluster.advance(600);

    const failed = cluster.get('batch/v1', 'Job', 'default', 'flaky');
    expect(status(failed).failed).toBe(3);
    expect(status(failed).succeeded).toBeUndefined();
    expect(status(failed).conditions.map((c: Any) => [c.type, c.reason, c.message])).toEqual([
      ['FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
      ['Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
    ]);
    expect(podsOf(cluster, failed).map((p) => status(p).phase)).toEqual([
      'Failed',
      'Failed',
      'Failed',
    ]);
    expect(cluster.events(failed)).toContain(
      'BackoffLimitExceeded: Job has reached the specified backoff limit',
    );
  });

  it('count container restarts against backoffLimit when pods restart OnFailure', () => {
    const cluster = simulatedCluster();
    cluster.apply(job('retry', ['false'], { backoffLimit: 2, restartPolicy: 'OnFailure' }));

    cluster.advance(600);

    const failed = cluster.get('batch/v1', 'Job', 'default', 'retry');
    expect(status(failed).conditions.at(-1)).toMatchObject({
      type: 'Failed',
      reason: 'BackoffLimitExceeded',
    });
    // The running pod the controller ended counts as failed.
    expect(status(failed).failed).toBe(1);
    expect(podsOf(cluster, failed)).toHaveLength(0);
  });

  it('fail with DeadlineExceeded at activeDeadlineSeconds, ending their pods', () => {
    const cluster = simulatedCluster();
    cluster.apply(job('slow', ['sleep', '3600'], { activeDeadlineSeconds: 60 }));

    cluster.advance(59);
    const before = cluster.get('batch/v1', 'Job', 'default', 'slow');
    cluster.advance(30);

    expect(status(before).active).toBe(1);
    const after = cluster.get('batch/v1', 'Job', 'default', 'slow');
    expect(status(after).active).toBeUndefined();
    expect(status(after).conditions.at(-1)).toMatchObject({
      type: 'Failed',
      reason: 'DeadlineExceeded',
      message: 'Job was active longer than specified deadline',
    });
    expect(status(after).failed).toBe(1);
    expect(status(after).terminating).toBe(0);
    expect(status(after).conditions.map((c: Any) => c.type)).toEqual(['FailureTarget', 'Failed']);
    expect(podsOf(cluster, after)).toHaveLength(0);
    expect(cluster.events(after)).toContain(
      'DeadlineExceeded: Job was active longer than specified deadline',
    );
  });

  it('are FailureTarget while the pods they ended terminate, and Failed after', () => {
    const cluster = simulatedCluster();
    cluster.apply(job('cut', ['sleep', '3600'], { activeDeadlineSeconds: 30 }));

    cluster.advance(30);

    const ending = cluster.get('batch/v1', 'Job', 'default', 'cut');
    expect(status(ending).conditions.map((c: Any) => c.type)).toEqual(['FailureTarget']);
    expect(status(ending).terminating).toBe(1);
  });

  it('are deleted with their pods ttlSecondsAfterFinished after they finish', () => {
    const cluster = simulatedCluster();
    cluster.apply(job('brief', ['true'], { ttlSecondsAfterFinished: 100 }));

    cluster.advance(60);
    const kept = cluster.list('batch', 'v1', 'jobs', 'default').length;
    cluster.advance(60);

    expect(kept).toBe(1);
    expect(cluster.list('batch', 'v1', 'jobs', 'default')).toHaveLength(0);
    expect(cluster.list('', 'v1', 'pods', 'default')).toHaveLength(0);
  });
});

const cronJob = (
  name: string,
  schedule: string,
  command: string[],
  spec: Record<string, unknown> = {},
) => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name, namespace: 'default' },
  spec: {
    schedule,
    ...spec,
    jobTemplate: {
      metadata: { labels: { app: name } },
      spec: {
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [{ name: 'task', image: 'busybox:1.36', command }],
          },
        },
      },
    },
  },
});

const minutes = (iso: string) => Math.floor(Date.parse(iso) / 60_000);

describe('CronJobs', () => {
  it('start a job named after the scheduled minute, and record its success', () => {
    const cluster = simulatedCluster();
    cluster.apply(cronJob('report', '*/5 * * * *', ['sh', '-c', 'echo report && sleep 20']));

    cluster.advance(4 * 60 + 10);
    const scheduled = cluster.get('batch/v1', 'CronJob', 'default', 'report');
    cluster.advance(6 * 60);

    const name = `report-${minutes('2026-03-02T10:05:00Z')}`;
    expect(status(scheduled).lastScheduleTime).toBe('2026-03-02T10:05:00Z');
    expect(status(scheduled).active).toEqual([expect.objectContaining({ kind: 'Job', name })]);
    const first = cluster.get('batch/v1', 'Job', 'default', name);
    expect(first.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'CronJob', name: 'report' });
    expect(first.metadata.labels?.app).toBe('report');
    expect(status(first).succeeded).toBe(1);
    const after = cluster.get('batch/v1', 'CronJob', 'default', 'report');
    expect(status(after).lastScheduleTime).toBe('2026-03-02T10:10:00Z');
    expect(status(first).completionTime).toBe('2026-03-02T10:05:21Z');
    expect(status(after).lastSuccessfulTime).toBe('2026-03-02T10:10:21Z');
    const events = cluster.events(after);
    expect(events).toContain(`SuccessfulCreate: Created job ${name}`);
    expect(events).toContain(`SawCompletedJob: Saw completed job: ${name}, condition: Complete`);
  });

  it('keep successfulJobsHistoryLimit finished jobs and delete older ones', () => {
    const cluster = simulatedCluster();
    cluster.apply(cronJob('tidy', '* * * * *', ['true'], { successfulJobsHistoryLimit: 2 }));

    cluster.advance(5 * 60 + 20);

    const jobs = cluster.list('batch', 'v1', 'jobs', 'default').map((j) => j.metadata.name);
    expect(jobs).toEqual([
      `tidy-${minutes('2026-03-02T10:05:00Z')}`,
      `tidy-${minutes('2026-03-02T10:06:00Z')}`,
    ]);
    const cron = cluster.get('batch/v1', 'CronJob', 'default', 'tidy');
    expect(cluster.events(cron)).toContain(
      `SuccessfulDelete: Deleted job tidy-${minutes('2026-03-02T10:02:00Z')}`,
    );
  });

  it('start no second job while one runs when concurrencyPolicy is Forbid', () => {
    const cluster = simulatedCluster();
    cluster.apply(
      cronJob('single', '* * * * *', ['sleep', '600'], { concurrencyPolicy: 'Forbid' }),
    );

    cluster.advance(5 * 60);

    const jobs = cluster.list('batch', 'v1', 'jobs', 'default');
    expect(jobs.map((j) => j.metadata.name)).toEqual([`single-${minutes('2026-03-02T10:02:00Z')}`]);
    const cron = cluster.get('batch/v1', 'CronJob', 'default', 'single');
    expect(status(cron).active).toHaveLength(1);
    expect(cluster.events(cron)).toContain(
      'JobAlreadyActive: Not starting job because prior execution is running and concurrency policy is Forbid',
    );
  });

  it('replace the running job when concurrencyPolicy is Replace, and run side by side when Allow', () => {
    const cluster = simulatedCluster();
    cluster.apply(cronJob('swap', '* * * * *', ['sleep', '600'], { concurrencyPolicy: 'Replace' }));
    cluster.apply(cronJob('pile', '* * * * *', ['sleep', '600']));

    cluster.advance(3 * 60);

    const names = cluster.list('batch', 'v1', 'jobs', 'default').map((j) => j.metadata.name);
    expect(names.filter((n) => n.startsWith('swap-'))).toEqual([
      `swap-${minutes('2026-03-02T10:04:00Z')}`,
    ]);
    expect(names.filter((n) => n.startsWith('pile-'))).toHaveLength(3);
    const swap = cluster.get('batch/v1', 'CronJob', 'default', 'swap');
    expect(cluster.events(swap)).toContain(
      `SuccessfulDelete: Deleted job swap-${minutes('2026-03-02T10:03:00Z')}`,
    );
  });

  it('start nothing while suspended; a start missed within startingDeadlineSeconds runs late', () => {
    const cluster = simulatedCluster();
    const late = cluster.apply(cronJob('late', '0 * * * *', ['true'], { suspend: true }));
    const strict = cluster.apply(
      cronJob('strict', '0 * * * *', ['true'], { suspend: true, startingDeadlineSeconds: 60 }),
    );

    cluster.advance(3600);
    const suspended = cluster.list('batch', 'v1', 'jobs', 'default').length;
    cluster.update(late, { suspend: false });
    cluster.update(strict, { suspend: false });
    cluster.advance(10);

    expect(suspended).toBe(0);
    const names = cluster.list('batch', 'v1', 'jobs', 'default').map((j) => j.metadata.name);
    expect(names).toEqual([`late-${minutes('2026-03-02T11:00:00Z')}`]);
  });

  it('warn about too many missed start times and start only the most recent', () => {
    const cluster = simulatedCluster();
    cluster.apply({
      ...cronJob('behind', '* * * * *', ['true']),
      metadata: { name: 'behind', namespace: 'default', creationTimestamp: '2026-03-02T07:00:00Z' },
    });

    cluster.advance(1);

    const names = cluster.list('batch', 'v1', 'jobs', 'default').map((j) => j.metadata.name);
    expect(names).toEqual([`behind-${minutes('2026-03-02T10:01:00Z')}`]);
    const cron = cluster.get('batch/v1', 'CronJob', 'default', 'behind');
    expect(cluster.events(cron).find((e) => e.startsWith('TooManyMissedTimes'))).toBe(
      'TooManyMissedTimes: too many missed start times: 181. Set or decrease .spec.startingDeadlineSeconds or check clock skew',
    );
  });
});
