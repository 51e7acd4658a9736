import { parseCpu, parseMemory } from '../../shared/quantity.ts';
import type { KObject } from '../api/store.ts';
import { type Exposition, labelText } from './exposition.ts';

/**
 * kube-state-metrics' pod families, read from the pods' spec and status as the API serves them:
 * the same restarts, phases and reasons `kubectl get pods` and `describe` show. Each pod's and
 * container's identifying labels are formatted once per scrape and shared by its families.
 */
type ContainerSpec = {
  name: string;
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
};
type ContainerStatus = {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: { waiting?: { reason?: string } };
  lastState?: { terminated?: { reason?: string } };
};
type Pod = Readonly<KObject> & {
  spec?: { containers?: ContainerSpec[]; nodeName?: string };
  status?: {
    phase?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: ContainerStatus[];
  };
};
/** A pod with its labels (namespace, pod, uid) as text. */
type Labelled = { pod: Pod; labels: string };
/** A container status with its labels (namespace, pod, uid, container) as text. */
type LabelledStatus = { status: ContainerStatus; labels: string };

const PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const;

export function writePodMetrics(out: Exposition, pods: readonly Pod[]): void {
  const labelled = pods.map((pod) => ({
    pod,
    labels: labelText({
      namespace: pod.metadata.namespace ?? '',
      pod: pod.metadata.name,
      uid: pod.metadata.uid ?? '',
    }),
  }));
  writePhases(out, labelled);
  writeReadiness(out, labelled);
  writeOwners(out, labelled);
  writeContainerStatuses(out, labelled);
  writeResources(out, labelled, 'limits');
  writeResources(out, labelled, 'requests');
}

function writePhases(out: Exposition, pods: Labelled[]): void {
  out.family('kube_pod_status_phase', 'gauge', 'The pods current phase.');
  for (const { pod, labels } of pods) {
    const phase = pod.status?.phase ?? 'Pending';
    for (const p of PHASES) out.sample(`${labels},phase="${p}"`, p === phase ? 1 : 0);
  }
}

function writeReadiness(out: Exposition, pods: Labelled[]): void {
  out.family(
    'kube_pod_status_ready',
    'gauge',
    'Describes whether the pod is ready to serve requests.',
  );
  for (const { pod, labels } of pods) {
    const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status;
    if (ready !== undefined) writeConditionStatus(out, labels, ready, 'condition');
  }
}

/** One sample per possible status (true, false, unknown), 1 for the one the object has. */
export function writeConditionStatus(
  out: Exposition,
  labels: string,
  status: string,
  label: string,
): void {
  const actual = status.toLowerCase();
  for (const s of ['true', 'false', 'unknown'])
    out.sample(`${labels},${label}="${s}"`, s === actual ? 1 : 0);
}

function writeOwners(out: Exposition, pods: Labelled[]): void {
  out.family('kube_pod_owner', 'gauge', "Information about the Pod's owner.");
  for (const { pod, labels } of pods) {
    const owners = pod.metadata.ownerReferences ?? [];
    if (owners.length === 0) {
      out.sample(
        `${labels},owner_kind="<none>",owner_name="<none>",owner_is_controller="<none>"`,
        1,
      );
    }
    for (const owner of owners) {
      const about = labelText({
        owner_kind: owner.kind,
        owner_name: owner.name,
        owner_is_controller: String(owner.controller === true),
      });
      out.sample(`${labels},${about}`, 1);
    }
  }
}

function writeContainerStatuses(out: Exposition, pods: Labelled[]): void {
  const statuses: LabelledStatus[] = pods.flatMap(({ pod, labels }) =>
    (pod.status?.containerStatuses ?? []).map((status) => ({
      status,
      labels: `${labels},${labelText({ container: status.name })}`,
    })),
  );
  out.family(
    'kube_pod_container_status_restarts_total',
    'counter',
    'The number of container restarts per container.',
  );
  for (const { status, labels } of statuses) out.sample(labels, status.restartCount ?? 0);
  out.family(
    'kube_pod_container_status_ready',
    'gauge',
    'Describes whether the containers readiness check succeeded.',
  );
  for (const { status, labels } of statuses) out.sample(labels, status.ready === true ? 1 : 0);
  out.family(
    'kube_pod_container_status_waiting_reason',
    'gauge',
    'Describes the reason the container is currently in waiting state.',
  );
  for (const { status, labels } of statuses) {
    const reason = status.state?.waiting?.reason;
    if (reason !== undefined) out.sample(`${labels},${labelText({ reason })}`, 1);
  }
  out.family(
    'kube_pod_container_status_last_terminated_reason',
    'gauge',
    'Describes the last reason the container was in terminated state.',
  );
  for (const { status, labels } of statuses) {
    const reason = status.lastState?.terminated?.reason;
    if (reason !== undefined) out.sample(`${labels},${labelText({ reason })}`, 1);
  }
}

const RESOURCE_HELP = {
  limits:
    'The number of requested limit resource by a container. It is recommended to use the kube_pod_resource_limits metric exposed by kube-scheduler instead, as it is more precise.',
  requests:
    'The number of requested request resource by a container. It is recommended to use the kube_pod_resource_requests metric exposed by kube-scheduler instead, as it is more precise.',
} as const;

/** CPU in cores and memory in bytes, as kube-state-metrics converts them. */
function writeResources(out: Exposition, pods: Labelled[], kind: 'limits' | 'requests'): void {
  out.family(`kube_pod_container_resource_${kind}`, 'gauge', RESOURCE_HELP[kind]);
  for (const { pod, labels: podLabels } of pods) {
    for (const container of pod.spec?.containers ?? []) {
      const resources = container.resources?.[kind];
      if (resources === undefined) continue;
      const labels = `${podLabels},${labelText({ container: container.name, node: pod.spec?.nodeName ?? '' })}`;
      const cpu = resources.cpu === undefined ? undefined : parseCpu(resources.cpu);
      if (cpu !== undefined) out.sample(`${labels},resource="cpu",unit="core"`, cpu / 1000);
      const memory = resources.memory === undefined ? undefined : parseMemory(resources.memory);
      if (memory !== undefined) out.sample(`${labels},resource="memory",unit="byte"`, memory);
    }
  }
}
