import { findResource, type ResourceType } from '../api/catalog.ts';
import { canonical } from '../api/hash.ts';
import { selectorMatcher } from '../api/selectors.ts';
import type { KObject, ObjectStore } from '../api/store.ts';
import { podReady } from './controller-kit.ts';

/**
 * The endpoints and EndpointSlice controllers: for every Service with a selector, the pods it
 * selects that have an IP, ready ones as addresses and the others as notReadyAddresses, ports
 * resolved from the containers' named ports; in an EndpointSlice, each pod's ready, serving and
 * terminating conditions. A Service that selects nothing has Endpoints with no subsets.
 */
const SERVICES = findResource('', 'v1', 'services') as ResourceType;
const ENDPOINTS = findResource('', 'v1', 'endpoints') as ResourceType;
const SLICES = findResource('discovery.k8s.io', 'v1', 'endpointslices') as ResourceType;
const PODS = findResource('', 'v1', 'pods') as ResourceType;

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
const SLICE_CONTROLLER = 'endpointslice-controller.k8s.io';

type ServicePort = {
  name?: string;
  port?: number;
  targetPort?: number | string;
  protocol?: string;
};
type ServiceSpec = { type?: string; selector?: Record<string, string>; ports?: ServicePort[] };
type ContainerPort = { name?: string; containerPort?: number; protocol?: string };
type PodSpec = { nodeName?: string; containers?: { ports?: ContainerPort[] }[] };
type Port = { name?: string; port: number; protocol: string };
type Member = { pod: KObject; ip: string; ready: boolean; terminating: boolean; ports: Port[] };

export class EndpointControllers {
  readonly #store: ObjectStore;
  /** Services seen, so that a deleted one's Endpoints go with it, as the controller does. */
  readonly #seen = new Set<string>();

  constructor(store: ObjectStore) {
    this.#store = store;
  }

  reconcile(): void {
    const live = new Set<string>();
    const services = this.#store.view(SERVICES);
    // Pods are read once a pass, by namespace, however many services select among them.
    const pods = new Map<string, KObject[]>();
    if (services.length > 0) {
      for (const pod of this.#store.view(PODS)) {
        const namespace = pod.metadata.namespace ?? '';
        pods.set(namespace, [...(pods.get(namespace) ?? []), pod]);
      }
    }
    for (const service of services) {
      const spec = (service.spec ?? {}) as ServiceSpec;
      if (spec.selector === undefined || spec.type === 'ExternalName') continue;
      const key = `${service.metadata.namespace}/${service.metadata.name}`;
      live.add(key);
      this.#seen.add(key);
      const members = this.#members(spec, pods.get(service.metadata.namespace ?? '') ?? []);
      this.#endpoints(service, members);
      this.#slice(service, members);
    }
    for (const key of [...this.#seen]) {
      if (live.has(key)) continue;
      this.#seen.delete(key);
      const [namespace, name = ''] = key.split('/');
      if (this.#store.get(ENDPOINTS, namespace, name) !== undefined)
        this.#store.remove(ENDPOINTS, namespace, name);
    }
  }

  #members(spec: ServiceSpec, pods: KObject[]): Member[] {
    const match = selectorMatcher({ matchLabels: spec.selector });
    return pods
      .filter((pod) => match(pod.metadata.labels))
      .flatMap((pod) => {
        const status = (pod.status ?? {}) as { podIP?: string; phase?: string };
        if (status.podIP === undefined || ['Succeeded', 'Failed'].includes(status.phase ?? ''))
          return [];
        const ports = (spec.ports ?? []).flatMap((p) => resolvePort(p, pod));
        const terminating = pod.metadata.deletionTimestamp !== undefined;
        return [
          { pod, ip: status.podIP, ready: podReady(pod) && !terminating, terminating, ports },
        ];
      })
      .sort((a, b) => a.ip.localeCompare(b.ip, 'en', { numeric: true }));
  }

  #endpoints(service: KObject, members: Member[]): void {
    // Endpoints leave terminating pods out; pods whose ports resolve alike share a subset.
    const groups = new Map<string, { ports: Port[]; ready: Member[]; notReady: Member[] }>();
    for (const m of members.filter((m) => !m.terminating && m.ports.length > 0)) {
      const key = canonical(m.ports);
      const group = groups.get(key) ?? { ports: m.ports, ready: [], notReady: [] };
      (m.ready ? group.ready : group.notReady).push(m);
      groups.set(key, group);
    }
    const subsets = [...groups.values()].map((g) => ({
      ...(g.ready.length > 0 ? { addresses: g.ready.map(address) } : {}),
      ...(g.notReady.length > 0 ? { notReadyAddresses: g.notReady.map(address) } : {}),
      ports: g.ports,
    }));
    const desired: KObject = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: {
        name: service.metadata.name,
        namespace: service.metadata.namespace ?? 'default',
        ...(Object.keys(labelsOf(service)).length === 0 ? {} : { labels: labelsOf(service) }),
      },
      ...(subsets.length > 0 ? { subsets } : {}),
    };
    const current = this.#store.get(ENDPOINTS, desired.metadata.namespace, desired.metadata.name);
    if (current === undefined) {
      this.#store.create(ENDPOINTS, desired);
      return;
    }
    if (canonical(current.subsets) === canonical(desired.subsets)) return;
    const { subsets: _old, ...rest } = current;
    this.#store.replace(ENDPOINTS, { ...rest, ...(subsets.length > 0 ? { subsets } : {}) });
  }

  #slice(service: KObject, members: Member[]): void {
    const namespace = service.metadata.namespace ?? 'default';
    const owned = this.#store
      .view(SLICES, namespace)
      .filter((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === service.metadata.name);
    const ports = members.find((m) => m.ports.length > 0)?.ports ?? [];
    const body = {
      addressType: 'IPv4',
      endpoints: members.map((m) => ({
        addresses: [m.ip],
        conditions: { ready: m.ready, serving: podReady(m.pod), terminating: m.terminating },
        nodeName: (m.pod.spec as PodSpec).nodeName,
        targetRef: targetRef(m.pod),
      })),
      ports:
        members.length === 0
          ? null
          : ports.map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol })),
    };
    const [current, ...extra] = owned;
    for (const s of extra) this.#store.remove(SLICES, namespace, s.metadata.name);
    if (current === undefined) {
      this.#store.create(SLICES, {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: '',
          generateName: `${service.metadata.name}-`,
          namespace,
          labels: {
            ...labelsOf(service),
            [SERVICE_NAME_LABEL]: service.metadata.name,
            [MANAGED_BY]: SLICE_CONTROLLER,
          },
          ownerReferences: [
            {
              apiVersion: 'v1',
              kind: 'Service',
              name: service.metadata.name,
              uid: service.metadata.uid ?? '',
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        ...body,
      });
      return;
    }
    const before = {
      addressType: current.addressType,
      endpoints: current.endpoints,
      ports: current.ports,
    };
    if (canonical(before) === canonical(body)) return;
    this.#store.replace(SLICES, { ...current, ...body });
  }
}

/** A service port's target on one pod: a number as is, a name through the containers' ports. */
function resolvePort(port: ServicePort, pod: KObject): Port[] {
  const protocol = port.protocol ?? 'TCP';
  const target = port.targetPort ?? port.port;
  const named = (n?: string) => (n === undefined ? {} : { name: n });
  if (typeof target === 'number') return [{ ...named(port.name), port: target, protocol }];
  if (typeof target === 'string' && /^\d+$/.test(target))
    return [{ ...named(port.name), port: Number(target), protocol }];
  for (const c of (pod.spec as PodSpec).containers ?? []) {
    const found = (c.ports ?? []).find(
      (p) => p.name === target && (p.protocol ?? 'TCP') === protocol,
    );
    if (found?.containerPort !== undefined)
      return [{ ...named(port.name), port: found.containerPort, protocol }];
  }
  return [];
}

/** The service's labels, and the mark the controllers put on a headless service's endpoints. */
function labelsOf(service: KObject): Record<string, string> {
  const headless = (service.spec as { clusterIP?: string } | undefined)?.clusterIP === 'None';
  return {
    ...(service.metadata.labels ?? {}),
    ...(headless ? { 'service.kubernetes.io/headless': '' } : {}),
  };
}

function targetRef(pod: KObject) {
  return {
    kind: 'Pod',
    namespace: pod.metadata.namespace ?? 'default',
    name: pod.metadata.name,
    uid: pod.metadata.uid ?? '',
  };
}

function address(m: Member) {
  return { ip: m.ip, nodeName: (m.pod.spec as PodSpec).nodeName, targetRef: targetRef(m.pod) };
}
