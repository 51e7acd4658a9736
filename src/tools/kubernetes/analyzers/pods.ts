import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { containerConfig } from './config-errors.ts';
import { type ContainerRole, containerContext } from './container-context.ts';
import { crashLoop } from './crash-loop.ts';
import type { Finding, Snapshot } from './finding.ts';
import { imagePull } from './images.ts';
import { initStuck } from './init-containers.ts';
import { mountFailed } from './mounts.ts';
import { oomKilled } from './oom.ts';
import { probeKilled, readinessFailing } from './probes.ts';

export { deploymentOf } from './owners.ts';

/**
 * Findings about pods' containers, init containers and sidecars: OOM kills, probe kills, crash
 * loops with their cause, image pulls, configuration the kubelet cannot use, failing
 * readiness, init containers that do not finish, and volumes that cannot be mounted.
 */
export function analyzePods(snapshot: Snapshot, now: number = Date.now()): Finding[] {
  const findings: Finding[] = [];
  for (const pod of snapshot.pods) {
    for (const [status, role] of statusesOf(pod)) {
      const finding = containerFinding(pod, status, role, snapshot, now);
      if (finding !== undefined) findings.push(finding);
    }
    const mount = mountFailed(pod, snapshot);
    if (mount !== undefined) findings.push(mount);
  }
  return findings;
}

/** Each container status of the pod with what the container is for. */
function statusesOf(pod: V1Pod): [V1ContainerStatus, ContainerRole][] {
  const sidecars = new Set(
    (pod.spec?.initContainers ?? [])
      .filter((c) => c?.restartPolicy === 'Always')
      .map((c) => c.name),
  );
  const valid = (s: unknown): s is V1ContainerStatus =>
    typeof s === 'object' && s !== null && typeof (s as { name?: unknown }).name === 'string';
  return [
    ...(pod.status?.initContainerStatuses ?? [])
      .filter(valid)
      .map((s): [V1ContainerStatus, ContainerRole] => [
        s,
        sidecars.has(s.name) ? 'sidecar' : 'init container',
      ]),
    ...(pod.status?.containerStatuses ?? [])
      .filter(valid)
      .map((s): [V1ContainerStatus, ContainerRole] => [s, 'container']),
  ];
}

/** The first rule that holds for the container, in order: a container fails one way at a time. */
function containerFinding(
  pod: V1Pod,
  status: V1ContainerStatus,
  role: ContainerRole,
  snapshot: Snapshot,
  now: number,
): Finding | undefined {
  const context = containerContext(pod, status, role, snapshot);
  return (
    oomKilled(context) ??
    probeKilled(context) ??
    containerConfig(context) ??
    crashLoop(context, now) ??
    imagePull(context) ??
    initStuck(context, now) ??
    readinessFailing(context)
  );
}
