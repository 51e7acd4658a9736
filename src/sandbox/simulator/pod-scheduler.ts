import { findResource, type ResourceType } from '../api/catalog.ts';
import type { KObject, ObjectStore } from '../api/store.ts';
import type { EventRecorder } from './events.ts';
import { qosOf } from './pod-status.ts';
import { addToLoad, type NodeLoad, place } from './scheduler.ts';
import { UnschedulableQueue } from './unschedulable-queue.ts';
import { volumeProblem } from './volumes.ts';

/**
 * The default scheduler's loop: a pod without a node is bound to one, or marked Unschedulable
 * with the reason and a FailedScheduling event, and tried again only when the cluster changes.
 */
const PODS = findResource('', 'v1', 'pods') as ResourceType;

export class PodScheduler {
  readonly #store: ObjectStore;
  readonly #events: EventRecorder;
  readonly #unschedulable = new UnschedulableQueue();

  constructor(store: ObjectStore, events: EventRecorder) {
    this.#store = store;
    this.#events = events;
  }

  /** Forgets the pods waiting to be scheduled that are not in `waiting` (uids). */
  keepOnly(waiting: ReadonlySet<string>): void {
    this.#unschedulable.keepOnly(waiting);
  }

  /** The pod bound to a node, or undefined when it stays Pending. */
  bind(pod: KObject, nodes: readonly KObject[], load: NodeLoad): KObject | undefined {
    const uid = pod.metadata.uid ?? '';
    const now = this.#store.now().getTime();
    const cluster = UnschedulableQueue.clusterOf(nodes, load);
    if (!this.#unschedulable.due(uid, cluster, now)) return undefined;
    // A claim being bound is not the nodes' doing: such a pod is tried again at every pass.
    const blocked = volumeProblem(this.#store, pod, nodes.length);
    const placement = blocked === undefined ? place(pod, nodes, load) : { reason: blocked };
    const scheduler = { component: 'default-scheduler' };
    if ('reason' in placement) {
      if (blocked === undefined) this.#unschedulable.park(uid, cluster, now);
      this.#pending(pod, placement.reason);
      return undefined;
    }
    const bound = this.#store.replace(PODS, {
      ...pod,
      spec: { ...(pod.spec as object), nodeName: placement.node },
    });
    addToLoad(load, bound);
    this.#events.record(
      bound,
      'Normal',
      'Scheduled',
      `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${placement.node}`,
      scheduler,
    );
    return bound;
  }

  #pending(pod: KObject, reason: string): void {
    const status = {
      phase: 'Pending',
      qosClass: qosOf(pod),
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: reason,
          lastProbeTime: null,
          lastTransitionTime: pod.metadata.creationTimestamp,
        },
      ],
    };
    const changed =
      JSON.stringify((pod.status as { conditions?: unknown } | undefined)?.conditions) !==
      JSON.stringify(status.conditions);
    if (!changed) return;
    this.#store.writeStatus(PODS, { ...pod, status });
    this.#events.record(pod, 'Warning', 'FailedScheduling', reason, {
      component: 'default-scheduler',
    });
  }
}
