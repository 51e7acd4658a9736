import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario, scenarioNames } from '../../src/sandbox/scenario.ts';
import { runKubectl } from '../support/kubectl.ts';
import { useSandbox } from '../support/sandbox.ts';

/**
 * The fault scenarios for Jobs, CronJobs, autoscalers, Services, quotas, liveness probes and
 * node-pressure evictions, as the real kubectl shows them when the sandbox opens: each fault is
 * already in progress, with the fields an analyzer reads.
 */
const SCENARIOS = [
  'job-backoff-limit',
  'cronjob-failing',
  'hpa-at-max',
  'service-no-endpoints',
  'quota-exceeded',
  'liveness-restarts',
  'node-pressure-evictions',
];
const sandbox = useSandbox(SCENARIOS);
const cacheDir = mkdtempSync(join(tmpdir(), 'coxswain-kubectl-cache-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

type Condition = { type: string; status: string; reason?: string; message?: string };
type Terminated = { exitCode: number; reason: string };
type ContainerStatus = {
  name: string;
  restartCount: number;
  state: { terminated?: Terminated };
  lastState: { terminated?: Terminated };
};
type Item = {
  metadata: { name: string; creationTimestamp: string; ownerReferences?: { kind: string }[] };
  spec: Record<string, unknown>;
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    podIP?: string;
    conditions?: Condition[];
    containerStatuses?: ContainerStatus[];
  } & Record<string, unknown>;
};
type Event = {
  reason: string;
  type: string;
  message: string;
  count: number;
  involvedObject: { name: string };
};

async function kubectl(...args: string[]): Promise<string> {
  const result = await runKubectl({ kubeconfig: sandbox.kubeconfig, cacheDir }, args);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

async function json<T>(...args: string[]): Promise<T> {
  return JSON.parse(await kubectl(...args, '-o', 'json')) as T;
}

const items = async (...args: string[]) => (await json<{ items: Item[] }>(...args)).items;
const events = async (namespace: string) =>
  (await json<{ items: Event[] }>('get', 'events', '-n', namespace)).items;
const condition = (item: Item, type: string) =>
  item.status?.conditions?.find((c) => c.type === type);

describe('fault scenarios for the newer kinds', () => {
  it('names every scenario, and each one parses', () => {
    expect(scenarioNames()).toEqual(expect.arrayContaining([...SCENARIOS, 'pvc-pending']));
    for (const name of SCENARIOS) expect(loadScenario(name).name).toBe(name);
  });

  it('job-backoff-limit: the migration Job failed with BackoffLimitExceeded, its pods say why', async () => {
    const job = await json<Item>('get', 'job', 'accounts-db-migrate-1.14.0', '-n', 'accounts');
    const pods = await items('get', 'pods', '-n', 'accounts', '-l', 'app=accounts-migrate');
    const table = await kubectl('get', 'jobs', '-n', 'accounts');
    const logs = await kubectl('logs', '-n', 'accounts', pods[0]?.metadata.name ?? '');

    expect(condition(job, 'Failed')).toMatchObject({
      status: 'True',
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit',
    });
    expect(job.status?.failed).toBe(4);
    expect(table).toMatch(/accounts-db-migrate-1\.14\.0\s+Failed\s+0\/1/);
    expect(pods).toHaveLength(4);
    for (const pod of pods) {
      expect(pod.status?.phase).toBe('Failed');
      expect(pod.status?.containerStatuses?.[0]?.state.terminated).toMatchObject({
        exitCode: 1,
        reason: 'Error',
      });
    }
    expect(logs).toContain('UnknownHostException: accounts-postgres.accounts.svc');
    expect((await events('accounts')).map((e) => e.reason)).toContain('BackoffLimitExceeded');
  });

  it('cronjob-failing: recent runs all failed, kept by failedJobsHistoryLimit; the last success is a day old', async () => {
    const cronJob = await json<Item>('get', 'cronjob', 'invoice-export', '-n', 'reporting');
    const jobs = await items('get', 'jobs', '-n', 'reporting');
    const failed = jobs.filter((j) => condition(j, 'Failed')?.status === 'True');
    const complete = jobs.filter((j) => condition(j, 'Complete')?.status === 'True');
    const logs = await kubectl('logs', '-n', 'reporting', `job/${failed.at(-1)?.metadata.name}`);
    const now = Date.now();

    const lastSchedule = Date.parse(String(cronJob.status?.lastScheduleTime));
    const lastSuccess = Date.parse(String(cronJob.status?.lastSuccessfulTime));
    expect(now - lastSchedule).toBeLessThan(61 * 60_000);
    expect(now - lastSuccess).toBeGreaterThan(20 * 3600_000);
    expect(failed).toHaveLength(5);
    for (const job of failed) {
      expect(condition(job, 'Failed')?.reason).toBe('BackoffLimitExceeded');
      expect(Date.parse(job.metadata.creationTimestamp)).toBeGreaterThan(lastSuccess);
    }
    expect(complete).toHaveLength(3);
    expect(logs).toContain('AccessDenied');
  });

  it('hpa-at-max: the autoscaler sits at maxReplicas, limited, with CPU far above target', async () => {
    const hpa = await json<Item>('get', 'hpa', 'catalog-api', '-n', 'catalog');
    const deployment = await json<Item>('get', 'deployment', 'catalog-api', '-n', 'catalog');
    const table = await kubectl('get', 'hpa', '-n', 'catalog');

    expect(hpa.status?.currentReplicas).toBe(6);
    expect(hpa.spec.maxReplicas).toBe(6);
    expect(condition(hpa, 'ScalingLimited')).toMatchObject({
      status: 'True',
      reason: 'TooManyReplicas',
    });
    const metrics = (hpa.status?.currentMetrics ?? []) as {
      resource: { current: { averageUtilization: number } };
    }[];
    const metric = metrics[0];
    expect(metric?.resource.current.averageUtilization).toBeGreaterThan(300);
    expect(deployment.status?.readyReplicas).toBe(6);
    expect(table).toMatch(/catalog-api\s+Deployment\/catalog-api\s+cpu: \d{3}%\/70%\s+2\s+6\s+6/);
  });

  it('service-no-endpoints: the selector matches no pod, so the Service has no endpoints', async () => {
    const endpoints = await json<Item>('get', 'endpoints', 'notifications', '-n', 'notifications');
    const service = await json<Item>('get', 'service', 'notifications', '-n', 'notifications');
    const selected = await items(
      'get',
      'pods',
      '-n',
      'notifications',
      '-l',
      'app=notification-api',
    );
    const pods = await items('get', 'pods', '-n', 'notifications', '-l', 'app=notifications-api');
    const table = await kubectl('get', 'endpoints', '-n', 'notifications');

    expect(service.spec.selector).toEqual({ app: 'notification-api' });
    expect((endpoints as { subsets?: unknown[] }).subsets ?? []).toHaveLength(0);
    expect(table).toMatch(/notifications\s+<none>/);
    expect(selected).toHaveLength(0);
    expect(pods).toHaveLength(2);
    for (const pod of pods) expect(condition(pod, 'Ready')?.status).toBe('True');
  });

  it('quota-exceeded: the quota refuses pods, so the Deployment is short and its ReplicaSet says why', async () => {
    const deployment = await json<Item>('get', 'deployment', 'etl-worker', '-n', 'data-pipeline');
    const [rs] = await items('get', 'rs', '-n', 'data-pipeline', '-l', 'app=etl-worker');
    const quota = await json<Item>(
      'get',
      'resourcequota',
      'compute-resources',
      '-n',
      'data-pipeline',
    );
    const refusals = (await events('data-pipeline')).filter((e) => e.reason === 'FailedCreate');

    expect(deployment.spec.replicas).toBe(6);
    expect(deployment.status?.readyReplicas).toBe(4);
    const failure = rs === undefined ? undefined : condition(rs, 'ReplicaFailure');
    expect(failure).toMatchObject({ status: 'True', reason: 'FailedCreate' });
    expect(failure?.message).toContain('exceeded quota: compute-resources');
    expect(refusals[0]?.type).toBe('Warning');
    expect(refusals[0]?.message).toMatch(
      /^Error creating: pods "etl-worker-\w+-" is forbidden: exceeded quota: compute-resources, requested: requests\.cpu=500m, used: requests\.cpu=2, limited: requests\.cpu=2$/,
    );
    expect((quota.status?.used as Record<string, string> | undefined)?.['requests.cpu']).toBe('2');
  });

  it('liveness-restarts: failed liveness probes get containers killed (137, Error) and restarted', async () => {
    const gateways = await items('get', 'pods', '-n', 'gateway', '-l', 'app=api-gateway');
    const [limiter] = await items('get', 'pods', '-n', 'gateway', '-l', 'app=rate-limiter');
    const all = await events('gateway');
    const about = (pod: Item | undefined, reason: string) =>
      all.filter((e) => e.involvedObject.name === pod?.metadata.name && e.reason === reason);

    expect(gateways).toHaveLength(2);
    for (const pod of [...gateways, limiter]) {
      const [status] = pod?.status?.containerStatuses ?? [];
      expect(status?.restartCount).toBeGreaterThanOrEqual(3);
      expect(status?.lastState.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    }
    const gateway = gateways[0];
    const restarts = gateway?.status?.containerStatuses?.[0]?.restartCount ?? 0;
    const unhealthy = about(gateway, 'Unhealthy');
    expect(unhealthy.map((e) => e.message)).toEqual([
      'Liveness probe failed: HTTP probe failed with statuscode: 500',
    ]);
    // An hour into the loop the kubelet's spam filter lets about one event in five minutes through,
    // so older series (Killing, Created) have expired, but a written count includes dropped repeats.
    expect(unhealthy[0]?.count).toBeGreaterThanOrEqual(2 * restarts);
    expect(all.filter((e) => e.involvedObject.name === gateway?.metadata.name).length).toBeLessThan(
      5,
    );
    expect(about(limiter, 'Unhealthy').map((e) => e.message)).toEqual([
      `Liveness probe failed: Get "http://${limiter?.status?.podIP}:9090/livez": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
    ]);
  });

  it('node-pressure-evictions: the kubelet evicts pods of a node short of memory, and they are replaced', async () => {
    // Read in this order, an eviction falling between two reads only adds to the later ones.
    const evictedEvents = (await events('media')).filter((e) => e.reason === 'Evicted');
    const nodeEvents = (await events('default')).filter(
      (e) => e.involvedObject.name === 'sandbox-worker2' && e.reason === 'EvictionThresholdMet',
    );
    const pods = await items('get', 'pods', '-n', 'media', '-l', 'app=image-resizer');
    const [rs] = await items('get', 'rs', '-n', 'media', '-l', 'app=image-resizer');
    const failed = await kubectl(
      'get',
      'pods',
      '-n',
      'media',
      '--field-selector',
      'status.phase=Failed',
      '-o',
      'name',
    );

    const evicted = pods.filter((p) => p.status?.reason === 'Evicted');
    const evictedNames = evicted.map((p) => p.metadata.name);
    expect(evicted.length).toBeGreaterThanOrEqual(2);
    for (const pod of evicted) {
      expect(pod.status?.phase).toBe('Failed');
      expect(pod.status?.message).toMatch(
        /^The node was low on resource: memory\. Threshold quantity: 100Mi, available: \d+(Mi|Ki)?\. Container app was using 3842Mi, request is 256Mi, has larger consumption of memory\. $/,
      );
      expect(condition(pod, 'DisruptionTarget')).toMatchObject({
        status: 'True',
        reason: 'TerminationByKubelet',
      });
      expect(failed).toContain(`pod/${pod.metadata.name}\n`);
    }
    expect(evictedEvents.length).toBeGreaterThanOrEqual(1);
    for (const event of evictedEvents) {
      expect(event.type).toBe('Warning');
      expect(evictedNames).toContain(event.involvedObject.name);
    }
    expect(nodeEvents[0]?.message).toBe('Attempting to reclaim memory');
    expect(rs?.status?.replicas).toBe(4);
    expect(pods.length - evicted.length).toBe(4);
  });
});
