import type { V1Pod } from '@kubernetes/client-node';
import { human, podStatus as printStatus } from '../../tools/kubernetes/format.ts';
import { ACCESS_PRINTERS } from './access-tables.ts';
import type { ResourceType } from './catalog.ts';
import { INFRA_PRINTERS } from './infra-tables.ts';
import type { Any } from './loose-object.ts';
import type { KObject } from './store.ts';
import { hpaTargets, WORKLOAD_PRINTERS } from './workload-printers.ts';

/**
 * Server-side printing: the columns `kubectl get` shows, computed here as the real API server
 * does, so the sandbox's output reads like a cluster's (STATUS CrashLoopBackOff, RESTARTS
 * "7 (2m ago)", AGE 25m).
 */
type Column = { name: string; type: string; priority?: number; format?: string };
type Printer = { columns: Column[]; cells: (object: KObject, now: number) => unknown[] };

const col = (name: string, priority = 0, type = 'string'): Column => ({ name, type, priority });
const NAME: Column = { name: 'Name', type: 'string', format: 'name', priority: 0 };

const PRINTERS: Record<string, Printer> = {
  ...WORKLOAD_PRINTERS,
  pods: {
    columns: [
      NAME,
      col('Ready'),
      col('Status'),
      col('Restarts', 0, 'string'),
      col('Age'),
      col('IP', 1),
      col('Node', 1),
      col('Nominated Node', 1),
      col('Readiness Gates', 1),
    ],
    cells: (o, now) => {
      const status = (o.status ?? {}) as Any;
      const statuses = (status.containerStatuses ?? []) as Any[];
      const containers = ((o.spec as Any)?.containers ?? []) as Any[];
      const ready = statuses.filter((s) => s.ready === true).length;
      return [
        o.metadata.name,
        `${ready}/${containers.length}`,
        printStatus(o as unknown as V1Pod),
        restarts(statuses, now),
        age(o, now),
        status.podIP ?? '<none>',
        (o.spec as Any)?.nodeName ?? '<none>',
        '<none>',
        '<none>',
      ];
    },
  },
  deployments: {
    columns: [
      NAME,
      col('Ready'),
      col('Up-to-date', 0, 'integer'),
      col('Available', 0, 'integer'),
      col('Age'),
      col('Containers', 1),
      col('Images', 1),
      col('Selector', 1),
    ],
    cells: (o, now) => {
      const spec = (o.spec ?? {}) as Any;
      const status = (o.status ?? {}) as Any;
      const containers = (spec.template?.spec?.containers ?? []) as Any[];
      return [
        o.metadata.name,
        `${status.readyReplicas ?? 0}/${spec.replicas ?? 1}`,
        status.updatedReplicas ?? 0,
        status.availableReplicas ?? 0,
        age(o, now),
        containers.map((c) => c.name).join(','),
        containers.map((c) => c.image).join(','),
        selector(spec.selector),
      ];
    },
  },
  replicasets: {
    columns: [
      NAME,
      col('Desired', 0, 'integer'),
      col('Current', 0, 'integer'),
      col('Ready', 0, 'integer'),
      col('Age'),
      col('Containers', 1),
      col('Images', 1),
      col('Selector', 1),
    ],
    cells: (o, now) => {
      const spec = (o.spec ?? {}) as Any;
      const status = (o.status ?? {}) as Any;
      const containers = (spec.template?.spec?.containers ?? []) as Any[];
      return [
        o.metadata.name,
        spec.replicas ?? 1,
        status.replicas ?? 0,
        status.readyReplicas ?? 0,
        age(o, now),
        containers.map((c) => c.name).join(','),
        containers.map((c) => c.image).join(','),
        selector(spec.selector),
      ];
    },
  },
  nodes: {
    columns: [
      NAME,
      col('Status'),
      col('Roles'),
      col('Age'),
      col('Version'),
      col('Internal-IP', 1),
      col('External-IP', 1),
      col('OS-Image', 1),
      col('Kernel-Version', 1),
      col('Container-Runtime', 1),
    ],
    cells: (o, now) => {
      const status = (o.status ?? {}) as Any;
      const ready = ((status.conditions ?? []) as Any[]).find((c) => c.type === 'Ready');
      const states = [ready?.status === 'True' ? 'Ready' : 'NotReady'];
      if ((o.spec as Any)?.unschedulable === true) states.push('SchedulingDisabled');
      const roles = Object.keys(o.metadata.labels ?? {})
        .filter((l) => l.startsWith('node-role.kubernetes.io/'))
        .map((l) => l.slice('node-role.kubernetes.io/'.length));
      const info = (status.nodeInfo ?? {}) as Any;
      const address = (type: string) =>
        ((status.addresses ?? []) as Any[]).find((a) => a.type === type)?.address ?? '<none>';
      return [
        o.metadata.name,
        states.join(','),
        roles.length === 0 ? '<none>' : roles.join(','),
        age(o, now),
        info.kubeletVersion ?? '',
        address('InternalIP'),
        address('ExternalIP'),
        info.osImage ?? '',
        info.kernelVersion ?? '',
        info.containerRuntimeVersion ?? '',
      ];
    },
  },
  namespaces: {
    columns: [NAME, col('Status'), col('Age')],
    cells: (o, now) => [o.metadata.name, (o.status as Any)?.phase ?? 'Active', age(o, now)],
  },
  events: {
    columns: [
      col('Last Seen'),
      col('Type'),
      col('Reason'),
      col('Object'),
      col('Subobject', 1),
      col('Source', 1),
      col('Message'),
      col('First Seen', 1),
      col('Count', 1),
      { ...NAME, priority: 1 },
    ],
    cells: (o, now) => {
      const e = o as Any;
      const last = Date.parse(e.lastTimestamp ?? e.eventTime ?? o.metadata.creationTimestamp ?? '');
      const first = Date.parse(
        e.firstTimestamp ?? e.eventTime ?? o.metadata.creationTimestamp ?? '',
      );
      return [
        Number.isNaN(last) ? '<unknown>' : human(now - last),
        e.type ?? '',
        e.reason ?? '',
        `${String(e.involvedObject?.kind ?? '').toLowerCase()}/${e.involvedObject?.name ?? ''}`,
        e.involvedObject?.fieldPath ?? '',
        [e.source?.component, e.source?.host].filter(Boolean).join(', '),
        e.message ?? '',
        Number.isNaN(first) ? '<unknown>' : human(now - first),
        e.count ?? 1,
        o.metadata.name,
      ];
    },
  },
  services: {
    columns: [
      NAME,
      col('Type'),
      col('Cluster-IP'),
      col('External-IP'),
      col('Port(s)'),
      col('Age'),
      col('Selector', 1),
    ],
    cells: (o, now) => {
      const spec = (o.spec ?? {}) as Any;
      const ports = ((spec.ports ?? []) as Any[])
        .map(
          (p) =>
            `${p.port}${p.nodePort === undefined ? '' : `:${p.nodePort}`}/${p.protocol ?? 'TCP'}`,
        )
        .join(',');
      const ingress = ((o.status as Any)?.loadBalancer?.ingress ?? []) as Any[];
      const external =
        spec.type === 'LoadBalancer'
          ? ingress.map((i) => i.ip ?? i.hostname).join(',') || '<pending>'
          : '<none>';
      return [
        o.metadata.name,
        spec.type ?? 'ClusterIP',
        spec.clusterIP ?? '<none>',
        external,
        ports || '<none>',
        age(o, now),
        selector({ matchLabels: spec.selector }),
      ];
    },
  },
  configmaps: {
    columns: [NAME, col('Data', 0, 'integer'), col('Age')],
    cells: (o, now) => [o.metadata.name, Object.keys((o.data ?? {}) as object).length, age(o, now)],
  },
  secrets: {
    columns: [NAME, col('Type'), col('Data', 0, 'integer'), col('Age')],
    cells: (o, now) => [
      o.metadata.name,
      (o.type as string) ?? 'Opaque',
      Object.keys((o.data ?? {}) as object).length,
      age(o, now),
    ],
  },
  horizontalpodautoscalers: {
    columns: [
      NAME,
      col('Reference'),
      col('Targets'),
      col('MinPods', 0, 'integer'),
      col('MaxPods', 0, 'integer'),
      col('Replicas', 0, 'integer'),
      col('Age'),
    ],
    cells: (o, now) => {
      const spec = (o.spec ?? {}) as Any;
      return [
        o.metadata.name,
        `${spec.scaleTargetRef?.kind}/${spec.scaleTargetRef?.name}`,
        hpaTargets(o),
        spec.minReplicas ?? 1,
        spec.maxReplicas ?? 1,
        (o.status as Any)?.currentReplicas ?? 0,
        age(o, now),
      ];
    },
  },
  poddisruptionbudgets: {
    columns: [
      NAME,
      col('Min Available'),
      col('Max Unavailable'),
      col('Allowed Disruptions', 0, 'integer'),
      col('Age'),
    ],
    cells: (o, now) => {
      const spec = (o.spec ?? {}) as Any;
      return [
        o.metadata.name,
        spec.minAvailable === undefined ? 'N/A' : String(spec.minAvailable),
        spec.maxUnavailable === undefined ? 'N/A' : String(spec.maxUnavailable),
        (o.status as Any)?.disruptionsAllowed ?? 0,
        age(o, now),
      ];
    },
  },
  applications: {
    columns: [NAME, col('Sync Status'), col('Health Status')],
    cells: (o) => [
      o.metadata.name,
      (o.status as Any)?.sync?.status ?? '',
      (o.status as Any)?.health?.status ?? '',
    ],
  },
};

const DEFAULT: Printer = {
  columns: [NAME, col('Age')],
  cells: (o, now) => [o.metadata.name, age(o, now)],
};

export function table(
  type: ResourceType,
  objects: readonly KObject[],
  resourceVersion: string,
  now: number,
) {
  const printer =
    PRINTERS[type.plural] ?? INFRA_PRINTERS[type.plural] ?? ACCESS_PRINTERS[type.plural] ?? DEFAULT;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: printer.columns.map((c) => ({
      description: '',
      format: '',
      priority: 0,
      ...c,
    })),
    rows: objects.map((object) => ({ cells: printer.cells(object, now), object })),
  };
}

/**
 * One watch event's object as a Table of one row, as the API server sends it to a client that
 * negotiated `as=Table`: the column definitions only in the first event of the stream (the
 * server prints headers once), and the Table's resourceVersion that of the object.
 */
export function watchRow(type: ResourceType, object: KObject, headers: boolean, now: number) {
  const out = table(type, [object], object.metadata.resourceVersion ?? '', now);
  return headers ? out : { ...out, columnDefinitions: null };
}

/** Whether the client asked for server-side printing (`as=Table` in Accept). */
export function wantsTable(accept: string | undefined): boolean {
  return accept !== undefined && /as=Table/.test(accept);
}

function restarts(statuses: Any[], now: number): string {
  const count = statuses.reduce((sum, s) => sum + (s.restartCount ?? 0), 0);
  const finished = statuses
    .map((s) => Date.parse(s.lastState?.terminated?.finishedAt ?? ''))
    .filter((t) => !Number.isNaN(t));
  if (count === 0 || finished.length === 0) return String(count);
  return `${count} (${human(now - Math.max(...finished))} ago)`;
}

function selector(value: unknown): string {
  const labels = ((value ?? {}) as { matchLabels?: Record<string, string> }).matchLabels ?? {};
  const text = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return text === '' ? '<none>' : text;
}

function age(object: KObject, now: number): string {
  const created = Date.parse(object.metadata.creationTimestamp ?? '');
  return Number.isNaN(created) ? '<unknown>' : human(now - created);
}
