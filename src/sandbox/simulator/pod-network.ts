import { findResource, type ResourceType } from '../api/catalog.ts';
import type { KObject, ObjectStore } from '../api/store.ts';

/**
 * Pod networking as a kind cluster has it: the controller manager gives each node a /24 out
 * of 10.244.0.0/16 (`spec.podCIDR`), and a pod gets the first free address of its node's
 * range, kept for its life; a pod on the host network has its node's address.
 */
const NODES = findResource('', 'v1', 'nodes') as ResourceType;
const PODS = findResource('', 'v1', 'pods') as ResourceType;

type NodeSpec = { podCIDR?: string; podCIDRs?: string[] };
type PodSpec = { nodeName?: string; hostNetwork?: boolean };

/** Gives every node without a pod range the lowest free 10.244.N.0/24. */
export function allocatePodCIDRs(store: ObjectStore): void {
  const nodes = store.view(NODES);
  const taken = new Set(nodes.map((n) => (n.spec as NodeSpec | undefined)?.podCIDR));
  for (const node of nodes) {
    const spec = (node.spec ?? {}) as NodeSpec;
    if (spec.podCIDR !== undefined) continue;
    let n = 0;
    while (taken.has(`10.244.${n}.0/24`) && n < 255) n++;
    const cidr = `10.244.${n}.0/24`;
    taken.add(cidr);
    store.replace(NODES, { ...node, spec: { ...spec, podCIDR: cidr, podCIDRs: [cidr] } });
  }
}

/** The pod's address: the one it has when still in its node's range, else the first free one. */
export function podIPFor(store: ObjectStore, pod: KObject, hostIP: string): string {
  const spec = pod.spec as PodSpec;
  if (spec.hostNetwork === true) return hostIP;
  const node = store.get(NODES, undefined, spec.nodeName ?? '');
  const prefix = prefixOf((node?.spec as NodeSpec | undefined)?.podCIDR);
  if (prefix === undefined) return hostIP;
  const current = (pod.status as { podIP?: string } | undefined)?.podIP;
  if (current?.startsWith(prefix)) return current;
  const used = new Set(
    store
      .view(PODS)
      .filter(
        (p) =>
          p.metadata.uid !== pod.metadata.uid && (p.spec as PodSpec).nodeName === spec.nodeName,
      )
      .map((p) => (p.status as { podIP?: string } | undefined)?.podIP),
  );
  // .1 is the node's bridge; addresses run from .2 to .254.
  for (let host = 2; host < 255; host++) {
    if (!used.has(`${prefix}${host}`)) return `${prefix}${host}`;
  }
  return hostIP;
}

/** `10.244.3.0/24` → `10.244.3.`; only /24 ranges are handed out here. */
function prefixOf(cidr: string | undefined): string | undefined {
  const match = /^(\d+\.\d+\.\d+\.)0\/24$/.exec(cidr ?? '');
  return match?.[1];
}
