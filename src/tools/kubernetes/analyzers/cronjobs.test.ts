import type { CoreV1Event, V1CronJob, V1Job } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { emptySnapshot } from '../snapshot.ts';
import { analyzeCronJobs } from './cronjobs.ts';

const NS = 'reporting';
const NOW = new Date('2026-12-07T10:30:00Z');

function cronJob(spec: Partial<V1CronJob['spec']>, status: V1CronJob['status'] = {}): V1CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: {
      name: 'invoice-export',
      namespace: NS,
      creationTimestamp: new Date('2026-11-01T00:00:00Z'),
    },
    spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: {} } }, ...spec },
    status,
  };
}

const event = (reason: string, message: string): CoreV1Event => ({
  metadata: { name: `invoice-export.${reason}`, namespace: NS },
  involvedObject: { kind: 'CronJob', name: 'invoice-export', namespace: NS },
  reason,
  message,
  type: 'Warning',
});

describe('cronjobs', () => {
  it('find nothing when the last run is the one the schedule expects', () => {
    const onTime = cronJob({}, { lastScheduleTime: new Date('2026-12-07T10:00:00Z') });

    expect(analyzeCronJobs({ ...emptySnapshot(), cronJobs: [onTime] }, NOW)).toEqual([]);
  });

  it('find a run hours late though a start time has just come, and not one just due', () => {
    const justAfterSlot = new Date('2026-12-07T10:01:00Z');
    const late = cronJob({}, { lastScheduleTime: new Date('2026-12-07T04:00:00Z') });
    const due = cronJob({}, { lastScheduleTime: new Date('2026-12-07T09:00:00Z') });

    const found = analyzeCronJobs({ ...emptySnapshot(), cronJobs: [late] }, justAfterSlot);
    const none = analyzeCronJobs({ ...emptySnapshot(), cronJobs: [due] }, justAfterSlot);

    expect(found).toMatchObject([{ rule: 'cronjob/missed-schedule' }]);
    expect(found[0]?.title).toContain('2026-12-07T09:00');
    expect(none).toEqual([]);
  });

  it('say a run held back by concurrencyPolicy Forbid and the job still running', () => {
    const late = cronJob(
      { concurrencyPolicy: 'Forbid' },
      {
        lastScheduleTime: new Date('2026-12-07T08:00:00Z'),
        active: [{ kind: 'Job', name: 'invoice-export-29944080', namespace: NS }],
      },
    );
    const running: V1Job = {
      metadata: { name: 'invoice-export-29944080', namespace: NS },
      status: { active: 1, startTime: new Date('2026-12-07T08:00:05Z') },
    };

    const [finding] = analyzeCronJobs(
      { ...emptySnapshot(), cronJobs: [late], jobs: [running] },
      NOW,
    );

    expect(finding).toMatchObject({
      rule: 'cronjob/concurrency-forbid',
      severity: 'warning',
      confidence: 'certain',
    });
    expect(finding?.title).toBe(
      'cronjob invoice-export missed its run at 2026-12-07T10:00:00.000Z',
    );
    expect(finding?.cause).toBe(
      'the job of an earlier run, invoice-export-29944080, is still running (since 2026-12-07T08:00:05.000Z), and concurrencyPolicy Forbid skips new runs while it does',
    );
  });

  it('say too many missed starts from the controller event', () => {
    const late = cronJob({}, { lastScheduleTime: new Date('2026-11-01T00:00:00Z') });
    const tooMany = event(
      'TooManyMissedTimes',
      'too many missed start times: 101. Set or decrease .spec.startingDeadlineSeconds or check clock skew',
    );

    const [finding] = analyzeCronJobs(
      { ...emptySnapshot(), cronJobs: [late], events: [tooMany] },
      NOW,
    );

    expect(finding?.rule).toBe('cronjob/too-many-missed');
  });

  it('say a passed starting deadline, and when nothing says why, that it could not tell', () => {
    const deadline = cronJob(
      { startingDeadlineSeconds: 60 },
      { lastScheduleTime: new Date('2026-12-07T09:00:00Z') },
    );
    const silent = cronJob({}, { lastScheduleTime: new Date('2026-12-07T09:00:00Z') });

    const [withDeadline] = analyzeCronJobs({ ...emptySnapshot(), cronJobs: [deadline] }, NOW);
    const [unexplained] = analyzeCronJobs({ ...emptySnapshot(), cronJobs: [silent] }, NOW);

    expect(withDeadline).toMatchObject({ rule: 'cronjob/missed-schedule', confidence: 'likely' });
    expect(withDeadline?.cause).toContain('startingDeadlineSeconds (60s)');
    expect(unexplained).toMatchObject({ rule: 'cronjob/missed-schedule', confidence: 'unsure' });
    expect(unexplained?.cause).toMatch(
      /^could not determine why the run did not start \(checked: /,
    );
  });

  it('reads the schedule in its time zone', () => {
    // 11:00 in Paris is 10:00 UTC: today's run was due at 10:00 UTC, and the last was yesterday's.
    const paris = cronJob(
      { schedule: '0 11 * * *', timeZone: 'Europe/Paris' },
      { lastScheduleTime: new Date('2026-12-06T10:00:00Z') },
    );

    const [finding] = analyzeCronJobs({ ...emptySnapshot(), cronJobs: [paris] }, NOW);

    expect(finding?.title).toBe(
      'cronjob invoice-export missed its run at 2026-12-07T10:00:00.000Z',
    );
  });

  it('say a suspended CronJob as info, and skip a schedule it cannot read', () => {
    const findings = analyzeCronJobs(
      {
        ...emptySnapshot(),
        cronJobs: [cronJob({ suspend: true }), cronJob({ schedule: 'not a schedule' })],
      },
      NOW,
    );

    expect(findings.map((f) => [f.rule, f.severity])).toEqual([['cronjob/suspended', 'info']]);
  });
});
