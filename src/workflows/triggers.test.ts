import { describe, expect, it } from 'vitest';
import { labelsMatch } from '../shared/label-match.ts';
import { alertRuns, MAX_RUNS_PER_NOTIFICATION, schedulesOf } from './triggers.ts';
import type { YamlWorkflow } from './yaml-schema.ts';

const workflow = (name: string, trigger: YamlWorkflow['trigger']) =>
  ({ name, trigger, steps: [], inputs: {} }) as unknown as YamlWorkflow;

const alert = (
  labels: Record<string, string>,
  startsAt = '2026-12-06T10:00:00Z',
  status = 'firing',
) => ({
  status,
  labels,
  annotations: {},
  startsAt,
  fingerprint: `fp-${JSON.stringify(labels)}`,
});

describe('what starts a workflow on its own', () => {
  it('matches labels by equality, and regexes over the whole value', () => {
    const match = { alertname: 'KubePodCrashLooping', namespace: { regex: 'shop-.*' } };

    expect(labelsMatch(match, { alertname: 'KubePodCrashLooping', namespace: 'shop-eu' })).toBe(
      true,
    );
    expect(labelsMatch(match, { alertname: 'KubePodCrashLooping', namespace: 'my-shop-eu' })).toBe(
      false,
    );
    expect(labelsMatch(match, { alertname: 'KubePodCrashLooping' })).toBe(false);
  });

  it('starts the first matching workflow in file order, once per firing alert and start', () => {
    const first = workflow('first', [{ kind: 'alert', match: { alertname: 'Disk' } }]);
    const second = workflow('second', [{ kind: 'alert', match: { alertname: 'Disk' } }]);
    const alerts = [
      alert({ alertname: 'Disk' }),
      alert({ alertname: 'Disk' }),
      alert({ alertname: 'Disk' }, '2026-12-06T11:00:00Z'),
      alert({ alertname: 'Disk' }, '2026-12-06T12:00:00Z', 'resolved'),
      alert({ alertname: 'Other' }),
    ];

    const { runs } = alertRuns(alerts, [first, second], '2026-12-06T12:00:01Z');

    expect(runs.map((r) => r.data.workflow)).toEqual(['first', 'first', 'first']);
    expect(new Set(runs.map((r) => r.jobId)).size).toBe(2);
    expect(runs[0]?.data).toMatchObject({ trigger: 'alert', requester: 'alert:Disk' });
  });

  it('starts at most a bounded number of runs from one notification', () => {
    const storm = Array.from({ length: 500 }, (_, i) =>
      alert({ alertname: 'Disk', instance: `n${i}` }),
    );

    const { runs, beyond } = alertRuns(
      storm,
      [workflow('w', [{ kind: 'alert', match: { alertname: 'Disk' } }])],
      '2026-12-06T12:00:00Z',
    );

    expect(runs).toHaveLength(MAX_RUNS_PER_NOTIFICATION);
    expect(beyond).toBe(500 - MAX_RUNS_PER_NOTIFICATION);
  });

  it('keeps one scheduler per schedule of each workflow', () => {
    const w = workflow('health', [
      { kind: 'manual' },
      { kind: 'schedule', cron: '0 */6 * * *', timezone: undefined },
      { kind: 'schedule', cron: '0 8 * * 1-5', timezone: 'Europe/Paris' },
    ]);

    expect(schedulesOf([w])).toEqual([
      { id: 'workflow.health.0', workflow: 'health', cron: '0 */6 * * *', timezone: undefined },
      {
        id: 'workflow.health.1',
        workflow: 'health',
        cron: '0 8 * * 1-5',
        timezone: 'Europe/Paris',
      },
    ]);
  });
});
