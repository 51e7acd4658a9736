import { kind, type TypeDescription } from './openapi-types.ts';

/** The workload kinds of apps, batch and autoscaling, in openapi-types.ts's compact form. */
export const WORKLOAD_TYPES: Record<string, TypeDescription> = {
  'apps.v1.Deployment': kind('Deployment enables declarative updates for pods and replica sets.', {
    spec: 'DeploymentSpec The desired behaviour of the deployment.',
    status: 'DeploymentStatus The most recently observed status of the deployment.',
  }),
  'apps.v1.DeploymentSpec': {
    description: 'The specification of the desired behaviour of a deployment.',
    fields: {
      replicas: 'integer Number of desired pods. Defaults to 1.',
      selector: '!meta.v1.LabelSelector Label selector for the pods.',
      template: '!core.v1.PodTemplateSpec The pods to create.',
      strategy: 'DeploymentStrategy How existing pods are replaced by new ones.',
      minReadySeconds: 'integer Seconds a new pod must be ready to count as available.',
      revisionHistoryLimit: 'integer Old replica sets to keep for rollback. Defaults to 10.',
      paused: 'boolean Whether the deployment is paused.',
      progressDeadlineSeconds: 'integer Seconds before a stalled rollout is reported.',
    },
  },
  'apps.v1.DeploymentStrategy': {
    description: 'How to replace existing pods with new ones.',
    fields: {
      type: 'string Recreate or RollingUpdate. Defaults to RollingUpdate.',
      rollingUpdate: 'object maxSurge and maxUnavailable for a rolling update.',
    },
  },
  'apps.v1.DeploymentStatus': {
    description: 'The most recently observed status of a deployment.',
    fields: {
      observedGeneration: 'integer The generation observed by the controller.',
      replicas: 'integer Pods targeted by this deployment.',
      updatedReplicas: 'integer Pods that have the desired template.',
      readyReplicas: 'integer Pods that are ready.',
      availableReplicas: 'integer Pods available for at least minReadySeconds.',
      unavailableReplicas: 'integer Pods still needed for 100% availability.',
      conditions: '[]core.v1.Condition The latest observations of the state.',
    },
  },
  'apps.v1.ReplicaSet': kind('ReplicaSet ensures that a number of pod replicas are running.', {
    spec: 'ReplicaSetSpec The desired behaviour of the replica set.',
    status: 'object The most recently observed status of the replica set.',
  }),
  'apps.v1.ReplicaSetSpec': {
    description: 'The specification of a replica set.',
    fields: {
      replicas: 'integer Number of desired pods. Defaults to 1.',
      selector: '!meta.v1.LabelSelector Label selector for the pods.',
      template: 'core.v1.PodTemplateSpec The pods to create.',
      minReadySeconds: 'integer Seconds a new pod must be ready to count as available.',
    },
  },
  'apps.v1.StatefulSet': kind('StatefulSet runs pods with stable identities and storage.', {
    spec: 'StatefulSetSpec The desired pods of the stateful set.',
    status: 'object The current status of the stateful set.',
  }),
  'apps.v1.StatefulSetSpec': {
    description: 'The specification of a stateful set.',
    fields: {
      replicas: 'integer Number of desired pods. Defaults to 1.',
      selector: '!meta.v1.LabelSelector Label selector for the pods.',
      template: '!core.v1.PodTemplateSpec The pods to create.',
      serviceName: 'string The headless service that governs the set.',
      volumeClaimTemplates: '[]object Claims each pod gets one of.',
      podManagementPolicy: 'string OrderedReady or Parallel.',
      updateStrategy: 'object How pods are updated.',
    },
  },
  'apps.v1.DaemonSet': kind('DaemonSet runs a copy of a pod on each node.', {
    spec: 'DaemonSetSpec The desired behaviour of the daemon set.',
    status: 'object The current status of the daemon set.',
  }),
  'apps.v1.DaemonSetSpec': {
    description: 'The specification of a daemon set.',
    fields: {
      selector: '!meta.v1.LabelSelector Label selector for the pods.',
      template: '!core.v1.PodTemplateSpec The pods to create.',
      updateStrategy: 'object How pods are replaced.',
      minReadySeconds: 'integer Seconds a new pod must be ready to count as available.',
    },
  },
  'batch.v1.Job': kind('Job runs pods to completion.', {
    spec: 'JobSpec The desired behaviour of the job.',
    status: 'object The current status of the job.',
  }),
  'batch.v1.JobSpec': {
    description: 'The specification of a job.',
    fields: {
      template: '!core.v1.PodTemplateSpec The pods the job runs.',
      parallelism: 'integer Pods that may run at once.',
      completions: 'integer Successful pods needed to finish.',
      backoffLimit: 'integer Retries before the job is failed. Defaults to 6.',
      activeDeadlineSeconds: 'integer Seconds the job may run.',
      ttlSecondsAfterFinished: 'integer Seconds after which a finished job is removed.',
      selector: 'meta.v1.LabelSelector Label selector for the pods.',
      suspend: 'boolean Whether the job is suspended.',
    },
  },
  'batch.v1.JobTemplateSpec': {
    description: 'The job a cron job creates.',
    fields: {
      metadata: "meta.v1.ObjectMeta Standard object's metadata.",
      spec: 'JobSpec The desired behaviour of the job.',
    },
  },
  'batch.v1.CronJob': kind('CronJob runs a job on a schedule.', {
    spec: 'CronJobSpec The schedule and the job.',
    status: 'object The current status of the cron job.',
  }),
  'batch.v1.CronJobSpec': {
    description: 'The specification of a cron job.',
    fields: {
      schedule: '!string The schedule, in cron format.',
      jobTemplate: '!JobTemplateSpec The job to create.',
      timeZone: 'string The time zone of the schedule.',
      concurrencyPolicy: 'string Allow, Forbid or Replace. Defaults to Allow.',
      suspend: 'boolean Whether later runs are suspended.',
      startingDeadlineSeconds: 'integer Seconds a missed run may still start.',
      successfulJobsHistoryLimit: 'integer Finished jobs to keep. Defaults to 3.',
      failedJobsHistoryLimit: 'integer Failed jobs to keep. Defaults to 1.',
    },
  },
  'autoscaling.v2.HorizontalPodAutoscaler': kind(
    'HorizontalPodAutoscaler scales a workload to the metrics it is given.',
    {
      spec: 'HorizontalPodAutoscalerSpec The behaviour of the autoscaler.',
      status: 'object The current status of the autoscaler.',
    },
  ),
  'autoscaling.v2.HorizontalPodAutoscalerSpec': {
    description: 'The specification of an autoscaler.',
    fields: {
      scaleTargetRef: '!object The workload to scale.',
      minReplicas: 'integer The lower limit of replicas. Defaults to 1.',
      maxReplicas: '!integer The upper limit of replicas.',
      metrics: '[]object The metrics the desired replica count is computed from.',
      behavior: 'object Scaling behaviour up and down.',
    },
  },
  'autoscaling.v1.HorizontalPodAutoscaler': kind('Configuration of an autoscaler.', {
    spec: 'HorizontalPodAutoscalerSpec The behaviour of the autoscaler.',
    status: 'object The current status of the autoscaler.',
  }),
  'autoscaling.v1.HorizontalPodAutoscalerSpec': {
    description: 'The specification of an autoscaler.',
    fields: {
      scaleTargetRef: '!object The workload to scale.',
      minReplicas: 'integer The lower limit of replicas. Defaults to 1.',
      maxReplicas: '!integer The upper limit of replicas.',
      targetCPUUtilizationPercentage: 'integer The target average CPU utilisation.',
    },
  },
};
