import type { ObjectStore } from '../api/store.ts';
import { ClusterRoleAggregationController } from './cluster-role-aggregation.ts';
import type { Controller } from './controller-kit.ts';
import { CronJobController } from './cronjob-controller.ts';
import { DaemonSetController } from './daemonset-controller.ts';
import type { EventRecorder } from './events.ts';
import { HpaController } from './hpa-controller.ts';
import { JobController } from './job-controller.ts';
import { StatefulSetController } from './statefulset-controller.ts';

/** The controllers beside the deployment and replica set ones, in the order a pass runs them. */
export function controllers(
  store: ObjectStore,
  events: EventRecorder,
): { name: string; controller: Controller }[] {
  return [
    { name: 'horizontal pod autoscaler', controller: new HpaController(store, events) },
    { name: 'cronjob controller', controller: new CronJobController(store, events) },
    { name: 'job controller', controller: new JobController(store, events) },
    { name: 'statefulset controller', controller: new StatefulSetController(store, events) },
    { name: 'daemonset controller', controller: new DaemonSetController(store, events) },
    { name: 'clusterrole aggregation', controller: new ClusterRoleAggregationController(store) },
  ];
}
