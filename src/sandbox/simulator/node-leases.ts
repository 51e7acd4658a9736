import { findResource, type ResourceType } from '../api/catalog.ts';
import type { KObject, ObjectStore } from '../api/store.ts';
import { stamp } from './events.ts';

/**
 * The kubelets' heartbeats as Leases: one per node in `kube-node-lease`, held by the node, renewed
 * every 10 s while the kubelet runs, and left to go stale when a scenario stops the kubelet, as
 * the node lifecycle controller then sees it.
 */
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases') as ResourceType;
const NODES = findResource('', 'v1', 'nodes') as ResourceType;
const NAMESPACES = findResource('', 'v1', 'namespaces') as ResourceType;

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const RENEW_INTERVAL_MS = 10_000;
const LEASE_DURATION_SECONDS = 40;

type LeaseSpec = { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string };

/** A Lease's MicroTime: RFC 3339 with microseconds. */
export function microTime(at: Date): string {
  return at.toISOString().replace(/Z$/, '000Z');
}

export function reconcileNodeLeases(store: ObjectStore): void {
  const nodes = store.view(NODES);
  if (nodes.length === 0) return;
  ensureNamespace(store);
  const now = store.now();
  for (const node of nodes) {
    const stopped = node.metadata.annotations?.['sandbox.coxswain.dev/kubelet'] === 'stopped';
    const lease = store.get(LEASES, NODE_LEASE_NAMESPACE, node.metadata.name);
    if (lease === undefined) {
      store.create(LEASES, leaseFor(node, stopped ? lastHeartbeat(node, now) : now));
      continue;
    }
    const renewed = Date.parse((lease.spec as LeaseSpec | undefined)?.renewTime ?? '');
    if (stopped || now.getTime() - renewed < RENEW_INTERVAL_MS) continue;
    store.replace(LEASES, {
      ...lease,
      spec: { ...(lease.spec as LeaseSpec), renewTime: microTime(now) },
    });
  }
}

/** The API server makes `kube-node-lease` at start; a world built without it gets it here. */
function ensureNamespace(store: ObjectStore): void {
  if (store.get(NAMESPACES, undefined, NODE_LEASE_NAMESPACE) !== undefined) return;
  store.create(NAMESPACES, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: NODE_LEASE_NAMESPACE },
    status: { phase: 'Active' },
  });
}

/** When a stopped kubelet last posted: its Ready condition's heartbeat, else the node's birth. */
function lastHeartbeat(node: KObject, now: Date): Date {
  const conditions =
    (node.status as { conditions?: { type: string; lastHeartbeatTime?: string }[] } | undefined)
      ?.conditions ?? [];
  const at = Date.parse(
    conditions.find((c) => c.type === 'Ready')?.lastHeartbeatTime ??
      node.metadata.creationTimestamp ??
      '',
  );
  return Number.isNaN(at) ? now : new Date(at);
}

function leaseFor(node: KObject, renewTime: Date): KObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: node.metadata.name,
      namespace: NODE_LEASE_NAMESPACE,
      creationTimestamp: stamp(renewTime),
      ownerReferences: [
        { apiVersion: 'v1', kind: 'Node', name: node.metadata.name, uid: node.metadata.uid ?? '' },
      ],
    },
    spec: {
      holderIdentity: node.metadata.name,
      leaseDurationSeconds: LEASE_DURATION_SECONDS,
      renewTime: microTime(renewTime),
    },
  };
}
