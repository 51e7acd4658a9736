import type { V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { formatMemory, nextMemoryLimit, parseMemory } from '../../../shared/quantity.ts';
import {
  type ContainerContext,
  eventLines,
  lastTermination,
  restartsLine,
  terminationLine,
} from './container-context.ts';
import type { Finding, ProposedAction } from './finding.ts';
import { deploymentOf } from './owners.ts';

/** A container the kernel kills for its memory, with a bigger limit proposed when one is set. */
export function oomKilled(context: ContainerContext): Finding | undefined {
  const { pod, status, snapshot } = context;
  const waiting = status.state?.waiting;
  const oom =
    lastTermination(context)?.reason === 'OOMKilled' &&
    (waiting?.reason === 'CrashLoopBackOff' || (status.restartCount ?? 0) > 0);
  if (!oom) return undefined;
  const finding: Finding = {
    rule: 'oom-killed',
    severity: 'critical',
    object: context.ref,
    title: `${context.where} is killed for running out of memory (${status.restartCount ?? 0} restarts)`,
    cause: `the container uses more memory than its limit allows and the kernel kills it`,
    confidence: 'certain',
    confidenceReason: 'the last termination reason is OOMKilled',
    evidence: [
      terminationLine(context) ?? '',
      restartsLine(context),
      memoryLine(context),
      ...eventLines(context, ['BackOff', 'OOMKilling']),
    ],
  };
  const action =
    context.role === 'container' ? raiseMemory(pod, status.name, snapshot.replicaSets) : undefined;
  if (action !== undefined) finding.action = action;
  return finding;
}

function memoryLine(context: ContainerContext): string {
  const resources = context.spec?.resources;
  return `${context.specField}.resources: memory limit ${resources?.limits?.memory ?? 'none'}, request ${resources?.requests?.memory ?? 'none'}`;
}

/** OOM kill → raise the owning Deployment's memory limit by a step, when the pod has a limit. */
function raiseMemory(
  pod: V1Pod,
  container: string,
  replicaSets: readonly V1ReplicaSet[],
): ProposedAction | undefined {
  const limit = (pod.spec?.containers ?? []).find((c) => c.name === container)?.resources?.limits
    ?.memory;
  const bytes = limit === undefined ? undefined : parseMemory(limit);
  const owner = deploymentOf(pod, replicaSets);
  if (limit === undefined || bytes === undefined || owner === undefined) return undefined;
  const next = formatMemory(nextMemoryLimit(bytes));
  return {
    type: 'set-resources',
    target: owner,
    container,
    resources: { limits: { memory: next } },
    summary: `raise the memory limit of ${container} in deployment ${owner.name} from ${limit} to ${next}`,
  };
}
