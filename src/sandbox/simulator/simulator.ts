import { parseCpu, parseMemory } from '../../shared/quantity.ts';
import { findResource, type ResourceType } from '../api/catalog.ts';
import { ApiError, type KObject, type ObjectStore } from '../api/store.ts';
import type { ImageBehaviour } from '../scenario.ts';
import { type TellFailure, tellOnStderr } from '../tell-failure.ts';
import type { Controller, ControllerContext } from './controller-kit.ts';
import { controllers } from './controllers.ts';
import { DisruptionController } from './disruption-budgets.ts';
import { EndpointControllers } from './endpoints.ts';
import { eventExpiry } from './event-ttl.ts';
import { EventRecorder, stamp } from './events.ts';
import { GarbageCollector } from './garbage-collector.ts';
import { ImageRegistry } from './image-registry.ts';
import {
  advance,
  type Container,
  type ContainerRuntime,
  containerStatus,
  exitOf,
  type Lookup,
  newRuntime,
} from './kubelet.ts';
import { type LogLine, type LogSource, logLines } from './logs.ts';
import { NamespaceController } from './namespace-controller.ts';
import { EvictionManager, evictedStatus } from './node-eviction.ts';
import { reconcileNodeLeases } from './node-leases.ts';
import { nodeMetrics, podMetrics, reconcileNodes } from './nodes.ts';
import { allocatePodCIDRs, podIPFor } from './pod-network.ts';
import { type PodStatus, podConditions, podPhase, qosOf, waitingReason } from './pod-status.ts';
import { reconcileQuotas } from './quota-status.ts';
import { addToLoad, loadOf, type NodeLoad, place } from './scheduler.ts';
import { UnschedulableQueue } from './unschedulable-queue.ts';
import { VolumeControllers, volumeProblem } from './volumes.ts';
import { podReady, WorkloadControllers } from './workloads.ts';

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
const CONFIGMAPS = type('', 'v1', 'configmaps');
const SECRETS = type('', 'v1', 'secrets');

const TERMINATION_SECONDS = 2;
const READY_SECONDS = 2;

type PodSpec = { containers?: Container[]; nodeName?: string; readinessGates?: unknown };
type Usage = { name: string; cpu: number; memory: number };

export class Simulator {
  readonly store: ObjectStore;
  readonly #events: EventRecorder;
  readonly #workloads: WorkloadControllers;
  /** Jobs, CronJobs, StatefulSets, DaemonSets and HPAs, each in its own file. */
  readonly #controllers: { name: string; controller: Controller }[];
  readonly #volumes: VolumeControllers;
  readonly #endpoints: EndpointControllers;
  readonly #collector: GarbageCollector;
  readonly #namespaces: NamespaceController;
  readonly #budgets: DisruptionController;
  readonly #images = new ImageRegistry();
  readonly #evictions = new EvictionManager();
  #usages: { key: string; byPod: Map<string, Usage[]> } = { key: '', byPod: new Map() };
  readonly #runtimes = new Map<string, Map<string, ContainerRuntime>>();
  readonly #removeAt = new Map<string, number>();
  readonly #unschedulable = new UnschedulableQueue();
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
    this.#controllers = controllers(store, this.#events);
    this.#volumes = new VolumeControllers(store, this.#events);
    this.#endpoints = new EndpointControllers(store);
    this.#collector = new GarbageCollector(store);
    this.#namespaces = new NamespaceController(store);
    this.#budgets = new DisruptionController(store);
  }

  addImages(images: Record<string, ImageBehaviour>): void {
    this.#images.add(images);
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
        this.#guarded('evictions', () => this.#evict());
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
    return this.followLog(pod, container, previous).lines();
  }

  /**
   * The log of one run of a container, read again as it grows. It ends when that run does (or
   * its pod goes): the kubelet follows the container it found, not the one that replaces it.
   */
  followLog(pod: KObject, container: string | undefined, previous: boolean): LogSource {
    const containers = (pod.spec as PodSpec).containers ?? [];
    const name = container ?? (containers.length === 1 ? containers[0]?.name : undefined);
    if (name === undefined) {
      throw new ApiError(
        400,
        'BadRequest',
        `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${containers.map((c) => c.name).join(' ')}]`,
      );
    }
    const spec = containers.find((c) => c.name === name);
    if (spec === undefined) {
      throw new ApiError(
        400,
        'BadRequest',
        `container ${name} is not valid for pod ${pod.metadata.name}`,
      );
    }
    const uid = pod.metadata.uid ?? '';
    const runtime = this.#runtimes.get(uid)?.get(name);
    const instance = previous ? runtime?.previous : (runtime?.current ?? runtime?.previous);
    if (instance === undefined) {
      if (previous) {
        throw new ApiError(
          400,
          'BadRequest',
          `previous terminated container "${name}" in pod "${pod.metadata.name}" not found`,
        );
      }
      const reason = waitingReason(runtime);
      throw new ApiError(
        400,
        'BadRequest',
        `container "${name}" in pod "${pod.metadata.name}" is waiting to start: ${reason}`,
      );
    }
    const behaviour = this.#images.run(spec)?.behaviour;
    return {
      lines: () => logLines(instance, behaviour, this.store.now().getTime(), pod.metadata.name),
      ended: () => instance.endedAt !== undefined || !this.#runtimes.has(uid),
    };
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
    const times: number[] = [];
    for (const runtimes of this.#runtimes.values()) {
      for (const runtime of runtimes.values()) {
        if (runtime.until !== undefined) times.push(runtime.until);
        const started = runtime.current?.startedAt;
        if (runtime.phase === 'running' && started !== undefined)
          times.push(started + READY_SECONDS * 1000);
      }
    }
    for (const at of this.#removeAt.values()) times.push(at);
    for (const deadline of [
      this.#workloads.nextDeadline(),
      this.#evictions.nextDeadline(),
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
    return { isAvailable: (pod) => this.#available(pod), usage: (pod) => this.#usage(pod) };
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
    for (const uid of this.#runtimes.keys()) {
      if (live.has(uid)) continue;
      this.#runtimes.delete(uid);
      this.#evictions.forget(uid);
    }
    this.#unschedulable.keepOnly(waiting);
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
        this.#runtimes.delete(uid);
      }
      return;
    }
    const spec = pod.spec as PodSpec;
    if (spec.nodeName === undefined) {
      this.#bind(pod, nodes, load);
      return;
    }
    this.#run(pod, now);
  }

  #bind(pod: KObject, nodes: readonly KObject[], load: NodeLoad): void {
    const uid = pod.metadata.uid ?? '';
    const now = this.store.now().getTime();
    const cluster = UnschedulableQueue.clusterOf(nodes, load);
    if (!this.#unschedulable.due(uid, cluster, now)) return;
    // A claim being bound is not the nodes' doing: such a pod is tried again at every pass.
    const blocked = volumeProblem(this.store, pod, nodes.length);
    const placement = blocked === undefined ? place(pod, nodes, load) : { reason: blocked };
    const scheduler = { component: 'default-scheduler' };
    if ('reason' in placement) {
      if (blocked === undefined) this.#unschedulable.park(uid, cluster, now);
      const status = {
        phase: 'Pending',
        qosClass: qosOf(pod),
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message: placement.reason,
            lastProbeTime: null,
            lastTransitionTime: pod.metadata.creationTimestamp,
          },
        ],
      };
      const changed =
        JSON.stringify((pod.status as { conditions?: unknown } | undefined)?.conditions) !==
        JSON.stringify(status.conditions);
      if (changed) {
        this.store.writeStatus(PODS, { ...pod, status });
        this.#events.record(pod, 'Warning', 'FailedScheduling', placement.reason, scheduler);
      }
      return;
    }
    const bound = this.store.replace(PODS, {
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
    this.#run(bound, this.store.now().getTime());
  }

  #run(pod: KObject, now: number): void {
    const containers = (pod.spec as PodSpec).containers ?? [];
    const runtimes = this.#advanceContainers(pod, containers, now);
    const statuses = containers.map((c) => {
      const runtime = runtimes.get(c.name) as ContainerRuntime;
      return containerStatus(pod.metadata.name, runtime, c, this.#images.run(c), now);
    });
    const phase = podPhase(statuses, [...runtimes.values()]);
    const previous = (pod.status ?? {}) as PodStatus;
    const hostIP = this.#hostIP(pod);
    const ip = podIPFor(this.store, pod, hostIP);
    const status = {
      phase,
      conditions: podConditions(previous, statuses, now, phase),
      hostIP,
      hostIPs: [{ ip: hostIP }],
      podIP: ip,
      podIPs: [{ ip }],
      startTime: previous.startTime ?? stamp(new Date(now)),
      containerStatuses: statuses,
      qosClass: qosOf(pod),
    };
    const evicted = this.#evictions.evicted(pod.metadata.uid ?? '');
    this.store.writeStatus(PODS, {
      ...pod,
      status: evicted === undefined ? status : evictedStatus(status, previous, evicted, now),
    });
    this.#probe(pod, containers, runtimes, now);
  }

  /** Each container's runtime (made on first sight) moved through what is due at `now`. */
  #advanceContainers(
    pod: KObject,
    containers: Container[],
    now: number,
  ): Map<string, ContainerRuntime> {
    const uid = pod.metadata.uid ?? '';
    let runtimes = this.#runtimes.get(uid);
    if (runtimes === undefined) {
      runtimes = new Map();
      this.#runtimes.set(uid, runtimes);
    }
    const lookup = this.#lookup();
    for (const container of containers) {
      let runtime = runtimes.get(container.name);
      if (runtime === undefined) {
        runtime = newRuntime(container, now);
        runtimes.set(container.name, runtime);
      }
      advance(runtime, pod, container, lookup, this.#events, now);
    }
    return runtimes;
  }

  /** The InternalIP of the pod's node. */
  #hostIP(pod: KObject): string {
    const node = this.store.peek(NODES, undefined, (pod.spec as PodSpec).nodeName ?? '');
    const addresses =
      (node?.status as { addresses?: { type: string; address: string }[] } | undefined)
        ?.addresses ?? [];
    return addresses.find((a) => a.type === 'InternalIP')?.address ?? '10.0.0.1';
  }

  /** A failing readiness probe is an event every 10 s of simulated time, like the kubelet's. */
  #probe(
    pod: KObject,
    containers: Container[],
    runtimes: Map<string, ContainerRuntime>,
    now: number,
  ): void {
    for (const c of containers) {
      const runtime = runtimes.get(c.name);
      if (c.readinessProbe === undefined || runtime?.phase !== 'running') continue;
      if (this.#images.run(c)?.behaviour.ready !== false) continue;
      const started = runtime.current?.startedAt ?? now;
      if (now - started < READY_SECONDS * 1000) continue;
      const last = (runtime as ContainerRuntime & { probedAt?: number }).probedAt ?? 0;
      if (now - last < 10_000) continue;
      (runtime as ContainerRuntime & { probedAt?: number }).probedAt = now;
      this.#events.record(
        pod,
        'Warning',
        'Unhealthy',
        'Readiness probe failed: HTTP probe failed with statuscode: 503',
        { component: 'kubelet', host: (pod.spec as PodSpec).nodeName ?? '' },
        `spec.containers{${c.name}}`,
      );
    }
  }

  #lookup(): Lookup {
    return {
      run: (container) => this.#images.run(container),
      missingReference: (namespace, container) => this.#missingReference(namespace, container),
    };
  }

  #missingReference(namespace: string, container: Container): string | undefined {
    const check = (
      kind: 'configmap' | 'secret',
      name: string | undefined,
      key?: string,
      optional?: boolean,
    ) => {
      if (name === undefined || optional === true) return undefined;
      const found = this.store.peek(kind === 'configmap' ? CONFIGMAPS : SECRETS, namespace, name);
      if (found === undefined) return `${kind} "${name}" not found`;
      const data = { ...((found.data ?? {}) as object), ...((found.binaryData ?? {}) as object) };
      if (key !== undefined && !(key in data)) {
        return `couldn't find key ${key} in ${kind === 'configmap' ? 'ConfigMap' : 'Secret'} ${namespace}/${name}`;
      }
      return undefined;
    };
    for (const from of container.envFrom ?? []) {
      const missing =
        check('configmap', from.configMapRef?.name, undefined, from.configMapRef?.optional) ??
        check('secret', from.secretRef?.name, undefined, from.secretRef?.optional);
      if (missing !== undefined) return missing;
    }
    for (const env of container.env ?? []) {
      const cm = env.valueFrom?.configMapKeyRef;
      const secret = env.valueFrom?.secretKeyRef;
      const missing =
        check('configmap', cm?.name, cm?.key, cm?.optional) ??
        check('secret', secret?.name, secret?.key, secret?.optional);
      if (missing !== undefined) return missing;
    }
    return undefined;
  }

  /**
   * What each container of the pod uses now. Remembered while the store and the clock stand
   * still: node conditions, evictions, autoscalers and metrics all ask within one pass.
   */
  #usage(pod: KObject): Usage[] {
    const key = `${this.store.resourceVersion}/${this.store.now().getTime()}`;
    if (this.#usages.key !== key) this.#usages = { key, byPod: new Map() };
    const uid = pod.metadata.uid ?? '';
    let usage = this.#usages.byPod.get(uid);
    if (usage === undefined) {
      usage = this.#measure(pod);
      this.#usages.byPod.set(uid, usage);
    }
    return usage;
  }

  #measure(pod: KObject): Usage[] {
    const runtimes = this.#runtimes.get(pod.metadata.uid ?? '');
    return ((pod.spec as PodSpec).containers ?? []).flatMap((c) => {
      const runtime = runtimes?.get(c.name);
      if (runtime?.phase !== 'running') return [];
      const run = this.#images.run(c);
      if (run === undefined) return [];
      const behaviour = run.behaviour;
      const need = parseMemory(behaviour.memory) ?? 0;
      const limit = parseMemory(c.resources?.limits?.memory ?? '');
      const memory =
        exitOf(c, run)?.reason === 'OOMKilled' && limit !== undefined ? limit * 0.97 : need;
      return [{ name: c.name, cpu: parseCpu(behaviour.cpu) ?? 0, memory }];
    });
  }

  podMetrics(namespace: string | undefined): KObject[] {
    return podMetrics(this.store, namespace, (pod) => this.#usage(pod));
  }

  nodeMetrics(): KObject[] {
    return nodeMetrics(this.store, (pod) => this.#usage(pod));
  }

  #nodes(): void {
    const now = this.store.now().getTime();
    reconcileNodes(
      this.store,
      this.#events,
      (pod) => this.#usage(pod),
      (node) => this.#evictions.holdsPressure(node, now),
    );
  }

  /** The kubelet of a node short of memory kills a pod's containers and fails the pod. */
  #evict(): void {
    const now = this.store.now().getTime();
    for (const { node, pod, message } of this.#evictions.choose(
      this.store,
      (p) => this.#usage(p),
      now,
    )) {
      const source = { component: 'kubelet', host: node.metadata.name };
      this.#events.record(
        node,
        'Warning',
        'EvictionThresholdMet',
        'Attempting to reclaim memory',
        source,
      );
      this.#events.record(pod, 'Warning', 'Evicted', message, source);
      for (const runtime of this.#runtimes.get(pod.metadata.uid ?? '')?.values() ?? []) {
        if (runtime.current !== undefined && runtime.current.endedAt === undefined) {
          runtime.current.endedAt = now;
          runtime.current.exitCode = 137;
          runtime.current.reason = 'Error';
        }
        runtime.phase = 'exited';
        runtime.until = undefined;
      }
      this.#run(pod, now);
    }
  }
}

/** A pod whose containers ended for good: it holds no room on its node. */
function finished(pod: KObject): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}
