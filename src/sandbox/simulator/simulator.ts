import { parseCpu, parseMemory } from '../../shared/quantity.ts';
import { findResource, type ResourceType } from '../api/catalog.ts';
import { ApiError, type KObject, type ObjectStore } from '../api/store.ts';
import type { ImageBehaviour } from '../scenario.ts';
import { eventExpiry } from './event-ttl.ts';
import { EventRecorder, stamp } from './events.ts';
import {
  advance,
  type Container,
  type ContainerRuntime,
  containerStatus,
  exitOf,
  type Lookup,
  newRuntime,
} from './kubelet.ts';
import { type LogLine, logLines } from './logs.ts';
import { nodeMetrics, podMetrics, reconcileNodes } from './nodes.ts';
import { allocatePodCIDRs, podIPFor } from './pod-network.ts';
import { type PodStatus, podConditions, qosOf, waitingReason } from './pod-status.ts';
import { place } from './scheduler.ts';
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

export class Simulator {
  readonly store: ObjectStore;
  readonly #events: EventRecorder;
  readonly #workloads: WorkloadControllers;
  readonly #images = new Map<string, ImageBehaviour>();
  readonly #runtimes = new Map<string, Map<string, ContainerRuntime>>();
  readonly #removeAt = new Map<string, number>();
  readonly #expireEvents = eventExpiry();
  #timer: NodeJS.Timeout | undefined;
  #pending = false;
  #unsubscribe: (() => void) | undefined;
  #reconciling = false;
  /** Where a controller's failure is told; the simulation goes on past it. */
  readonly #onError: (where: string, error: unknown) => void;

  constructor(store: ObjectStore, onError: (where: string, error: unknown) => void = toStderr()) {
    this.store = store;
    this.#onError = onError;
    this.#events = new EventRecorder(store);
    this.#workloads = new WorkloadControllers(store, this.#events);
  }

  addImages(images: Record<string, ImageBehaviour>): void {
    for (const [image, behaviour] of Object.entries(images)) this.#images.set(image, behaviour);
  }

  /** Runs in real time from now on: on every change, and at least every half second. */
  start(): void {
    this.store.now = () => new Date();
    this.#unsubscribe = this.store.onChange(() => this.#schedule());
    this.#timer = setInterval(() => this.reconcile(), 500);
    this.#timer.unref();
    this.reconcile();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#unsubscribe?.();
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

  /** Reconciles until nothing changes (a new replica set makes pods, pods change status…). */
  reconcile(): void {
    if (this.#reconciling) return;
    this.#reconciling = true;
    try {
      for (let pass = 0; pass < 6; pass++) {
        const before = this.store.resourceVersion;
        this.#guarded('node pod ranges', () => allocatePodCIDRs(this.store));
        this.#guarded('workload controllers', () =>
          this.#workloads.reconcile((pod) => this.#available(pod)),
        );
        this.#guarded('pods', () => this.#pods());
        this.#guarded('nodes', () => this.#nodes());
        this.#guarded('event ttl', () => this.#expireEvents(this.store));
        if (this.store.resourceVersion === before) break;
      }
    } finally {
      this.#reconciling = false;
    }
  }

  /** A container's log, as the kubelet serves it, with the API server's refusals. */
  logs(pod: KObject, container: string | undefined, previous: boolean): LogLine[] {
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
    const runtime = this.#runtimes.get(pod.metadata.uid ?? '')?.get(name);
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
    return logLines(
      instance,
      this.#images.get(spec.image),
      this.store.now().getTime(),
      pod.metadata.name,
    );
  }

  #schedule(): void {
    if (this.#pending) return;
    this.#pending = true;
    setImmediate(() => {
      this.#pending = false;
      this.reconcile();
    });
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
    const deadline = this.#workloads.nextDeadline();
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

  #available(pod: KObject): boolean {
    return pod.metadata.deletionTimestamp === undefined && podReady(pod);
  }

  #pods(): void {
    const now = this.store.now().getTime();
    const nodes = this.store.list(NODES);
    const pods = this.store.list(PODS);
    const live = new Set<string>();
    for (const pod of pods) {
      live.add(pod.metadata.uid ?? '');
      this.#guarded(`pod ${pod.metadata.namespace}/${pod.metadata.name}`, () =>
        this.#pod(pod, now, nodes, pods),
      );
    }
    for (const uid of this.#runtimes.keys()) if (!live.has(uid)) this.#runtimes.delete(uid);
  }

  #pod(pod: KObject, now: number, nodes: KObject[], pods: KObject[]): void {
    const uid = pod.metadata.uid ?? '';
    if (pod.metadata.deletionTimestamp !== undefined) {
      const at = this.#removeAt.get(uid) ?? now + TERMINATION_SECONDS * 1000;
      this.#removeAt.set(uid, at);
      if (now >= at) {
        this.store.remove(PODS, pod.metadata.namespace, pod.metadata.name);
        this.#removeAt.delete(uid);
        this.#runtimes.delete(uid);
      }
      return;
    }
    const spec = pod.spec as PodSpec;
    if (spec.nodeName === undefined) {
      this.#bind(pod, nodes, pods);
      return;
    }
    this.#run(pod, now);
  }

  #bind(pod: KObject, nodes: KObject[], pods: KObject[]): void {
    const placed = pods.filter(
      (p) =>
        (p.spec as PodSpec).nodeName !== undefined && p.metadata.deletionTimestamp === undefined,
    );
    const placement = place(pod, nodes, placed);
    const scheduler = { component: 'default-scheduler' };
    if ('reason' in placement) {
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
    (pods.find((p) => p.metadata.uid === pod.metadata.uid) as KObject).spec = bound.spec;
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
      return containerStatus(pod.metadata.name, runtime, c, this.#images.get(c.image), now);
    });
    const started = statuses.some(
      (s) => s.started === true || Object.keys(s.lastState as object).length > 0,
    );
    const previous = (pod.status ?? {}) as PodStatus;
    const hostIP = this.#hostIP(pod);
    const ip = podIPFor(this.store, pod, hostIP);
    const status = {
      phase: started ? 'Running' : 'Pending',
      conditions: podConditions(previous, statuses, now),
      hostIP,
      hostIPs: [{ ip: hostIP }],
      podIP: ip,
      podIPs: [{ ip }],
      startTime: previous.startTime ?? stamp(new Date(now)),
      containerStatuses: statuses,
      qosClass: qosOf(pod),
    };
    this.store.writeStatus(PODS, { ...pod, status });
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
    const node = this.store.get(NODES, undefined, (pod.spec as PodSpec).nodeName ?? '');
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
      if (this.#images.get(c.image)?.ready !== false) continue;
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
      behaviour: (image) => this.#images.get(image),
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
      const found = this.store.get(kind === 'configmap' ? CONFIGMAPS : SECRETS, namespace, name);
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

  #usage(pod: KObject): { name: string; cpu: number; memory: number }[] {
    const runtimes = this.#runtimes.get(pod.metadata.uid ?? '');
    return ((pod.spec as PodSpec).containers ?? []).flatMap((c) => {
      const runtime = runtimes?.get(c.name);
      const behaviour = this.#images.get(c.image);
      if (runtime?.phase !== 'running' || behaviour === undefined) return [];
      const need = parseMemory(behaviour.memory) ?? 0;
      const limit = parseMemory(c.resources?.limits?.memory ?? '');
      const memory =
        exitOf(c, behaviour)?.reason === 'OOMKilled' && limit !== undefined ? limit * 0.97 : need;
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
    reconcileNodes(this.store, this.#events, (pod) => this.#usage(pod));
  }
}

/** A controller's failure on stderr, each distinct one at most once a minute. */
function toStderr(): (where: string, error: unknown) => void {
  const told = new Map<string, number>();
  return (where, error) => {
    const line = `sandbox: the simulator failed on ${where}: ${(error as Error)?.message ?? String(error)}`;
    const now = Date.now();
    if ((told.get(line) ?? 0) > now - 60_000) return;
    if (told.size > 1_000) told.clear();
    told.set(line, now);
    process.stderr.write(`${line}\n`);
  };
}
