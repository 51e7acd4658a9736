import {
  bool,
  conditions,
  type Fields,
  int32,
  int64,
  listOf,
  mergedList,
  quantities,
  string,
  stringMap,
  strings,
  struct,
} from './field-type.ts';
import { objectMeta } from './meta.ts';

/** `v1.PodSpec` and `v1.PodStatus`, with the merge keys of their lists. */
const probe = struct('v1.Probe', {
  exec: struct('v1.ExecAction'),
  httpGet: struct('v1.HTTPGetAction'),
  tcpSocket: struct('v1.TCPSocketAction'),
  grpc: struct('v1.GRPCAction'),
  initialDelaySeconds: int32,
  timeoutSeconds: int32,
  periodSeconds: int32,
  successThreshold: int32,
  failureThreshold: int32,
  terminationGracePeriodSeconds: int64,
});

const containerFields: Fields = {
  name: string,
  image: string,
  command: strings,
  args: strings,
  workingDir: string,
  ports: mergedList(
    struct('v1.ContainerPort', {
      name: string,
      hostPort: int32,
      containerPort: int32,
      protocol: string,
      hostIP: string,
    }),
    'containerPort',
  ),
  envFrom: listOf(struct('v1.EnvFromSource')),
  env: mergedList(
    struct('v1.EnvVar', { name: string, value: string, valueFrom: struct('v1.EnvVarSource') }),
    'name',
  ),
  resources: struct('v1.ResourceRequirements', {
    limits: quantities,
    requests: quantities,
    claims: listOf(struct('v1.ResourceClaim')),
  }),
  resizePolicy: listOf(struct('v1.ContainerResizePolicy')),
  restartPolicy: string,
  volumeMounts: mergedList(
    struct('v1.VolumeMount', {
      name: string,
      readOnly: bool,
      recursiveReadOnly: string,
      mountPath: string,
      subPath: string,
      mountPropagation: string,
      subPathExpr: string,
    }),
    'mountPath',
  ),
  volumeDevices: mergedList(struct('v1.VolumeDevice'), 'devicePath'),
  livenessProbe: probe,
  readinessProbe: probe,
  startupProbe: probe,
  lifecycle: struct('v1.Lifecycle'),
  terminationMessagePath: string,
  terminationMessagePolicy: string,
  imagePullPolicy: string,
  securityContext: struct('v1.SecurityContext'),
  stdin: bool,
  stdinOnce: bool,
  tty: bool,
};

const container = struct('v1.Container', containerFields);
const ephemeralContainer = struct('v1.EphemeralContainer', {
  ...containerFields,
  targetContainerName: string,
});

/** Every volume source is an open object; a volume with anything else is an unknown field. */
const VOLUME_SOURCES = [
  'hostPath',
  'emptyDir',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'persistentVolumeClaim',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'configMap',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'projected',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
];
const volume = struct('v1.Volume', {
  name: string,
  ...Object.fromEntries(VOLUME_SOURCES.map((source) => [source, struct('v1.VolumeSource')])),
});

const localObjectReference = struct('v1.LocalObjectReference', { name: string });

export const podSpec = struct('v1.PodSpec', {
  volumes: mergedList(volume, 'name'),
  initContainers: mergedList(container, 'name'),
  containers: mergedList(container, 'name'),
  ephemeralContainers: mergedList(ephemeralContainer, 'name'),
  restartPolicy: string,
  terminationGracePeriodSeconds: int64,
  activeDeadlineSeconds: int64,
  dnsPolicy: string,
  nodeSelector: stringMap,
  serviceAccountName: string,
  serviceAccount: string,
  automountServiceAccountToken: bool,
  nodeName: string,
  hostNetwork: bool,
  hostPID: bool,
  hostIPC: bool,
  shareProcessNamespace: bool,
  securityContext: struct('v1.PodSecurityContext'),
  imagePullSecrets: mergedList(localObjectReference, 'name'),
  hostname: string,
  subdomain: string,
  affinity: struct('v1.Affinity'),
  schedulerName: string,
  // No patch strategy: a patch's tolerations replace the list.
  tolerations: listOf(struct('v1.Toleration')),
  hostAliases: mergedList(struct('v1.HostAlias'), 'ip'),
  priorityClassName: string,
  priority: int32,
  dnsConfig: struct('v1.PodDNSConfig'),
  readinessGates: listOf(struct('v1.PodReadinessGate')),
  runtimeClassName: string,
  enableServiceLinks: bool,
  preemptionPolicy: string,
  overhead: quantities,
  topologySpreadConstraints: mergedList(struct('v1.TopologySpreadConstraint'), 'topologyKey'),
  setHostnameAsFQDN: bool,
  os: struct('v1.PodOS'),
  hostUsers: bool,
  schedulingGates: mergedList(struct('v1.PodSchedulingGate'), 'name'),
  resourceClaims: mergedList(struct('v1.PodResourceClaim'), 'name'),
  resources: struct('v1.ResourceRequirements'),
});

const podIP = struct('v1.PodIP', { ip: string });
const hostIP = struct('v1.HostIP', { ip: string });

export const podStatus = struct('v1.PodStatus', {
  observedGeneration: int64,
  phase: string,
  conditions: conditions('v1.PodCondition'),
  message: string,
  reason: string,
  nominatedNodeName: string,
  hostIP: string,
  hostIPs: mergedList(hostIP, 'ip'),
  podIP: string,
  podIPs: mergedList(podIP, 'ip'),
  startTime: string,
  initContainerStatuses: listOf(struct('v1.ContainerStatus')),
  containerStatuses: listOf(struct('v1.ContainerStatus')),
  qosClass: string,
  ephemeralContainerStatuses: listOf(struct('v1.ContainerStatus')),
  resize: string,
  resourceClaimStatuses: mergedList(struct('v1.PodResourceClaimStatus'), 'name'),
});

export const podTemplateSpec = struct('v1.PodTemplateSpec', {
  metadata: objectMeta,
  spec: podSpec,
});
