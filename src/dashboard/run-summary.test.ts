import { describe, expect, it } from 'vitest';
import { Binding, DEFAULT_AUTONOMY, Identity } from '../config/policy-schema.ts';
import { REDACTED } from '../policy/redact.ts';
import type { RunPlace, RunView, StepRecord } from '../workflows/run-record.ts';
import { readYamlWorkflow } from '../workflows/yaml-load.ts';
import { scopeOf } from './person-scope.ts';
import { mayShowRun, runSummary } from './run-summary.ts';

const loaded = readYamlWorkflow(
  `
name: tidy
steps:
  - name: look
    action: cluster-status
  - name: restart
    action: rollout-restart
    confirm: true
    inputs: { namespace: payments, name: payments-api }
  - name: check
    action: cluster-status
  - name: notify
    action: report
`,
  'tidy.yaml',
  DEFAULT_AUTONOMY,
);
if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
const workflow = loaded.workflow;

const SECRET = 'ghp_1234567890abcdefghijklmnopqrstuvwxyzAB';

function view(place: Partial<RunPlace>, steps: Record<string, StepRecord> = {}): RunView {
  return {
    run: {
      runId: 'wr-1',
      trigger: 'manual',
      inputs: {},
      place: {
        requester: 'web:dana',
        cluster: 'prod',
        namespaces: ['*'],
        maxTier: 'safe',
        ...place,
      },
      startedAt: '2026-12-07T00:00:00.000Z',
      workflow,
    },
    state: 'running',
    summary: undefined,
    finishedAt: undefined,
    steps,
  };
}

describe('a run as the dashboard shows it', () => {
  it('lists the steps in the workflow’s order, each with one redacted line and no outputs', () => {
    const steps: Record<string, StepRecord> = {
      notify: { state: 'pending' },
      check: { state: 'failed', error: `the API refused\nwith token ${SECRET}` },
      restart: { state: 'waiting', proposals: ['pabc123'], outputs: {}, work: workAt() },
      look: {
        state: 'succeeded',
        outputs: {
          summary: `\n  3 nodes ready, GITHUB_TOKEN=${SECRET} ${'x'.repeat(500)}`,
          pods: [],
        },
        text: 'not this',
        proposals: [],
      },
    };

    const shown = runSummary(view({ channel: 'web:ops' }, steps));

    expect(shown.steps.map((s) => [s.name, s.state])).toEqual([
      ['look', 'succeeded'],
      ['restart', 'waiting'],
      ['check', 'failed'],
      ['notify', 'pending'],
    ]);
    const [look, restart, check, notify] = shown.steps;
    expect(look?.detail.startsWith(`3 nodes ready, GITHUB_TOKEN=${REDACTED} xxx`)).toBe(true);
    expect(look?.detail.endsWith('x…')).toBe(true);
    expect(look?.detail).toHaveLength(200);
    expect(restart?.detail).toBe('waiting for a decision on pabc123');
    expect(check?.detail).toBe('the API refused');
    expect(notify?.detail).toBe('');
    expect(JSON.stringify(shown)).not.toContain(SECRET);
    expect(JSON.stringify(shown)).not.toContain('pods');
    expect(shown).toMatchObject({ workflow: 'tidy', channel: 'web:ops', cluster: 'prod' });
  });

  it('reads a step’s text when its outputs have no summary, and redacts the run’s summary', () => {
    const run = {
      ...view({}, { look: { state: 'succeeded', outputs: {}, text: 'all well', proposals: [] } }),
      state: 'failed' as const,
      summary: `stopped: token ${SECRET}`,
    };

    const shown = runSummary(run);

    expect(shown.steps[0]?.detail).toBe('all well');
    expect(shown.summary).toBe(`stopped: token ${REDACTED}`);
    expect(shown.state).toBe('failed');
  });
});

describe('who sees a run', () => {
  const bindings = [
    Binding.parse({ channel: 'web:ops', clusters: ['sandbox'] }),
    Binding.parse({
      channel: 'slack:C0PAY',
      clusters: ['prod'],
      namespaces: ['payments'],
      approvers: ['slack:U0DANA'],
    }),
    Binding.parse({ channel: 'slack:C0SRE', clusters: ['prod'], approvers: ['web:lee'] }),
  ];
  const people = [Identity.parse({ name: 'dana', ids: ['slack:U0DANA', 'web:dana'] })];
  const dana = scopeOf('web:dana', bindings, people);
  const lee = scopeOf('web:lee', bindings, people);
  const sam = scopeOf('web:sam', bindings, people);

  it('shows a channel’s run to the people who see that channel', () => {
    const pay = view({ channel: 'slack:C0PAY' });
    const ops = view({ channel: 'web:ops', cluster: 'sandbox' });

    expect([dana, lee, sam].map((scope) => mayShowRun(pay, scope))).toEqual([true, false, false]);
    expect([dana, lee, sam].map((scope) => mayShowRun(ops, scope))).toEqual([true, true, true]);
  });

  it('shows a run with no channel only to people who see all it may read of its cluster', () => {
    const everything = view({ cluster: 'prod', namespaces: ['*'] });
    const payments = view({ cluster: 'prod', namespaces: ['payments'] });

    expect([dana, lee, sam].map((scope) => mayShowRun(everything, scope))).toEqual([
      false,
      true,
      false,
    ]);
    expect([dana, lee, sam].map((scope) => mayShowRun(payments, scope))).toEqual([
      true,
      true,
      false,
    ]);
  });
});

function workAt() {
  return {
    type: 'action' as const,
    action: 'rollout-restart',
    inputs: { namespace: 'payments', name: 'payments-api' },
    confirm: true,
  };
}
