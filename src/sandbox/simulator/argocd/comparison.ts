import { findKind, findResource, type ResourceType } from '../../api/catalog.ts';
import type { KObject, ObjectStore } from '../../api/store.ts';
import { type Drift, driftOf } from './compare.ts';
import {
  type DesiredObject,
  groupOf,
  resourceKey,
  TRACKING_LABEL,
  versionOf,
} from './desired-state.ts';
import { type Health, type HealthStatus, healthOf, worst } from './health.ts';

/**
 * One refresh of an Application: each resource Git declares against its live object (Synced,
 * OutOfSync with the fields that drifted, or Missing), the tracked objects Git no longer declares
 * (which need pruning), and from them the application's sync and health status.
 */
export type ResourceStatus = {
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
  status: 'Synced' | 'OutOfSync';
  health?: Health;
  requiresPruning?: boolean;
};

export type Comparison = {
  sync: 'Synced' | 'OutOfSync';
  health: Health;
  resources: ResourceStatus[];
  /** Live objects that carry the tracking label but that Git no longer declares. */
  extra: KObject[];
  /** What differs per drifted resource, by `resourceKey`. */
  drift: Map<string, Drift[]>;
};

/** The kinds whose tracked objects are looked for when Git stops declaring them. */
const TRACKED_KINDS: readonly [string, string, string][] = [
  ['apps', 'v1', 'deployments'],
  ['apps', 'v1', 'statefulsets'],
  ['apps', 'v1', 'daemonsets'],
  ['', 'v1', 'services'],
  ['', 'v1', 'configmaps'],
  ['', 'v1', 'persistentvolumeclaims'],
  ['batch', 'v1', 'cronjobs'],
  ['networking.k8s.io', 'v1', 'ingresses'],
  ['autoscaling', 'v2', 'horizontalpodautoscalers'],
];

export function compareApp(
  store: ObjectStore,
  desired: readonly DesiredObject[],
  app: string,
): Comparison {
  const resources: ResourceStatus[] = [];
  const drift = new Map<string, Drift[]>();
  const declared = new Set<string>();
  for (const { object } of desired) {
    const key = resourceKey({
      apiVersion: object.apiVersion,
      kind: object.kind,
      namespace: object.metadata.namespace,
      name: object.metadata.name,
    });
    declared.add(key);
    const type = findKind(object.apiVersion, object.kind);
    const live = type && store.get(type, object.metadata.namespace, object.metadata.name);
    const drifted = live === undefined ? [] : driftOf(object, live);
    if (drifted.length > 0) drift.set(key, drifted);
    const health = healthOf(live);
    resources.push({
      ...identity(object),
      status: live === undefined || drifted.length > 0 ? 'OutOfSync' : 'Synced',
      ...(health === undefined ? {} : { health }),
    });
  }
  const extra = trackedObjects(store, app).filter(
    (o) =>
      !declared.has(
        resourceKey({
          apiVersion: o.apiVersion,
          kind: o.kind,
          namespace: o.metadata.namespace,
          name: o.metadata.name,
        }),
      ),
  );
  for (const object of extra)
    resources.push({ ...identity(object), status: 'OutOfSync', requiresPruning: true });
  return {
    sync: resources.some((r) => r.status === 'OutOfSync') ? 'OutOfSync' : 'Synced',
    health: appHealth(resources),
    resources,
    extra,
    drift,
  };
}

function identity(object: KObject) {
  return {
    group: groupOf(object.apiVersion),
    version: versionOf(object.apiVersion),
    kind: object.kind,
    namespace: object.metadata.namespace ?? '',
    name: object.metadata.name,
  };
}

/** The worst health of the resources that have one, with the message of the one that decides it. */
function appHealth(resources: readonly ResourceStatus[]): Health {
  const rated = resources.filter((r) => r.health !== undefined && r.requiresPruning !== true);
  const status: HealthStatus = worst(rated.map((r) => r.health?.status ?? 'Healthy'));
  if (status === 'Healthy') return { status };
  const culprit = rated.find((r) => r.health?.status === status);
  const message = culprit?.health?.message;
  return message === undefined ? { status } : { status, message };
}

function trackedObjects(store: ObjectStore, app: string): KObject[] {
  const out: KObject[] = [];
  for (const [group, version, plural] of TRACKED_KINDS) {
    const type: ResourceType | undefined = findResource(group, version, plural);
    if (type === undefined) continue;
    for (const object of store.view(type)) {
      if (
        object.metadata.labels?.[TRACKING_LABEL] === app &&
        object.metadata.deletionTimestamp === undefined
      )
        out.push(object as KObject);
    }
  }
  return out;
}
