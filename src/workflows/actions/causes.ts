import type { Finding } from '../../tools/kubernetes/analyzers/index.ts';
import { isProblem } from '../../tools/kubernetes/finding-lead.ts';

/**
 * Causes as workflows test them (`steps.diagnose.outputs.cause == 'oom'`): one short word per
 * kind of failure, the same whether it came from the analyzers or from a container's last end.
 */
const CAUSE_OF_RULE: Readonly<Record<string, string>> = {
  'oom-killed': 'oom',
  'crash-loop': 'crash',
  'image-pull': 'image',
  'missing-reference': 'config',
  'container-config': 'config',
  'mount-failed': 'config',
  'init-container': 'crash',
  sidecar: 'crash',
  'pending-unschedulable': 'unschedulable',
  'readiness-failing': 'readiness',
  'rollout-failed': 'rollout',
  'node-pressure': 'node-pressure',
  'node-not-ready': 'node-not-ready',
  'rollout/progress-deadline': 'rollout',
  'node/not-ready': 'node-not-ready',
  'node/kubelet-stopped-posting': 'node-not-ready',
  'node/memory-pressure': 'node-pressure',
  'node/disk-pressure': 'node-pressure',
  'node/pid-pressure': 'node-pressure',
  // Classes of `class/cause` rules whose causes share one word.
  pending: 'unschedulable',
  quota: 'quota',
  eviction: 'eviction',
  job: 'job',
  cronjob: 'cronjob',
  service: 'service',
  hpa: 'scaling',
  pdb: 'disruption-budget',
  rollout: 'rollout',
  node: 'node',
  workload: 'workload',
};

/**
 * The outputs of a diagnosis, from its lead finding (the findings come ranked, the root cause
 * first, as the answer tells them): `none` when nothing was found.
 */
export function diagnosisOutputs(
  findings: readonly Finding[],
  namespace: string | undefined,
): Record<string, unknown> {
  // An `info` finding is a state its owners chose, no problem: it neither leads nor counts.
  const problems = findings.filter(isProblem);
  const first = problems[0];
  const action = first?.action;
  const container = action?.type === 'set-resources' ? action.container : '';
  const memory = action?.type === 'set-resources' ? (action.resources.limits?.memory ?? '') : '';
  const object = first?.object;
  return {
    cause: first === undefined ? 'none' : causeOfRule(first.rule),
    summary:
      first?.title ?? `no problems found${namespace === undefined ? '' : ` in ${namespace}`}`,
    severity: first?.severity ?? 'info',
    findings: problems.length,
    pod: object?.kind === 'Pod' ? object.name : '',
    namespace: object?.namespace ?? namespace ?? '',
    container,
    workload:
      action !== undefined ? action.target.name : object?.kind === 'Deployment' ? object.name : '',
    memory_limit: memory,
    fixes: findings.flatMap((f) => (f.action === undefined ? [] : [f.action.summary])),
  };
}

/** A rule's cause word, by its class (`crash-loop/connection-refused` is a `crash`). */
function causeOfRule(rule: string): string {
  return CAUSE_OF_RULE[rule] ?? CAUSE_OF_RULE[rule.split('/')[0] ?? ''] ?? rule;
}

/** What ended a container, from its last termination and, failing that, its last log lines. */
export function causeOf(
  lastReason: string,
  exitCode: number | null,
  waiting: string,
  lines: readonly string[],
): string {
  if (lastReason === 'OOMKilled') return 'oom';
  if (/ImagePull|ErrImage|InvalidImageName/.test(waiting)) return 'image';
  if (/CreateContainerConfigError|CreateContainerError/.test(waiting)) return 'config';
  if (exitCode !== null && exitCode !== 0) return 'crash';
  if (lines.some((line) => /\b(panic|fatal|exception|error)\b/i.test(line))) return 'error';
  return 'none';
}
