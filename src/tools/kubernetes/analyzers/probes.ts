import {
  type ContainerContext,
  eventLines,
  eventMessages,
  isoOf,
  lastTermination,
  logEvidence,
  RULE_CLASS,
  restartsLine,
  terminationLine,
} from './container-context.ts';
import { classifyLog } from './crash-cause.ts';
import type { Finding } from './finding.ts';
import { describeProbe, probeFailureKind, probeTarget, startupBudget } from './probe-describe.ts';

/**
 * A container the kubelet kills because its liveness or startup probe fails. Its exit code is
 * 137 or 143 with reason Error, not OOMKilled: the cause is the probe, named with its
 * definition and its failure message, and its last log lines when they say more.
 */
export function probeKilled(context: ContainerContext): Finding | undefined {
  const ended = lastTermination(context);
  if ((context.status.restartCount ?? 0) === 0 || ended?.reason === 'OOMKilled') return undefined;
  const killedBy = probeThatKilled(context, ended?.exitCode);
  if (killedBy === undefined) return undefined;
  const { probe, failure, killing } = killedBy;
  const cause =
    probe === 'liveness'
      ? `the kubelet kills ${context.where} because its liveness probe (${describeProbe(context.spec?.livenessProbe, context.spec)}) fails: ${failure}`
      : startupCause(context, failure);
  const logged = classifyLog(context.log?.lines ?? []);
  return {
    rule: `${RULE_CLASS[context.role]}/${probe}-probe`,
    severity: 'critical',
    object: context.ref,
    title: `${context.where} is restarted by its ${probe} probe (${context.status.restartCount ?? 0} restarts)`,
    cause:
      logged === undefined ? cause : `${cause}; its last log lines point at why: ${logged.cause}`,
    confidence: killing ? 'certain' : 'likely',
    confidenceReason: killing
      ? `the kubelet's Killing event says the container failed its ${probe} probe`
      : `${probe} probe failures are recorded and the container was killed (exit code ${ended?.exitCode}, not OOMKilled); the kubelet's Killing event is no longer listed`,
    evidence: [
      terminationLine(context) ?? '',
      restartsLine(context),
      ...eventLines(context, ['Killing', 'Unhealthy'], 2),
      ...logEvidence(context, logged?.lines ?? []),
    ],
  };
}

/**
 * The probe the kubelet killed the container for: named by its Killing event ("Container app
 * failed liveness probe, will be restarted"), or, once that event is gone, by the probe's failures
 * together with an exit code that says it was killed (137 SIGKILL, 143 SIGTERM).
 */
function probeThatKilled(context: ContainerContext, exitCode: number | undefined) {
  const kills = eventMessages(context, 'Killing');
  const unhealthy = eventMessages(context, 'Unhealthy');
  const failuresOf = (probe: string) =>
    unhealthy.filter((m) => m.toLowerCase().startsWith(`${probe} probe failed`));
  for (const probe of ['startup', 'liveness'] as const) {
    const killing = kills.some((m) => m.includes(`failed ${probe} probe`));
    const failures = failuresOf(probe);
    if (!killing && (failures.length === 0 || (exitCode !== 137 && exitCode !== 143))) continue;
    const failure =
      failures[0]?.replace(/^\w+ probe failed: ?/i, '') ?? '(no failure message kept)';
    return { probe, failure, killing };
  }
  return undefined;
}

/** The startup probe's budget against how long the container ran before it was killed. */
function startupCause(context: ContainerContext, failure: string): string {
  const probe = context.spec?.startupProbe;
  const described = describeProbe(probe, context.spec);
  if (probe === undefined)
    return `the kubelet kills ${context.where} because its startup probe fails: ${failure}`;
  const budget = startupBudget(probe);
  const ended = lastTermination(context);
  const ran =
    ended?.startedAt && ended.finishedAt
      ? Math.round(
          (new Date(ended.finishedAt).getTime() - new Date(ended.startedAt).getTime()) / 1000,
        )
      : undefined;
  const ranText =
    ran === undefined || Number.isNaN(ran) ? '' : `; it ran ${ran}s before it was killed`;
  return `the kubelet kills ${context.where} because it does not pass its startup probe (${described}) within the probe's budget of ${budget.seconds}s (${budget.formula})${ranText}: it starts slower than the probe allows, or never becomes healthy (last failure: ${failure})`;
}

/** A running container that is not ready because its readiness probe fails. */
export function readinessFailing(context: ContainerContext): Finding | undefined {
  const { pod, status } = context;
  const running = status.state?.running;
  if (running === undefined || status.ready || pod.status?.phase !== 'Running') return undefined;
  const failures = eventMessages(context, 'Unhealthy').filter((m) =>
    /^readiness probe failed/i.test(m),
  );
  if (failures.length === 0) return undefined;
  const failure = (failures[0] ?? '').replace(/^readiness probe failed: ?/i, '');
  const kind = probeFailureKind(failure);
  const probe = context.spec?.readinessProbe;
  const target = probe === undefined ? 'its readiness probe' : probeTarget(probe, context.spec);
  return {
    rule: kind === undefined ? 'readiness-failing' : `readiness-failing/${kind.kind}`,
    severity: 'warning',
    object: context.ref,
    title: `${context.where} is running but not ready`,
    cause: `its readiness probe (${describeProbe(probe, context.spec)}) fails${kind === undefined ? '' : ` because ${kind.says}`}: ${failure || '(no message)'}, so the pod gets no traffic from its Services`,
    confidence: 'certain',
    confidenceReason: `the kubelet's Unhealthy events say ${target} fails`,
    evidence: [
      `${context.statusField}.state.running: since ${running.startedAt ? isoOf(running.startedAt) : 'unknown'}, ready: false`,
      ...eventLines(context, ['Unhealthy']),
    ],
  };
}
