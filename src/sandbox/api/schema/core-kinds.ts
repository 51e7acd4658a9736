import {
  bool,
  bytes,
  conditions,
  int32,
  intOrString,
  listOf,
  mapOf,
  mergedList,
  type ObjectType,
  quantities,
  string,
  stringMap,
  strings,
  struct,
} from './field-type.ts';
import { objectReference, topLevel } from './meta.ts';
import { podSpec, podStatus } from './pod.ts';

/** The core/v1 kinds the sandbox serves. */
const pod = topLevel('v1.Pod', { spec: podSpec, status: podStatus });

const servicePort = struct('v1.ServicePort', {
  name: string,
  protocol: string,
  appProtocol: string,
  port: int32,
  targetPort: intOrString,
  nodePort: int32,
});

const service = topLevel('v1.Service', {
  spec: struct('v1.ServiceSpec', {
    ports: mergedList(servicePort, 'port'),
    selector: stringMap,
    clusterIP: string,
    clusterIPs: strings,
    type: string,
    externalIPs: strings,
    sessionAffinity: string,
    loadBalancerIP: string,
    loadBalancerSourceRanges: strings,
    externalName: string,
    externalTrafficPolicy: string,
    healthCheckNodePort: int32,
    publishNotReadyAddresses: bool,
    sessionAffinityConfig: struct('v1.SessionAffinityConfig'),
    ipFamilies: strings,
    ipFamilyPolicy: string,
    allocateLoadBalancerNodePorts: bool,
    loadBalancerClass: string,
    internalTrafficPolicy: string,
    trafficDistribution: string,
  }),
  status: struct('v1.ServiceStatus', {
    loadBalancer: struct('v1.LoadBalancerStatus'),
    conditions: conditions('v1.Condition'),
  }),
});

const configMap = topLevel('v1.ConfigMap', {
  immutable: bool,
  data: stringMap,
  binaryData: mapOf(bytes),
});

const secret = topLevel('v1.Secret', {
  immutable: bool,
  data: mapOf(bytes),
  stringData: stringMap,
  type: string,
});

const namespace = topLevel('v1.Namespace', {
  spec: struct('v1.NamespaceSpec', { finalizers: strings }),
  status: struct('v1.NamespaceStatus', {
    phase: string,
    conditions: conditions('v1.NamespaceCondition'),
  }),
});

const node = topLevel('v1.Node', {
  spec: struct('v1.NodeSpec', {
    podCIDR: string,
    podCIDRs: mergedList(string),
    providerID: string,
    unschedulable: bool,
    // No patch strategy: a patch's taints replace the list.
    taints: listOf(
      struct('v1.Taint', { key: string, value: string, effect: string, timeAdded: string }),
    ),
    configSource: struct('v1.NodeConfigSource'),
    externalID: string,
  }),
  status: struct('v1.NodeStatus', {
    capacity: quantities,
    allocatable: quantities,
    phase: string,
    conditions: conditions('v1.NodeCondition'),
    addresses: mergedList(struct('v1.NodeAddress', { type: string, address: string }), 'type'),
    daemonEndpoints: struct('v1.NodeDaemonEndpoints'),
    nodeInfo: struct('v1.NodeSystemInfo'),
    images: listOf(struct('v1.ContainerImage')),
    volumesInUse: strings,
    volumesAttached: listOf(struct('v1.AttachedVolume')),
    config: struct('v1.NodeConfigStatus'),
    runtimeHandlers: listOf(struct('v1.NodeRuntimeHandler')),
    features: struct('v1.NodeFeatures'),
  }),
});

const event = topLevel('v1.Event', {
  involvedObject: objectReference,
  reason: string,
  message: string,
  source: struct('v1.EventSource', { component: string, host: string }),
  firstTimestamp: string,
  lastTimestamp: string,
  count: int32,
  type: string,
  eventTime: string,
  series: struct('v1.EventSeries'),
  action: string,
  related: objectReference,
  reportingComponent: string,
  reportingInstance: string,
});

const serviceAccount = topLevel('v1.ServiceAccount', {
  secrets: mergedList(objectReference, 'name'),
  imagePullSecrets: listOf(struct('v1.LocalObjectReference', { name: string })),
  automountServiceAccountToken: bool,
});

export const CORE_KINDS: Readonly<Record<string, ObjectType>> = {
  Pod: pod,
  Service: service,
  ConfigMap: configMap,
  Secret: secret,
  Namespace: namespace,
  Node: node,
  Event: event,
  ServiceAccount: serviceAccount,
};
