import type { ResourceType } from './catalog.ts';
import {
  allocateIp,
  allocateNodePort,
  inRange,
  NODE_PORT_RANGE,
  nodePortInRange,
  SERVICE_CIDR,
} from './service-ips.ts';
import { ApiError, type KObject, type ObjectStore } from './store.ts';

/**
 * What the API server's service registry does on a write: defaults (ports' protocol and target
 * port, session affinity, IP families, traffic policies), a cluster IP from the service CIDR and
 * node ports for NodePort and LoadBalancer services, with the real refusals when a requested one
 * is taken. On an update the allocated values are kept when the new spec leaves them out.
 */
type Port = {
  name?: string;
  port?: number;
  targetPort?: number | string;
  protocol?: string;
  nodePort?: number;
};
type ServiceSpec = {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  sessionAffinity?: string;
  internalTrafficPolicy?: string;
  externalTrafficPolicy?: string;
  allocateLoadBalancerNodePorts?: boolean;
  ports?: Port[];
};

export function admitService(
  store: ObjectStore,
  type: ResourceType,
  service: KObject,
  previous: KObject | undefined,
): void {
  service.spec ??= {};
  if (!isRecord(service.spec)) return;
  const spec = service.spec as ServiceSpec;
  // Odd shapes are validation's to refuse; allocation only reads well-formed ports.
  if (spec.ports !== undefined && (!Array.isArray(spec.ports) || !spec.ports.every(isRecord)))
    return;
  const before = previous?.spec as ServiceSpec | undefined;
  defaults(spec);
  if (spec.type === 'ExternalName') return;
  const problems: string[] = [];
  const taken = others(store, type, service).map((s) => (s.spec ?? {}) as ServiceSpec);
  clusterIP(spec, before, taken, problems);
  nodePorts(spec, before, taken, problems);
  if (problems.length > 0) {
    throw new ApiError(
      422,
      'Invalid',
      `Service "${service.metadata.name}" is invalid: ${problems.join(', ')}`,
      {
        name: service.metadata.name,
        group: type.group,
        kind: type.kind,
        // kubectl prints the causes, not the message, for an Invalid status.
        causes: problems.map((p) => {
          const at = p.indexOf(': ');
          return { reason: 'FieldValueInvalid', field: p.slice(0, at), message: p.slice(at + 2) };
        }),
      },
    );
  }
  service.status ??= { loadBalancer: {} };
}

function defaults(spec: ServiceSpec): void {
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  for (const port of spec.ports ?? []) {
    port.protocol ??= 'TCP';
    if (port.port !== undefined) port.targetPort ??= port.port;
  }
  if (spec.type === 'ExternalName') return;
  spec.internalTrafficPolicy ??= 'Cluster';
  spec.ipFamilies ??= ['IPv4'];
  spec.ipFamilyPolicy ??= 'SingleStack';
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer')
    spec.externalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
}

function others(store: ObjectStore, type: ResourceType, service: KObject): KObject[] {
  return store
    .view(type)
    .filter(
      (s) =>
        s.metadata.name !== service.metadata.name ||
        s.metadata.namespace !== service.metadata.namespace,
    );
}

function clusterIP(
  spec: ServiceSpec,
  before: ServiceSpec | undefined,
  taken: ServiceSpec[],
  problems: string[],
): void {
  const requested = spec.clusterIP ?? spec.clusterIPs?.[0];
  // A cluster IP that is not even a string is validation's to refuse, not the allocator's.
  if (requested !== undefined && typeof requested !== 'string') return;
  if (before?.clusterIP !== undefined && (requested === undefined || requested === '')) {
    spec.clusterIP = before.clusterIP;
    spec.clusterIPs = before.clusterIPs ?? [before.clusterIP];
    return;
  }
  if (before?.clusterIP !== undefined && requested !== before.clusterIP) {
    problems.push(
      `spec.clusterIPs[0]: Invalid value: []string{"${requested}"}: may not change once set`,
    );
    return;
  }
  if (requested === 'None') {
    spec.clusterIP = 'None';
    spec.clusterIPs = ['None'];
    return;
  }
  if (before !== undefined) return;
  const used = new Set(taken.map((s) => s.clusterIP ?? ''));
  if (requested !== undefined && requested !== '') {
    const invalid = `spec.clusterIPs: Invalid value: []string{"${requested}"}: failed to allocate IP ${requested}`;
    if (!inRange(SERVICE_CIDR, requested))
      problems.push(
        `${invalid}: the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${SERVICE_CIDR}`,
      );
    else if (used.has(requested)) problems.push(`${invalid}: provided IP is already allocated`);
    else spec.clusterIPs = [requested];
    return;
  }
  const ip = allocateIp(SERVICE_CIDR, used);
  if (ip === undefined) {
    problems.push('spec.clusterIPs: Internal error: failed to allocate a serviceIP: range is full');
    return;
  }
  spec.clusterIP = ip;
  spec.clusterIPs = [ip];
}

function nodePorts(
  spec: ServiceSpec,
  before: ServiceSpec | undefined,
  taken: ServiceSpec[],
  problems: string[],
): void {
  const wants =
    spec.type === 'NodePort' ||
    (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
  if (!wants) {
    for (const port of spec.ports ?? []) delete port.nodePort;
    return;
  }
  const used = new Set(
    taken.flatMap((s) =>
      (s.ports ?? []).flatMap((p) => (p.nodePort === undefined ? [] : [p.nodePort])),
    ),
  );
  (spec.ports ?? []).forEach((port, i) => {
    const kept = before?.ports?.find((p) => p.port === port.port && p.protocol === port.protocol);
    if (port.nodePort === undefined && kept?.nodePort !== undefined) port.nodePort = kept.nodePort;
    if (port.nodePort === undefined) {
      const next = allocateNodePort(used);
      if (next === undefined) {
        problems.push(`spec.ports[${i}].nodePort: Internal error: range is full`);
        return;
      }
      port.nodePort = next;
    } else if (port.nodePort !== kept?.nodePort) {
      const at = `spec.ports[${i}].nodePort: Invalid value: ${port.nodePort}`;
      if (!nodePortInRange(port.nodePort))
        problems.push(
          `${at}: provided port is not in the valid range. The range of valid ports is ${NODE_PORT_RANGE.first}-${NODE_PORT_RANGE.last}`,
        );
      else if (used.has(port.nodePort)) problems.push(`${at}: provided port is already allocated`);
    }
    used.add(port.nodePort);
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
