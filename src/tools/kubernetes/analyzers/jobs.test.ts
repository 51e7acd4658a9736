import type { V1ContainerStatus, V1Job, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { emptySnapshot } from '../snapshot.ts';
import { analyzeJobs } from './jobs.ts';

const NS = 'accounts';

function job(
  name: string,
  status: NonNullable<V1Job['status']>,
  spec: Partial<V1Job['spec']> = {},
  cronJob?: string,
): V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: NS,
      uid: `uid-${name}`,
      ...(cronJob
        ? {
            ownerReferences: [
              {
                apiVersion: 'batch/v1',
                kind: 'CronJob',
                name: cronJob,
                uid: 'cj-1',
                controller: true,
              },
            ],
          }
        : {}),
    },
    spec: { backoffLimit: 3, template: { spec: { containers: [{ name: 'migrate' }] } }, ...spec },
    status,
  };
}

const backoff = (startTime: string): NonNullable<V1Job['status']> => ({
  failed: 4,
  startTime: new Date(startTime),
  conditions: [
    {
      type: 'FailureTarget',
      status: 'True',
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit',
    },
    {
      type: 'Failed',
      status: 'True',
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit',
    },
  ],
});

function failedPod(name: string, jobName: string, exitCode: number): V1Pod {
  return {
    metadata: {
      name,
      namespace: NS,
      ownerReferences: [
        {
          apiVersion: 'batch/v1',
          kind: 'Job',
          name: jobName,
          uid: `uid-${jobName}`,
          controller: true,
        },
      ],
    },
    status: {
      phase: 'Failed',
      startTime: new Date('2026-12-07T09:00:00Z'),
      containerStatuses: [
        {
          name: 'migrate',
          image: 'migrate:1.14.0',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: {
            terminated: {
              exitCode,
              reason: 'Error',
              message: 'dial tcp: lookup accounts-db: no such host',
            },
          },
        },
      ],
    },
  };
}

describe('jobs', () => {
  it('point a Job past its backoff limit at the pod that failed, with its exit', () => {
    const snapshot = {
      ...emptySnapshot(),
      jobs: [job('db-migrate', backoff('2026-12-07T08:59:00Z'))],
      pods: [failedPod('db-migrate-x1', 'db-migrate', 1)],
      logs: [
        {
          namespace: NS,
          pod: 'db-migrate-x1',
          container: 'migrate',
          previous: false,
          lines: [
            'migrate 1.14.0 starting',
            'FATAL: database "accounts_v2" does not exist',
            'ERROR: migration failed with status 1',
          ],
        },
      ],
    };

    const [finding] = analyzeJobs(snapshot);

    expect(finding).toMatchObject({
      rule: 'job/backoff-limit',
      severity: 'warning',
      confidence: 'certain',
    });
    expect(finding?.cause).toBe(
      'its pods failed 4 times, past its backoffLimit of 3; its last failed pod db-migrate-x1 ended with Error (exit code 1): dial tcp: lookup accounts-db: no such host, its log ending: FATAL: database "accounts_v2" does not exist',
    );
    expect(finding?.evidence).toContain(
      'Job db-migrate status.conditions[Failed]: BackoffLimitExceeded: Job has reached the specified backoff limit',
    );
  });

  it('say a Job past its deadline', () => {
    const deadline = job(
      'report',
      {
        conditions: [
          {
            type: 'Failed',
            status: 'True',
            reason: 'DeadlineExceeded',
            message: 'Job was active longer than specified deadline',
          },
        ],
      },
      { activeDeadlineSeconds: 600 },
    );

    const [finding] = analyzeJobs({ ...emptySnapshot(), jobs: [deadline] });

    expect(finding?.rule).toBe('job/deadline-exceeded');
    expect(finding?.cause).toContain('activeDeadlineSeconds (600s)');
  });

  it('report only the newest finished run of a CronJob, with how its runs went', () => {
    const jobs = [
      job('export-1', backoff('2026-12-07T07:00:00Z'), {}, 'export'),
      job('export-2', backoff('2026-12-07T08:00:00Z'), {}, 'export'),
      job('export-3', { active: 1, startTime: new Date('2026-12-07T09:00:00Z') }, {}, 'export'),
    ];

    const findings = analyzeJobs({ ...emptySnapshot(), jobs });

    expect(findings.map((f) => f.object.name)).toEqual(['export-2']);
    expect(findings[0]?.title).toBe('job export-2 (of cronjob export) failed');
    expect(findings[0]?.evidence.at(-1)).toBe(
      '2 of the 3 runs of its CronJob still listed failed: export-3 running, export-2 failed, export-1 failed',
    );
  });

  it('say a suspended Job as info, and nothing of a completed one', () => {
    const findings = analyzeJobs({
      ...emptySnapshot(),
      jobs: [
        job('paused', {}, { suspend: true }),
        job('done', { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] }),
      ],
    });

    expect(findings.map((f) => [f.rule, f.severity, f.object.name])).toEqual([
      ['job/suspended', 'info', 'paused'],
    ]);
  });

  it('say a Job never completes because a sidecar keeps its pod running after the work ended', () => {
    const active = job('backfill-orders', {
      active: 1,
      startTime: new Date('2026-12-07T12:40:00Z'),
    });
    const pod = (containers: V1ContainerStatus[]): V1Pod => ({
      metadata: {
        name: 'backfill-orders-hm4zs',
        namespace: NS,
        annotations: { 'sidecar.istio.io/status': '{"containers":["istio-proxy"]}' },
        ownerReferences: [
          {
            apiVersion: 'batch/v1',
            kind: 'Job',
            name: 'backfill-orders',
            uid: 'uid-backfill-orders',
            controller: true,
          },
        ],
      },
      status: { phase: 'Running', containerStatuses: containers },
    });
    const finished = {
      name: 'backfill',
      image: 'backfill:3',
      imageID: '',
      ready: false,
      restartCount: 0,
      state: {
        terminated: {
          exitCode: 0,
          reason: 'Completed',
          finishedAt: new Date('2026-12-07T15:39:00Z'),
        },
      },
    };
    const proxy = {
      name: 'istio-proxy',
      image: 'proxyv2:1.24',
      imageID: '',
      ready: true,
      restartCount: 0,
      state: { running: { startedAt: new Date('2026-12-07T12:40:18Z') } },
    };

    const [finding, ...rest] = analyzeJobs({
      ...emptySnapshot(),
      jobs: [active],
      pods: [pod([finished, proxy])],
    });

    expect(rest).toEqual([]);
    expect(finding?.rule).toBe('job/sidecar-keeps-running');
    expect(finding?.confidence).toBe('certain');
    expect(finding?.cause).toContain(
      'container backfill of pod backfill-orders-hm4zs finished with exit code 0 at 2026-12-07T15:39:00.000Z, but sidecar istio-proxy is still running',
    );
    expect(finding?.cause).toContain('sidecar.istio.io/nativeSidecar');
    expect(finding?.cause).toContain('quitquitquit');
    expect(finding?.evidence).toContain(
      'Pod backfill-orders-hm4zs status.containerStatuses[istio-proxy].state: running',
    );

    // Still at work: nothing to say.
    const working = {
      ...finished,
      state: { running: { startedAt: new Date('2026-12-07T12:40:18Z') } },
    };
    expect(
      analyzeJobs({ ...emptySnapshot(), jobs: [active], pods: [pod([working, proxy])] }),
    ).toEqual([]);
  });
});
