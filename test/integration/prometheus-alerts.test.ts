import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findResource, type ResourceType } from '../../src/sandbox/api/catalog.ts';
import {
  alerts,
  query,
  RULES_FILE,
  startPrometheus,
  type TestPrometheus,
} from '../support/prometheus-scraping.ts';
import { eventually, useSandbox } from '../support/sandbox.ts';

/**
 * The real Prometheus scraping the sandbox's `/metrics` with the shipped rules: the crash loop
 * of the oom-crashloop scenario raises kube-prometheus's KubePodCrashLooping, and what
 * Prometheus stores is what the pods' status says.
 */
const PODS = findResource('', 'v1', 'pods') as ResourceType;
const sandbox = useSandbox(['oom-crashloop'], { metricsPort: 0 });
let prometheus: TestPrometheus | undefined;

beforeAll(async () => {
  const target = new URL(sandbox.sandbox.metricsUrl ?? '').host;
  prometheus = await startPrometheus(target);
});
afterAll(async () => {
  await prometheus?.stop();
});

describe('Prometheus on the sandbox', () => {
  it('fires KubePodCrashLooping for each crash-looping payments pod, and the replicas mismatch of their deployment', async () => {
    const url = prometheus?.url ?? '';

    const firing = await eventually(
      async () => {
        const found = (await alerts(url)).filter(
          (a) => a.labels.alertname === 'KubePodCrashLooping' && a.state === 'firing',
        );
        return found.length >= 2 ? found : undefined;
      },
      20_000,
      'KubePodCrashLooping to fire',
    );

    const pods = sandbox.sandbox.simulator.store
      .view(PODS, 'payments')
      .map((p) => p.metadata.name)
      .sort();
    expect(firing.map((a) => a.labels.pod).sort()).toEqual(pods);
    expect(
      firing.every((a) => a.labels.namespace === 'payments' && a.labels.container === 'api'),
    ).toBe(true);
    expect(firing[0]?.labels.severity).toBe('warning');
    const mismatch = (await alerts(url)).filter(
      (a) => a.labels.alertname === 'KubeDeploymentReplicasMismatch' && a.state === 'firing',
    );
    expect(mismatch.map((a) => `${a.labels.namespace}/${a.labels.deployment}`)).toEqual([
      'payments/payments-api',
    ]);
  });

  it('stores the restarts and last terminated reasons the pods show', async () => {
    const url = prometheus?.url ?? '';

    const restarts = await query(
      url,
      'kube_pod_container_status_restarts_total{namespace="payments"}',
    );
    const oom = await query(
      url,
      'kube_pod_container_status_last_terminated_reason{namespace="payments", reason="OOMKilled"}',
    );

    const shown = new Map(
      sandbox.sandbox.simulator.store.view(PODS, 'payments').map((p) => {
        const statuses = (p.status as { containerStatuses: { restartCount: number }[] })
          .containerStatuses;
        return [p.metadata.name, statuses[0]?.restartCount];
      }),
    );
    expect(restarts).toHaveLength(shown.size);
    for (const sample of restarts)
      expect(Number(sample.value[1])).toBe(shown.get(sample.metric.pod ?? ''));
    expect(oom.map((s) => s.metric.pod).sort()).toEqual([...shown.keys()].sort());
  });
});

describe('the shipped rules', () => {
  it('pass promtool check rules and their unit tests with the real for durations', () => {
    const tests = resolve(RULES_FILE, '../kubernetes-alerts.test.yml');

    const check = spawnSync('promtool', ['check', 'rules', RULES_FILE], { encoding: 'utf8' });
    const unit = spawnSync('promtool', ['test', 'rules', tests], { encoding: 'utf8' });

    expect(check.error).toBeUndefined();
    expect(`${check.stdout}${check.stderr}`).toContain('SUCCESS: 6 rules found');
    expect(check.status).toBe(0);
    expect(`${unit.stdout}${unit.stderr}`).toContain('SUCCESS');
    expect(unit.status).toBe(0);
  });
});
