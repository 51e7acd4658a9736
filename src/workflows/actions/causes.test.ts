import { expect, it } from 'vitest';
import type { Finding } from '../../tools/kubernetes/analyzers/index.ts';
import { diagnosisOutputs } from './causes.ts';

const finding = (rule: string): Finding => ({
  rule,
  severity: 'warning',
  object: { kind: 'Pod', namespace: 'shop', name: 'web-1' },
  title: 't',
  cause: 'c',
  confidence: 'certain',
  confidenceReason: 'r',
  evidence: [],
});

it('gives class/cause rules the word workflows test, by rule or by class', () => {
  const cause = (rule: string) => diagnosisOutputs([finding(rule)], 'shop').cause;

  expect(cause('node/disk-pressure')).toBe('node-pressure');
  expect(cause('node/kubelet-stopped-posting')).toBe('node-not-ready');
  expect(cause('rollout/progress-deadline')).toBe('rollout');
  expect(cause('pending/taints')).toBe('unschedulable');
  expect(cause('quota/exceeded')).toBe('quota');
  expect(cause('hpa/at-max')).toBe('scaling');
  expect(cause('oom-killed')).toBe('oom');
  expect(diagnosisOutputs([], 'shop').cause).toBe('none');
});
