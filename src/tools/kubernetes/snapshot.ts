import type {
  CoreV1Event,
  V1CronJob,
  V1DaemonSet,
  V1Deployment,
  V1EndpointSlice,
  V1Job,
  V1Node,
  V1PersistentVolumeClaim,
  V1Pod,
  V1PodDisruptionBudget,
  V1ReplicaSet,
  V1ResourceQuota,
  V1Service,
  V1StatefulSet,
  V1StorageClass,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import { redactText } from '../../policy/redact.ts';
import type { Cluster } from './cluster.ts';
import { wrapKubernetesError } from './errors.ts';

/**
 * The last lines a container wrote: of its previous instance when it restarted (what a crash
 * loop's cause is in), else of the terminated one. Cleaned of control bytes and bounded; not yet
 * redacted, so whatever quotes it goes through the redaction of findings.
 */
export type ContainerLog = {
  namespace: string;
  pod: string;
  container: string;
  previous: boolean;
  /**
   * The pod's controller (a ReplicaSet, a Job…), when it has one: its replicas run the same
   * image and fail alike, so one of them is read for all.
   */
  owner?: string;
  /** The lines, oldest first; absent when the API server would not give them. */
  lines?: string[];
  /** Why there are no lines (the API server's answer), when there are none. */
  unavailable?: string;
};

/** The objects of one namespace (or cluster) the analyzers look at. Secrets are never part of it. */
export type Snapshot = {
  pods: V1Pod[];
  deployments: V1Deployment[];
  replicaSets: V1ReplicaSet[];
  nodes: V1Node[];
  events: CoreV1Event[];
  statefulSets: V1StatefulSet[];
  daemonSets: V1DaemonSet[];
  jobs: V1Job[];
  cronJobs: V1CronJob[];
  hpas: V2HorizontalPodAutoscaler[];
  pdbs: V1PodDisruptionBudget[];
  pvcs: V1PersistentVolumeClaim[];
  storageClasses: V1StorageClass[];
  resourceQuotas: V1ResourceQuota[];
  services: V1Service[];
  endpointSlices: V1EndpointSlice[];
  logs: ContainerLog[];
};

/** A snapshot with nothing in it, to build on (tests, merges). */
export function emptySnapshot(): Snapshot {
  return {
    pods: [],
    deployments: [],
    replicaSets: [],
    nodes: [],
    events: [],
    statefulSets: [],
    daemonSets: [],
    jobs: [],
    cronJobs: [],
    hpas: [],
    pdbs: [],
    pvcs: [],
    storageClasses: [],
    resourceQuotas: [],
    services: [],
    endpointSlices: [],
    logs: [],
  };
}

/** Several snapshots as one; the cluster-wide lists (nodes, storage classes) from the first. */
export function mergeSnapshots(snapshots: readonly Snapshot[]): Snapshot {
  const merged = emptySnapshot();
  for (const [i, snapshot] of snapshots.entries()) {
    for (const key of Object.keys(merged) as (keyof Snapshot)[]) {
      if (i > 0 && (key === 'nodes' || key === 'storageClasses')) continue;
      (merged[key] as unknown[]).push(...(snapshot[key] as unknown[]));
    }
  }
  return merged;
}

/** How many containers' last lines one snapshot reads, the most restarted first. */
export const MAX_LOGS = 8;
const TAIL_LINES = 40;
const LIMIT_BYTES = 16 * 1024;
const MAX_LINE = 400;

type Items<T> = Promise<{ items: T[] }>;
/** How to list one kind: across every namespace, or in one. */
type Lister<T> = { all: () => Items<T>; namespaced: (namespace: string) => Items<T> };
type ListOf = <T>(resource: string, lister: Lister<T>) => Promise<T[]>;

/**
 * One read of what the analyzers look at: the workloads, pods, events, autoscalers, budgets and
 * Services of a namespace (or of every namespace) and the nodes; then, only when something does
 * not start, its claims, storage classes and quotas, and the last lines of the containers that
 * crashed. Thirteen list calls whatever the cluster's size, three more when they can tell why a
 * pod waits, and at most `MAX_LOGS` log reads.
 */
export async function readSnapshot(cluster: Cluster, namespace?: string): Promise<Snapshot> {
  const list: ListOf = (resource, lister) =>
    (namespace === undefined ? lister.all() : lister.namespaced(namespace)).then(
      (r) => r.items,
      (error: unknown) => {
        throw wrapKubernetesError(error, {
          verb: 'list',
          resource,
          ...(namespace === undefined ? {} : { namespace }),
        });
      },
    );
  const [workloads, others] = await Promise.all([
    readWorkloads(cluster, list),
    readOthers(cluster, list),
  ]);
  return { ...workloads, ...others, ...(await readWhy(cluster, list, workloads)) };
}

function clusterWide<T>(resource: string, items: Items<T>): Promise<T[]> {
  return items.then(
    (r) => r.items,
    (error: unknown) => {
      throw wrapKubernetesError(error, { verb: 'list', resource });
    },
  );
}

async function readWorkloads(cluster: Cluster, list: ListOf) {
  const { core, apps } = cluster;
  const [pods, deployments, replicaSets, events, nodes, statefulSets, daemonSets] =
    await Promise.all([
      list('pods', {
        all: () => core.listPodForAllNamespaces(),
        namespaced: (ns) => core.listNamespacedPod({ namespace: ns }),
      }),
      list('deployments', {
        all: () => apps.listDeploymentForAllNamespaces(),
        namespaced: (ns) => apps.listNamespacedDeployment({ namespace: ns }),
      }),
      list('replicasets', {
        all: () => apps.listReplicaSetForAllNamespaces(),
        namespaced: (ns) => apps.listNamespacedReplicaSet({ namespace: ns }),
      }),
      list('events', {
        all: () => core.listEventForAllNamespaces(),
        namespaced: (ns) => core.listNamespacedEvent({ namespace: ns }),
      }),
      clusterWide('nodes', core.listNode()),
      list('statefulsets', {
        all: () => apps.listStatefulSetForAllNamespaces(),
        namespaced: (ns) => apps.listNamespacedStatefulSet({ namespace: ns }),
      }),
      list('daemonsets', {
        all: () => apps.listDaemonSetForAllNamespaces(),
        namespaced: (ns) => apps.listNamespacedDaemonSet({ namespace: ns }),
      }),
    ]);
  return { pods, deployments, replicaSets, events, nodes, statefulSets, daemonSets };
}

async function readOthers(cluster: Cluster, list: ListOf) {
  const { core, batch, autoscaling, policy, discovery } = cluster;
  const [jobs, cronJobs, hpas, pdbs, services, endpointSlices] = await Promise.all([
    list('jobs', {
      all: () => batch.listJobForAllNamespaces(),
      namespaced: (ns) => batch.listNamespacedJob({ namespace: ns }),
    }),
    list('cronjobs', {
      all: () => batch.listCronJobForAllNamespaces(),
      namespaced: (ns) => batch.listNamespacedCronJob({ namespace: ns }),
    }),
    list('horizontalpodautoscalers', {
      all: () => autoscaling.listHorizontalPodAutoscalerForAllNamespaces(),
      namespaced: (ns) => autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace: ns }),
    }),
    list('poddisruptionbudgets', {
      all: () => policy.listPodDisruptionBudgetForAllNamespaces(),
      namespaced: (ns) => policy.listNamespacedPodDisruptionBudget({ namespace: ns }),
    }),
    list('services', {
      all: () => core.listServiceForAllNamespaces(),
      namespaced: (ns) => core.listNamespacedService({ namespace: ns }),
    }),
    list('endpointslices', {
      all: () => discovery.listEndpointSliceForAllNamespaces(),
      namespaced: (ns) => discovery.listNamespacedEndpointSlice({ namespace: ns }),
    }),
  ]);
  return { jobs, cronJobs, hpas, pdbs, services, endpointSlices };
}

/**
 * Claims, storage classes and quotas only say why something does not start: read when it does
 * not (a pending pod with a claim, a refusal for quota); logs only of what crashed.
 */
async function readWhy(
  cluster: Cluster,
  list: ListOf,
  { pods, events }: { pods: V1Pod[]; events: CoreV1Event[] },
) {
  const { core, storage } = cluster;
  const claims = waitsOnClaims(pods);
  const [pvcs, storageClasses, resourceQuotas, logs] = await Promise.all([
    claims
      ? list('persistentvolumeclaims', {
          all: () => core.listPersistentVolumeClaimForAllNamespaces(),
          namespaced: (ns) => core.listNamespacedPersistentVolumeClaim({ namespace: ns }),
        })
      : [],
    claims ? clusterWide('storageclasses', storage.listStorageClass()) : [],
    refusedForQuota(events)
      ? list('resourcequotas', {
          all: () => core.listResourceQuotaForAllNamespaces(),
          namespaced: (ns) => core.listNamespacedResourceQuota({ namespace: ns }),
        })
      : [],
    readLogs(cluster, pods),
  ]);
  return { pvcs, storageClasses, resourceQuotas, logs };
}

/** A pending pod that mounts a claim: the claim may be why. */
function waitsOnClaims(pods: readonly V1Pod[]): boolean {
  return pods.some(
    (pod) =>
      pod.status?.phase === 'Pending' &&
      (pod.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim !== undefined),
  );
}

/** An event saying a quota refused something (a ReplicaSet's pods, a Job's). */
function refusedForQuota(events: readonly CoreV1Event[]): boolean {
  return events.some((e) => /exceeded quota|forbidden: failed quota/i.test(e.message ?? ''));
}

/**
 * The containers whose last lines may say why they stopped: crashed or failed ones, one per
 * controller and container name (the most restarted), since replicas fail alike.
 */
export function containersToRead(pods: readonly V1Pod[]): Omit<ContainerLog, 'lines'>[] {
  const found: (Omit<ContainerLog, 'lines'> & { restarts: number })[] = [];
  for (const pod of pods) {
    const namespace = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    const owner = controllerOf(pod);
    const statuses = [
      ...(pod.status?.initContainerStatuses ?? []),
      ...(pod.status?.containerStatuses ?? []),
    ];
    for (const status of statuses) {
      // A last state means an instance before this one, whatever restartCount says yet.
      const restarted = status.lastState?.terminated != null;
      const failed = (status.state?.terminated?.exitCode ?? 0) !== 0;
      if (!restarted && !failed) continue;
      found.push({
        namespace,
        pod: name,
        container: status.name,
        previous: restarted && status.state?.terminated === undefined,
        restarts: status.restartCount,
        ...(owner === undefined ? {} : { owner }),
      });
    }
  }
  const seen = new Set<string>();
  return found
    .sort((a, b) => b.restarts - a.restarts)
    .filter((c) => {
      const key = `${c.namespace}/${c.owner ?? `pod ${c.pod}`}/${c.container}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .slice(0, MAX_LOGS)
    .map(({ restarts: _, ...rest }) => rest);
}

/** The name of the pod's controller, by kind (`ReplicaSet/web-7f9c6d5b8`), when it has one. */
export function controllerOf(pod: V1Pod): string | undefined {
  const owner = pod.metadata?.ownerReferences?.find((o) => o?.controller === true);
  return owner === undefined ? undefined : `${owner.kind}/${owner.name}`;
}

async function readLogs(cluster: Cluster, pods: readonly V1Pod[]): Promise<ContainerLog[]> {
  return Promise.all(
    containersToRead(pods).map(async (target): Promise<ContainerLog> => {
      try {
        const text = await cluster.core.readNamespacedPodLog({
          name: target.pod,
          namespace: target.namespace,
          container: target.container,
          previous: target.previous,
          tailLines: TAIL_LINES,
          limitBytes: LIMIT_BYTES,
        });
        return { ...target, lines: logLines(String(text)) };
      } catch (error) {
        const reason = wrapKubernetesError(error, {
          verb: 'get',
          resource: 'pods/log',
          namespace: target.namespace,
        }).message;
        return { ...target, unavailable: reason };
      }
    }),
  );
}

/**
 * A container's output as lines a person can read: control bytes and undecodable bytes dropped,
 * each line bounded, empty lines left out, the last `TAIL_LINES` kept.
 */
export function logLines(text: string): string[] {
  // Redacted whole before any bound cuts it: a secret cut in two no longer looks like one.
  return redactText(text)
    .split(/\r?\n/)
    .map((line) =>
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control bytes are what is removed
      line.replace(/[\u0000-\u0008\u000b-\u001f\u007f\ufffd]/g, '').trimEnd(),
    )
    .filter((line) => line.trim() !== '')
    .map((line) => (line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line))
    .slice(-TAIL_LINES);
}
