import type { KObject } from '../../api/store.ts';

/**
 * Argo CD's health assessment of live objects, for the kinds it has built-in checks for: a
 * Deployment rolling out is Progressing, one past its progress deadline Degraded, a paused one
 * Suspended; a pod crash-looping or failing to pull is Degraded. Kinds without a check (a
 * ConfigMap) have no health and do not count in the application's.
 */
export type HealthStatus =
  | 'Healthy'
  | 'Progressing'
  | 'Degraded'
  | 'Suspended'
  | 'Missing'
  | 'Unknown';
export type Health = { status: HealthStatus; message?: string };

/** Worst last: the application's health is its worst resource's. */
const ORDER: readonly HealthStatus[] = [
  'Healthy',
  'Suspended',
  'Progressing',
  'Missing',
  'Degraded',
  'Unknown',
];

export function worst(healths: readonly HealthStatus[]): HealthStatus {
  return healths.reduce<HealthStatus>(
    (a, b) => (ORDER.indexOf(b) > ORDER.indexOf(a) ? b : a),
    'Healthy',
  );
}

type Condition = { type?: string; status?: string; reason?: string; message?: string };
type WorkloadStatus = {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  readyReplicas?: number;
  conditions?: Condition[];
};

export function healthOf(live: KObject | undefined): Health | undefined {
  if (live === undefined) return { status: 'Missing' };
  switch (live.kind) {
    case 'Deployment':
      return deploymentHealth(live);
    case 'StatefulSet':
    case 'DaemonSet':
      return setHealth(live);
    case 'Pod':
      return podHealth(live);
    case 'PersistentVolumeClaim':
      return claimHealth(live);
    case 'Service':
    case 'Ingress':
      return { status: 'Healthy' };
    default:
      return undefined;
  }
}

function deploymentHealth(live: KObject): Health {
  const spec = (live.spec ?? {}) as { replicas?: number; paused?: boolean };
  const status = (live.status ?? {}) as WorkloadStatus;
  if (spec.paused === true) return { status: 'Suspended', message: 'Deployment is paused' };
  const name = live.metadata.name;
  if ((status.observedGeneration ?? 0) < (live.metadata.generation ?? 0))
    return {
      status: 'Progressing',
      message:
        'Waiting for rollout to finish: observed deployment generation less than desired generation',
    };
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded')
    return { status: 'Degraded', message: `Deployment "${name}" exceeded its progress deadline` };
  const want = spec.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const available = status.availableReplicas ?? 0;
  if (updated < want)
    return {
      status: 'Progressing',
      message: `Waiting for rollout to finish: ${updated} out of ${want} new replicas have been updated...`,
    };
  if ((status.replicas ?? 0) > updated)
    return {
      status: 'Progressing',
      message: `Waiting for rollout to finish: ${(status.replicas ?? 0) - updated} old replicas are pending termination...`,
    };
  if (available < updated)
    return {
      status: 'Progressing',
      message: `Waiting for rollout to finish: ${available} of ${updated} updated replicas are available...`,
    };
  return { status: 'Healthy' };
}

function setHealth(live: KObject): Health {
  const status = (live.status ?? {}) as WorkloadStatus & {
    desiredNumberScheduled?: number;
    numberAvailable?: number;
  };
  if ((status.observedGeneration ?? 0) < (live.metadata.generation ?? 0))
    return {
      status: 'Progressing',
      message: 'Waiting for rollout to finish: observed generation less than desired generation',
    };
  const want =
    live.kind === 'DaemonSet'
      ? (status.desiredNumberScheduled ?? 0)
      : ((live.spec as { replicas?: number } | undefined)?.replicas ?? 1);
  const ready =
    live.kind === 'DaemonSet' ? (status.numberAvailable ?? 0) : (status.readyReplicas ?? 0);
  if (ready < want)
    return {
      status: 'Progressing',
      message: `Waiting for rollout to finish: ${ready} of ${want} pods are ready...`,
    };
  return { status: 'Healthy' };
}

const BAD_WAITING = new Set([
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'CreateContainerConfigError',
  'InvalidImageName',
]);

function podHealth(live: KObject): Health {
  const status = (live.status ?? {}) as {
    phase?: string;
    message?: string;
    containerStatuses?: { name: string; ready?: boolean; state?: { waiting?: Condition } }[];
  };
  for (const container of status.containerStatuses ?? []) {
    const waiting = container.state?.waiting;
    if (waiting?.reason !== undefined && BAD_WAITING.has(waiting.reason))
      return { status: 'Degraded', message: waiting.message ?? waiting.reason };
  }
  if (status.phase === 'Failed')
    return { status: 'Degraded', message: status.message ?? 'the pod failed' };
  if (status.phase === 'Succeeded') return { status: 'Healthy' };
  const ready = (status.containerStatuses ?? []).every((c) => c.ready === true);
  if (status.phase === 'Running' && ready) return { status: 'Healthy' };
  return {
    status: 'Progressing',
    message: status.message ?? `pod is ${status.phase ?? 'Pending'}`,
  };
}

function claimHealth(live: KObject): Health {
  const phase = (live.status as { phase?: string } | undefined)?.phase;
  if (phase === 'Bound') return { status: 'Healthy' };
  if (phase === 'Lost') return { status: 'Degraded', message: 'the claim lost its volume' };
  return { status: 'Progressing', message: 'Waiting for the claim to be bound' };
}
