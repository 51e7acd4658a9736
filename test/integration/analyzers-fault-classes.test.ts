import { describe, expect, it } from 'vitest';
import { analyze, type Finding } from '../../src/tools/kubernetes/analyzers/index.ts';
import { readSnapshot } from '../../src/tools/kubernetes/snapshot.ts';
import { useSandbox } from '../support/sandbox.ts';

/**
 * The scheduling, workload, traffic, scaling and eviction analyzers on what a cluster really
 * serves: each scenario's fault is named by its cause, on the object it concerns.
 */
const sandbox = useSandbox([
  'healthy',
  'hpa-at-max',
  'job-backoff-limit',
  'pvc-pending',
  'service-no-endpoints',
  'cronjob-failing',
  'node-pressure-evictions',
  'quota-exceeded',
]);

async function findingsIn(namespace: string): Promise<Finding[]> {
  const findings = analyze(await readSnapshot(sandbox.cluster, namespace));
  return findings.filter((f) => f.object.namespace === namespace);
}

const rules = (findings: Finding[]) => findings.map((f) => [f.rule, f.object.kind, f.object.name]);

describe('fault classes on the sandbox', () => {
  it('hpa-at-max: the autoscaler of catalog-api is held at its maximum', async () => {
    const findings = await findingsIn('catalog');

    expect(rules(findings)).toContainEqual([
      'hpa/at-max',
      'HorizontalPodAutoscaler',
      'catalog-api',
    ]);
    const [finding] = findings.filter((f) => f.rule === 'hpa/at-max');
    expect(finding?.evidence).toContain(
      'HorizontalPodAutoscaler catalog-api status.conditions[ScalingLimited]: True TooManyReplicas: the desired replica count is more than the maximum replica count',
    );
  });

  it('job-backoff-limit: the migration failed past its backoff limit, pointing at its failed pod', async () => {
    const findings = await findingsIn('accounts');

    const [finding] = findings.filter((f) => f.object.kind === 'Job');
    expect(finding).toMatchObject({
      rule: 'job/backoff-limit',
      object: { name: 'accounts-db-migrate-1.14.0' },
    });
    expect(finding?.cause).toMatch(
      /past its backoffLimit of 3; its last failed pod \S+ ended with Error \(exit code 1\)/,
    );
  });

  it('pvc-pending: the ledger pod waits for a claim no StorageClass provisions', async () => {
    const findings = await findingsIn('finance');

    const [finding] = findings.filter((f) => f.object.kind === 'Pod');
    expect(finding).toMatchObject({ rule: 'pending/pvc-no-storage-class', confidence: 'certain' });
    expect(finding?.title).toMatch(/its volume claim ledger-data is not bound$/);
  });

  it('service-no-endpoints: the Service selector is one letter off the pods’ label', async () => {
    const findings = await findingsIn('notifications');

    expect(rules(findings)).toEqual([['service/no-matching-pods', 'Service', 'notifications']]);
    expect(findings[0]?.cause).toMatch(
      /has app=notifications-api instead of app=notification-api$/,
    );
  });

  it('cronjob-failing: one finding for the newest failed run, with the runs before it', async () => {
    const findings = await findingsIn('reporting');

    const jobs = findings.filter((f) => f.object.kind === 'Job');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ rule: 'job/backoff-limit' });
    expect(jobs[0]?.title).toMatch(/^job invoice-export-\d+ \(of cronjob invoice-export\) failed$/);
    expect(jobs[0]?.evidence.join('\n')).toMatch(/runs of its CronJob still listed failed/);
  });

  it('node-pressure-evictions: the evicted image-resizer pods make one finding, for memory', async () => {
    const findings = await findingsIn('media');

    const evictions = findings.filter((f) => f.rule.startsWith('eviction/'));
    expect(rules(evictions)).toEqual([['eviction/memory', 'Deployment', 'image-resizer']]);
    expect(evictions[0]?.cause).toMatch(
      /ran low on memory .*; container app was using \S+ against a request of 256Mi$/,
    );
  });

  it('quota-exceeded: the quota that refuses etl-worker its pods is named, with its status', async () => {
    const findings = await findingsIn('data-pipeline');

    const [finding] = findings.filter((f) => f.rule === 'quota/exceeded');
    expect(finding?.object).toEqual({
      kind: 'Deployment',
      namespace: 'data-pipeline',
      name: 'etl-worker',
    });
    expect(finding?.cause).toMatch(
      /^the ResourceQuota compute-resources refuses them: a new pod requests requests.cpu=500m/,
    );
    expect(finding?.evidence.join('\n')).toMatch(
      /ResourceQuota compute-resources status: requests.cpu 2\/2/,
    );
  });

  it('finds nothing in shop, where all is well', async () => {
    expect(await findingsIn('shop')).toEqual([]);
  });
});
