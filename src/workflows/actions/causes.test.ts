import { describe, expect, it } from 'vitest';
import type { Finding } from '../../tools/kubernetes/analyzers/index.ts';
import { diagnosisOutputs } from './causes.ts';

function finding(rule: string): Finding {
  return {
    rule,
    severity: 'critical',
    object: { kind: 'Pod', namespace: 'shop', name: 'web-1' },
    title: 'container app of pod web-1 is crash looping (3 restarts)',
    cause: 'it cannot connect to db:5432',
    confidence: 'likely',
    confidenceReason: 'a log line',
    evidence: [],
  };
}

describe('diagnosisOutputs', () => {
  it.each([
    ['crash-loop/connection-refused', 'crash'],
    ['crash-loop', 'crash'],
    ['init-container/dns', 'crash'],
    ['missing-reference/configmap', 'config'],
    ['image-pull/not-found', 'image'],
    ['readiness-failing/http-status', 'readiness'],
    ['oom-killed', 'oom'],
    ['node/disk-pressure', 'node-pressure'],
    ['node/kubelet-stopped-posting', 'node-not-ready'],
    ['rollout/progress-deadline', 'rollout'],
    ['pending/taints', 'unschedulable'],
    ['quota/exceeded', 'quota'],
    ['hpa/at-max', 'scaling'],
    ['some-new-rule/why', 'some-new-rule/why'],
  ])('gives rule %s the cause word %s, by its class', (rule, cause) => {
    expect(diagnosisOutputs([finding(rule)], 'shop').cause).toBe(cause);
  });

  it('take a scope whose only findings are info for one with no problem', () => {
    const suspended: Finding = { ...finding('cronjob/suspended'), severity: 'info' };

    expect(diagnosisOutputs([suspended], 'batch')).toMatchObject({
      cause: 'none',
      summary: 'no problems found in batch',
      severity: 'info',
      findings: 0,
    });
    expect(diagnosisOutputs([suspended, finding('oom-killed')], 'batch')).toMatchObject({
      cause: 'oom',
      findings: 1,
    });
  });
});
