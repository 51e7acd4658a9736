import { findResource, type ResourceType } from '../api/catalog.ts';
import type { KObject, ObjectStore } from '../api/store.ts';
import type { ImageBehaviour } from '../scenario.ts';
import { type TellFailure, tellOnStderr } from '../tell-failure.ts';
import { ApplicationController } from './argocd/application-controller.ts';
import type { SandboxRepository } from './argocd/git-repository.ts';
import { type Controller, type ControllerContext, podReady } from './controller-kit.ts';
import { controllers } from './controllers.ts';
import { DisruptionController } from './disruption-budgets.ts';
import { EndpointControllers } from './endpoints.ts';
import { eventExpiry } from './event-ttl.ts';
import { EventRecorder } from './events.ts';
import { GarbageCollector } from './garbage-collector.ts';
import { Kubelets, type Usage } from './kubelets.ts';
import type { LogLine, LogSource } from './logs.ts';
import { NamespaceController } from './namespace-controller.ts';
import { reconcileNodeLeases } from './node-leases.ts';
import { reconcileNodes } from './nodes.ts';
import { allocatePodCIDRs } from './pod-network.ts';
import { PodScheduler } from './pod-scheduler.ts';
import { reconcileQuotas } from './quota-status.ts';
import { loadOf, type NodeLoad } from './scheduler.ts';
import { VolumeControllers } from './volumes.ts';
import { WorkloadControllers } from './workloads.ts';

/**
 * The sandbox's control plane and kubelets in one loop: controllers, scheduler, container
 * runtimes and node conditions, reconciled whenever an object changes and whenever simulated
 * time reaches the next thing that is due (a crash, the end of a back-off, a deadline).
 */
const type = (group: string, version: string, plural: string): ResourceType => {
  const found = findResource(group, version, plural);
  if (found === undefined) throw new Error(`the sandbox catalog lacks ${plural}`);
  return found;
};
const PODS = type('', 'v1', 'pods');
const NODES = type('', 'v1', 'nodes');

const TERMINATION_SECONDS = 2;

type PodSpec = { nodeName?: string };

export class Simulator {
  readonly store: ObjectStore;
  readonly #events: EventRecorder;
  readonly #workloads: WorkloadControllers;
  /** Jobs, CronJobs, StatefulSets, DaemonSets and HPAs, each in its own file. */
  readonly #controllers: { name: string; controller: Controller }[];
  readonly #argocd: ApplicationController;
  readonly #volumes: VolumeControllers;
  readonly #endpoints: EndpointControllers;
  readonly #collector: GarbageCollector;
  readonly #namespaces: NamespaceController;
  readonly #budgets: DisruptionController;
  readonly #kubelets: Kubelets;
  readonly #scheduler: PodScheduler;
  readonly #removeAt = new Map<string, number>();
  readonly #expireEvents = eventExpiry();
  #timer: NodeJS.Timeout | undefined;
  #pending = false;
  /** How long the last reconcile took and when it ended (ms, real time): the pace of the next. */
  #cost = 0;
  #ended = 0;
  #unsubscribe: (() => void) | undefined;
  #reconciling = false;
  /** The store's version after the last reconcile, and when something next falls due. */
  #settled: { version: string; until: number } | undefined;
  /** Where a controller's failure is told; the simulation goes on past it. */
  readonly #onError: (where: string, error: unknown) => void;

  constructor(store: ObjectStore, onError: TellFailure = tellOnStderr('the simulator failed on')) {
    this.store = store;
    this.#onError = onError;
    this.#events = new EventRecorder(store);
    this.#workloads = new WorkloadControllers(store, this.#events);
    this.#argocd = new ApplicationController(store, this.#events, onError);
    this.#controllers = [
      ...controllers(store, this.#events),
      { name: 'argo cd application controller', controller: this.#argocd },
    ];
    this.#volumes = new VolumeControllers(store, this.#events);
    this.#endpoints = new EndpointControllers(store);
    this.#collector = new GarbageCollector(store);
    this.#namespaces = new NamespaceController(store);
    this.#budgets = new DisruptionController(store);
    this.#kubelets = new Kubelets(store, this.#events);
    this.#scheduler = new PodScheduler(store, this.#events);
  }

  addImages(images: Record<string, ImageBehaviour>): void {
    this.#kubelets.addImages(images);
  }

  /** Lets the simulated Argo CD read the manifests of Applications whose source is `repository`. */
  serveRepository(repository: SandboxRepository): void {
    this.#argocd.serve(repository);
  }

  /**
   * Runs in real time from now on: soon after every change, and at least every half second. A
   * large cluster, whose reconcile takes long, is reconciled less often, so that reconciling
   * never takes more than about a third of the process's time and clients are still answered.
   */
  start(): void {
    this.store.now = () => new Date();
    this.#unsubscribe = this.store.onChange(() => this.#schedule());
    this.reconcile();
    this.#tick();
  }

  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#unsubscribe?.();
  }

  #tick(): void {
    this.#timer = setTimeout(
      () => {
        this.reconcile();
        if (this.#timer !== undefined) this.#tick();
      },
      Math.max(500, 4 * this.#cost),
    );
    this.#timer.unref();
  }

  /** Moves simulated time to `target`, stopping at every transition on the way. */
  advanceTo(target: number, clock: { at: number }): void {
    this.store.now = () => new Date(clock.at);
    for (let guard = 0; guard < 200_000; guard++) {
      this.reconcile();
      const next = this.#nextTransition();
      if (next === undefined || next > target) break;
      clock.at = Math.max(next, clock.at + 1);
    }
    clock.at = target;
    this.reconcile();
  }

  /**
   * Brings the world up to now before a request is answered, unless nothing changed and nothing
   * fell due since the last reconcile: with thousands of pods, a reconcile per request would
   * leave every client waiting on the others.
   */
  catchUp(): void {
    const settled = this.#settled;
    const unchanged = settled?.version === this.store.resourceVersion;
    if (unchanged && this.store.now().getTime() < (settled?.until ?? 0)) return;
    this.reconcile();
  }

  /** Reconciles until nothing changes (a new replica set makes pods, pods change status…). */
  reconcile(): void {
    if (this.#reconciling) return;
    this.#reconciling = true;
    const began = performance.now();
    try {
      for (let pass = 0; pass < 6; pass++) {
        const before = this.store.resourceVersion;
        this.#guarded('node pod ranges', () => allocatePodCIDRs(this.store));
        this.#workloads.reconcile(
          (pod) => this.#available(pod),
          (where, work) => this.#guarded(where, work),
        );
        const context = this.#context();
        for (const { name, controller } of this.#controllers)
          this.#guarded(name, () => controller.reconcile(context));
        this.#guarded('volumes', () => this.#volumes.reconcile());
        this.#guarded('garbage collector', () => this.#collector.reconcile());
        this.#guarded('namespaces', () => this.#namespaces.reconcile());
        this.#guarded('pods', () => this.#pods());
        this.#guarded('evictions', () => this.#kubelets.evict(this.store.now().getTime()));
        this.#guarded('nodes', () => this.#nodes());
        this.#guarded('node leases', () => reconcileNodeLeases(this.store));
        this.#guarded('endpoints', () => this.#endpoints.reconcile());
        this.#guarded('resource quotas', () => reconcileQuotas(this.store));
        this.#guarded('disruption budgets', () => this.#budgets.reconcile());
        this.#guarded('event ttl', () => this.#expireEvents(this.store));
        if (this.store.resourceVersion === before) break;
      }
      // What the timer's next tick would catch anyway (probes, heartbeats) waits at most a second.
      const now = this.store.now().getTime();
      let next: number | undefined;
      this.#guarded('deadlines', () => {
        next = this.#nextTransition();
      });
      this.#settled = {
        version: this.store.resourceVersion,
        until: Math.min(next ?? Number.POSITIVE_INFINITY, now + 1_000),
      };
    } finally {
      this.#reconciling = false;
      this.#ended = performance.now();
      this.#cost = this.#ended - began;
    }
  }

  /** A container's log, as the kubelet serves it, with the API server's refusals. */
  logs(pod: KObject, container: string | undefined, previous: boolean): LogLine[] {
    return this.#kubelets.logs(pod, container, previous);
  }

  /** The log of one run of a container, read again as it grows (`logs -f`). */
  followLog(pod: KObject, container: string | undefined, previous: boolean): LogSource {
    return this.#kubelets.followLog(pod, container, previous);
  }

  podMetrics(namespace: string | undefined): KObject[] {
    return this.#kubelets.podMetrics(namespace);
  }

  nodeMetrics(): KObject[] {
    return this.#kubelets.nodeMetrics();
  }

  /** What each running container of the pod uses now (CPU in millicores, memory in bytes). */
  usage(pod: KObject): Usage[] {
    return this.#kubelets.usage(pod);
  }

  #schedule(): void {
    if (this.#pending) return;
    this.#pending = true;
    const run = () => {
      this.#pending = false;
      this.reconcile();
    };
    const wait = this.#ended + 2 * this.#cost - performance.now();
    if (wait <= 0) setImmediate(run);
    else setTimeout(run, wait).unref();
  }

  #nextTransition(): number | undefined {
    const times = this.#kubelets.dueTimes();
    for (const at of this.#removeAt.values()) times.push(at);
    for (const deadline of [
      this.#workloads.nextDeadline(),
      ...this.#controllers.map(({ controller }) => controller.nextDeadline?.()),
    ])
      if (deadline !== undefined) times.push(deadline);
    const now = this.store.now().getTime();
    const future = times.filter((t) => t > now);
    return future.length === 0 ? undefined : Math.min(...future);
  }

  /**
   * Runs one controller's work; an object it cannot handle is told about and left as it is, and
   * every other object and client goes on, as a controller's failure does in a real cluster.
   */
  #guarded(where: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      this.#onError(where, error);
    }
  }

  #context(): ControllerContext {
    return {
      isAvailable: (pod) => this.#available(pod),
      usage: (pod) => this.#kubelets.usage(pod),
    };
  }

  #available(pod: KObject): boolean {
    return pod.metadata.deletionTimestamp === undefined && podReady(pod);
  }

  #pods(): void {
    const now = this.store.now().getTime();
    const nodes = this.store.view(NODES);
    const pods = this.store.view(PODS);
    const load = loadOf(
      pods.filter((p) => (p.spec as PodSpec).nodeName !== undefined && !finished(p)),
    );
    const live = new Set<string>();
    const waiting = new Set<string>();
    for (const pod of pods) {
      live.add(pod.metadata.uid ?? '');
      if ((pod.spec as PodSpec).nodeName === undefined) waiting.add(pod.metadata.uid ?? '');
      this.#guarded(`pod ${pod.metadata.namespace}/${pod.metadata.name}`, () =>
        this.#pod(pod, now, nodes, load),
      );
    }
    this.#kubelets.keepOnly(live);
    this.#scheduler.keepOnly(waiting);
  }

  #pod(pod: KObject, now: number, nodes: readonly KObject[], load: NodeLoad): void {
    const uid = pod.metadata.uid ?? '';
    if (pod.metadata.deletionTimestamp !== undefined) {
      const at = this.#removeAt.get(uid) ?? now + TERMINATION_SECONDS * 1000;
      this.#removeAt.set(uid, at);
      // The containers stop when the grace period ends; the pod stays while a finalizer holds it.
      if (now >= at && (pod.metadata.finalizers ?? []).length === 0) {
        this.store.remove(PODS, pod.metadata.namespace, pod.metadata.name);
        this.#removeAt.delete(uid);
        this.#kubelets.forget(uid);
      }
      return;
    }
    if ((pod.spec as PodSpec).nodeName !== undefined) {
      this.#kubelets.run(pod, now);
      return;
    }
    const bound = this.#scheduler.bind(pod, nodes, load);
    if (bound !== undefined) this.#kubelets.run(bound, this.store.now().getTime());
  }

  #nodes(): void {
    const now = this.store.now().getTime();
    reconcileNodes(
      this.store,
      this.#events,
      (pod) => this.#kubelets.usage(pod),
      (node) => this.#kubelets.holdsPressure(node, now),
    );
  }
}

/** A pod whose containers ended for good: it holds no room on its node. */
function finished(pod: KObject): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}
