import type { KObject } from './store.ts';

/**
 * The API server's defaulting for the fields people read back: container port protocols, probe
 * timings, pull policy, deployment strategy. Applied on every write, as the real server does.
 */
type Probe = Record<string, unknown> & { httpGet?: Record<string, unknown> };
type Container = {
  ports?: Record<string, unknown>[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  imagePullPolicy?: string;
  image?: string;
  terminationMessagePath?: string;
  terminationMessagePolicy?: string;
};
type PodSpec = {
  containers?: Container[];
  restartPolicy?: string;
  dnsPolicy?: string;
  terminationGracePeriodSeconds?: number;
  schedulerName?: string;
  securityContext?: object;
};

export function applyDefaults(object: KObject): KObject {
  const spec = object.spec as
    | {
        template?: { spec?: PodSpec };
        replicas?: number;
        revisionHistoryLimit?: number;
        progressDeadlineSeconds?: number;
        strategy?: { type?: string; rollingUpdate?: Record<string, unknown> };
      }
    | undefined;
  if (object.kind === 'Secret') object.type ??= 'Opaque';
  if (object.kind === 'Namespace') return namespaceDefaults(object);
  if (object.kind === 'PriorityClass') object.preemptionPolicy ??= 'PreemptLowerPriority';
  if (object.kind === 'NetworkPolicy') networkPolicyDefaults(object);
  if (spec === undefined) return object;
  if (object.kind === 'Pod') podSpec(spec as PodSpec);
  if (['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'].includes(object.kind)) {
    if (spec.template?.spec !== undefined) podSpec(spec.template.spec as PodSpec);
    if (object.kind !== 'DaemonSet') spec.replicas ??= 1;
  }
  if (object.kind === 'StatefulSet' || object.kind === 'DaemonSet') setSpec(object.kind, spec);
  if (object.kind === 'Job') jobSpec(spec as JobSpec);
  if (object.kind === 'CronJob') {
    const cron = spec as CronJobSpec;
    cron.concurrencyPolicy ??= 'Allow';
    cron.suspend ??= false;
    cron.successfulJobsHistoryLimit ??= 3;
    cron.failedJobsHistoryLimit ??= 1;
    if (cron.jobTemplate?.spec !== undefined) jobSpec(cron.jobTemplate.spec);
  }
  if (object.kind === 'Deployment') {
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
    spec.strategy ??= { type: 'RollingUpdate' };
    if (spec.strategy.type === undefined) spec.strategy.type = 'RollingUpdate';
    if (spec.strategy.type === 'RollingUpdate') {
      spec.strategy.rollingUpdate = {
        maxSurge: '25%',
        maxUnavailable: '25%',
        ...(spec.strategy.rollingUpdate ?? {}),
      };
    }
  }
  return object;
}

/** What apps/v1 sets on StatefulSets and DaemonSets; `kubectl rollout status` reads the strategy. */
function setSpec(kind: string, spec: Record<string, unknown>): void {
  spec.revisionHistoryLimit ??= 10;
  spec.updateStrategy ??= { type: 'RollingUpdate' };
  const strategy = spec.updateStrategy as Record<string, unknown>;
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    strategy.rollingUpdate = {
      ...(kind === 'StatefulSet' ? { partition: 0 } : { maxUnavailable: 1, maxSurge: 0 }),
      ...((strategy.rollingUpdate ?? {}) as object),
    };
  }
  if (kind === 'StatefulSet') {
    spec.podManagementPolicy ??= 'OrderedReady';
    spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
  }
}

type JobSpec = {
  template?: { spec?: PodSpec };
  completions?: number;
  parallelism?: number;
  backoffLimit?: number;
  completionMode?: string;
  suspend?: boolean;
  podReplacementPolicy?: string;
};
type CronJobSpec = {
  concurrencyPolicy?: string;
  suspend?: boolean;
  successfulJobsHistoryLimit?: number;
  failedJobsHistoryLimit?: number;
  jobTemplate?: { spec?: JobSpec };
};

/** A Job's defaults, as batch/v1 sets them (the selector comes with the uid, from the controller). */
function jobSpec(spec: JobSpec): void {
  if (spec.template?.spec !== undefined) podSpec(spec.template.spec);
  if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
  spec.parallelism ??= 1;
  spec.backoffLimit ??= 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= 'TerminatingOrFailed';
}

function podSpec(spec: PodSpec): void {
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  for (const c of spec.containers ?? []) {
    for (const port of c.ports ?? []) port.protocol ??= 'TCP';
    for (const probe of [c.readinessProbe, c.livenessProbe]) {
      if (probe === undefined) continue;
      probe.timeoutSeconds ??= 1;
      probe.periodSeconds ??= 10;
      probe.successThreshold ??= 1;
      probe.failureThreshold ??= 3;
      if (probe.httpGet !== undefined) probe.httpGet.scheme ??= 'HTTP';
    }
    c.imagePullPolicy ??=
      c.image?.endsWith(':latest') || !c.image?.includes(':') ? 'Always' : 'IfNotPresent';
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
  }
}

/** A namespace is Active, and its controller's finalizer holds it until it is emptied. */
function namespaceDefaults(object: KObject): KObject {
  const spec = (object.spec ?? {}) as { finalizers?: string[] };
  spec.finalizers ??= ['kubernetes'];
  object.spec = spec;
  const status = (object.status ?? {}) as { phase?: string };
  status.phase ??= 'Active';
  object.status = status;
  return object;
}

/** A policy without types isolates ingress, and egress too when it has egress rules. */
function networkPolicyDefaults(object: KObject): void {
  const spec = (object.spec ?? {}) as { egress?: unknown[]; policyTypes?: string[] };
  object.spec = spec;
  if (spec.policyTypes !== undefined && spec.policyTypes.length > 0) return;
  spec.policyTypes = (spec.egress ?? []).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}
