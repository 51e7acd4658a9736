import { describe, expect, it } from 'vitest';
import { findingOf } from './run-messages.ts';
import type { RunView, StepRecord } from './run-record.ts';
import type { YamlWorkflow } from './yaml-schema.ts';

const workflow = {
  name: 'pod-crashloop',
  file: 'pod-crashloop.yaml',
  trigger: [{ kind: 'alert', match: { alertname: 'X' } }],
  inputs: {},
  autonomy: { auto_approve: [], always_confirm: [] },
  steps: [
    { name: 'diagnose', action: 'diagnose', on_failure: 'stop' },
    { name: 'raise-memory', action: 'set-resources', confirm: true, on_failure: 'stop' },
    { name: 'explain', agent: 'k8s-diagnostician', task: 'Why?', on_failure: 'stop' },
    { name: 'summary', action: 'report', on_failure: 'stop' },
  ],
} as YamlWorkflow;

function view(steps: Record<string, StepRecord>): RunView {
  return {
    run: {
      runId: 'r1',
      trigger: 'alert',
      inputs: {},
      place: { requester: 'alert:1', cluster: 'prod', namespaces: ['*'], maxTier: 'confirm' },
      startedAt: '2026-12-06T10:00:00.000Z',
      workflow,
    },
    state: 'running',
    summary: undefined,
    finishedAt: undefined,
    steps,
  };
}

const done = (outputs: Record<string, unknown>, text?: string): StepRecord => ({
  state: 'succeeded',
  outputs,
  proposals: [],
  ...(text === undefined ? {} : { text }),
});

describe("what a workflow's step found", () => {
  it('is a read’s summary or an agent’s answer, never a change or the closing report', () => {
    const run = view({
      diagnose: done({ summary: 'payments-api is OOMKilled (limit 256Mi)' }, 'OOMKilled ×6'),
      'raise-memory': done({ summary: 'memory raised' }, 'applied'),
      explain: done({}, 'The limit is too low for the cache.'),
      summary: done({}, 'diagnose: succeeded …'),
    });

    expect(findingOf(run, 'diagnose')).toBe(
      'payments-api is OOMKilled (limit 256Mi)\nOOMKilled ×6',
    );
    expect(findingOf(run, 'raise-memory')).toBeUndefined();
    expect(findingOf(run, 'explain')).toBe('The limit is too low for the cache.');
    expect(findingOf(run, 'summary')).toBeUndefined();
  });

  it('is nothing for a step that did not succeed or said nothing', () => {
    const run = view({
      diagnose: { state: 'failed', error: 'cluster unreachable' } as StepRecord,
      explain: done({}, '   '),
    });

    expect(findingOf(run, 'diagnose')).toBeUndefined();
    expect(findingOf(run, 'explain')).toBeUndefined();
  });
});
