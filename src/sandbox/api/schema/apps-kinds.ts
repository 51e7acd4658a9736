import {
  bool,
  conditions,
  int32,
  int64,
  intOrString,
  listOf,
  type ObjectType,
  string,
  struct,
} from './field-type.ts';
import { counters, labelSelector, topLevel } from './meta.ts';
import { podTemplateSpec } from './pod.ts';

/** The workload kinds of apps/v1 and autoscaling/v2. */
const rollingUpdate = struct('v1.RollingUpdateDeployment', {
  maxUnavailable: intOrString,
  maxSurge: intOrString,
});

const deployment = topLevel('v1.Deployment', {
  spec: struct('v1.DeploymentSpec', {
    replicas: int32,
    selector: labelSelector,
    template: podTemplateSpec,
    strategy: struct('v1.DeploymentStrategy', { type: string, rollingUpdate }),
    minReadySeconds: int32,
    revisionHistoryLimit: int32,
    paused: bool,
    progressDeadlineSeconds: int32,
  }),
  status: struct('v1.DeploymentStatus', {
    observedGeneration: int64,
    ...counters(
      'replicas',
      'updatedReplicas',
      'readyReplicas',
      'availableReplicas',
      'unavailableReplicas',
      'terminatingReplicas',
      'collisionCount',
    ),
    conditions: conditions('v1.DeploymentCondition'),
  }),
});

const replicaSet = topLevel('v1.ReplicaSet', {
  spec: struct('v1.ReplicaSetSpec', {
    replicas: int32,
    minReadySeconds: int32,
    selector: labelSelector,
    template: podTemplateSpec,
  }),
  status: struct('v1.ReplicaSetStatus', {
    observedGeneration: int64,
    ...counters(
      'replicas',
      'fullyLabeledReplicas',
      'readyReplicas',
      'availableReplicas',
      'terminatingReplicas',
    ),
    conditions: conditions('v1.ReplicaSetCondition'),
  }),
});

const statefulSet = topLevel('v1.StatefulSet', {
  spec: struct('v1.StatefulSetSpec', {
    replicas: int32,
    selector: labelSelector,
    template: podTemplateSpec,
    volumeClaimTemplates: listOf(struct('v1.PersistentVolumeClaim')),
    serviceName: string,
    podManagementPolicy: string,
    updateStrategy: struct('v1.StatefulSetUpdateStrategy'),
    revisionHistoryLimit: int32,
    minReadySeconds: int32,
    persistentVolumeClaimRetentionPolicy: struct(
      'v1.StatefulSetPersistentVolumeClaimRetentionPolicy',
    ),
    ordinals: struct('v1.StatefulSetOrdinals'),
  }),
  status: struct('v1.StatefulSetStatus', {
    observedGeneration: int64,
    ...counters(
      'replicas',
      'readyReplicas',
      'currentReplicas',
      'updatedReplicas',
      'collisionCount',
      'availableReplicas',
    ),
    currentRevision: string,
    updateRevision: string,
    conditions: conditions('v1.StatefulSetCondition'),
  }),
});

const daemonSet = topLevel('v1.DaemonSet', {
  spec: struct('v1.DaemonSetSpec', {
    selector: labelSelector,
    template: podTemplateSpec,
    updateStrategy: struct('v1.DaemonSetUpdateStrategy'),
    minReadySeconds: int32,
    revisionHistoryLimit: int32,
  }),
  status: struct('v1.DaemonSetStatus', {
    observedGeneration: int64,
    ...counters(
      'currentNumberScheduled',
      'numberMisscheduled',
      'desiredNumberScheduled',
      'numberReady',
      'updatedNumberScheduled',
      'numberAvailable',
      'numberUnavailable',
      'collisionCount',
    ),
    conditions: conditions('v1.DaemonSetCondition'),
  }),
});

const horizontalPodAutoscaler = topLevel('v2.HorizontalPodAutoscaler', {
  spec: struct('v2.HorizontalPodAutoscalerSpec', {
    scaleTargetRef: struct('v2.CrossVersionObjectReference', {
      kind: string,
      name: string,
      apiVersion: string,
    }),
    minReplicas: int32,
    maxReplicas: int32,
    metrics: listOf(struct('v2.MetricSpec')),
    behavior: struct('v2.HorizontalPodAutoscalerBehavior'),
  }),
  status: struct('v2.HorizontalPodAutoscalerStatus', {
    observedGeneration: int64,
    lastScaleTime: string,
    currentReplicas: int32,
    desiredReplicas: int32,
    currentMetrics: listOf(struct('v2.MetricStatus')),
    conditions: conditions('v2.HorizontalPodAutoscalerCondition'),
  }),
});

export const APPS_KINDS: Readonly<Record<string, ObjectType>> = {
  Deployment: deployment,
  ReplicaSet: replicaSet,
  StatefulSet: statefulSet,
  DaemonSet: daemonSet,
};

export const AUTOSCALING_KINDS: Readonly<Record<string, ObjectType>> = {
  HorizontalPodAutoscaler: horizontalPodAutoscaler,
};
