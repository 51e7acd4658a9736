import { shortHash } from '../api/hash.ts';
import type { KObject, ObjectStore } from '../api/store.ts';
import {
  type Controller,
  type ControllerContext,
  createPod,
  deletePod,
  ownedPods,
  type PodTemplate,
  podReady,
  resourceType,
} from './controller-kit.ts';
import type { EventRecorder } from './events.ts';
import { matchesNode, untoleratedTaint } from './scheduler.ts';

/**
 * The DaemonSet controller: one pod on each Ready node that matches the template's node selector
 * and whose NoSchedule/NoExecute taints it tolerates (with the tolerations the real controller
 * adds to every daemon pod). A new node gets its pod; a node that stops fitting loses it. Pods are
 * pinned to their node with node affinity and bound by the scheduler, as in a real cluster.
 */
const DAEMONSETS = resourceType('apps', 'v1', 'daemonsets');
const NODES = resourceType('', 'v1', 'nodes');
const SOURCE = { component: 'daemonset-controller' };
const REVISION = 'controller-revision-hash';

/** What the real controller adds to every daemon pod, so node trouble does not evict it. */
const DAEMON_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

type PodSpec = {
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: { key?: string; operator?: string; value?: string; effect?: string }[];
};

export class DaemonSetController implements Controller {
  readonly #store: ObjectStore;
  readonly #events: EventRecorder;

  constructor(store: ObjectStore, events: EventRecorder) {
    this.#store = store;
    this.#events = events;
  }

  reconcile(context: ControllerContext): void {
    const nodes = this.#store.view(NODES);
    for (const set of this.#store.view(DAEMONSETS)) {
      if (set.metadata.deletionTimestamp === undefined) this.#daemonSet(set, nodes, context);
    }
  }

  #daemonSet(set: KObject, nodes: readonly KObject[], context: ControllerContext): void {
    const template = ((set.spec as { template?: PodTemplate }).template ?? {}) as PodTemplate;
    const podSpec = {
      ...((template.spec ?? {}) as PodSpec),
      tolerations: [
        ...(((template.spec ?? {}) as PodSpec).tolerations ?? []),
        ...DAEMON_TOLERATIONS,
      ],
    };
    const revision = shortHash(template);
    const wanted = nodes.filter((node) => fits(podSpec, node, true)).map((n) => n.metadata.name);
    const owned = ownedPods(this.#store, set);
    const live = owned.filter((p) => p.metadata.deletionTimestamp === undefined);
    const onNode = (name: string) => live.filter((p) => targetNode(p) === name);

    for (const node of wanted) {
      if (onNode(node).length === 0 && !owned.some((p) => targetNode(p) === node))
        this.#create(set, template, podSpec, node, revision);
    }
    // A node that stops reporting keeps its daemon pod, which tolerates not-ready; one that no
    // longer matches or tolerates loses it.
    const keep = nodes.filter((node) => fits(podSpec, node, false)).map((n) => n.metadata.name);
    for (const pod of live) {
      if (!keep.includes(targetNode(pod) ?? '')) this.#delete(set, pod);
    }
    this.#rollOne(set, revision);
    this.#status(set, wanted, revision, context);
  }

  /** RollingUpdate with maxUnavailable 1: one pod of an old template replaced at a time. */
  #rollOne(set: KObject, revision: string): void {
    const strategy = (set.spec as { updateStrategy?: { type?: string } }).updateStrategy?.type;
    if (strategy === 'OnDelete') return;
    const pods = this.#podsOf(set, true);
    if (pods.some((p) => p.metadata.deletionTimestamp !== undefined) || !pods.every(podReady))
      return;
    const stale = pods.find((p) => p.metadata.labels?.[REVISION] !== revision);
    if (stale !== undefined) this.#delete(set, stale);
  }

  #create(set: KObject, template: PodTemplate, podSpec: PodSpec, node: string, revision: string) {
    const generation = String(set.metadata.generation ?? 1);
    const pod = createPod(
      this.#store,
      set,
      { ...template, spec: podSpec },
      { generateName: `${set.metadata.name}-` },
      {
        labels: { [REVISION]: revision, 'pod-template-generation': generation },
        spec: {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  { matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] },
                ],
              },
            },
          },
        },
      },
    );
    this.#events.record(
      set,
      'Normal',
      'SuccessfulCreate',
      `Created pod: ${pod.metadata.name}`,
      SOURCE,
    );
  }

  #delete(set: KObject, pod: KObject): void {
    deletePod(this.#store, pod);
    this.#events.record(
      set,
      'Normal',
      'SuccessfulDelete',
      `Deleted pod: ${pod.metadata.name}`,
      SOURCE,
    );
  }

  #podsOf(set: KObject, withTerminating: boolean): KObject[] {
    return ownedPods(this.#store, set).filter(
      (p) => withTerminating || p.metadata.deletionTimestamp === undefined,
    );
  }

  #status(set: KObject, wanted: string[], revision: string, context: ControllerContext): void {
    const pods = this.#podsOf(set, false);
    const scheduled = pods.filter((p) => wanted.includes(targetNode(p) ?? ''));
    const ready = scheduled.filter(podReady).length;
    const available = scheduled.filter((p) => context.isAvailable(p)).length;
    const status: Record<string, unknown> = {
      currentNumberScheduled: scheduled.length,
      numberMisscheduled: pods.length - scheduled.length,
      desiredNumberScheduled: wanted.length,
      numberReady: ready,
      observedGeneration: set.metadata.generation,
      updatedNumberScheduled: scheduled.filter((p) => p.metadata.labels?.[REVISION] === revision)
        .length,
      numberAvailable: available,
    };
    if (wanted.length - available > 0) status.numberUnavailable = wanted.length - available;
    if (status.numberAvailable === 0) delete status.numberAvailable;
    if (status.updatedNumberScheduled === 0) delete status.updatedNumberScheduled;
    this.#store.writeStatus(DAEMONSETS, { ...set, status });
  }
}

/** Whether a daemon pod belongs on the node: Ready, matching its selector, its taints tolerated. */
function fits(spec: PodSpec, node: KObject, mustBeReady: boolean): boolean {
  const conditions = (node.status as { conditions?: { type: string; status: string }[] })
    ?.conditions;
  const ready = conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  return (
    (ready || !mustBeReady) && matchesNode(spec, node) && untoleratedTaint(spec, node) === undefined
  );
}

/** The node a daemon pod is bound to, or pinned to by its node affinity. */
function targetNode(pod: KObject): string | undefined {
  const spec = pod.spec as PodSpec & {
    affinity?: {
      nodeAffinity?: {
        requiredDuringSchedulingIgnoredDuringExecution?: {
          nodeSelectorTerms?: { matchFields?: { values?: string[] }[] }[];
        };
      };
    };
  };
  return (
    spec.nodeName ??
    spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
      ?.nodeSelectorTerms?.[0]?.matchFields?.[0]?.values?.[0]
  );
}
