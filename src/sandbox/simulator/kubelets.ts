import { parseCpu, parseMemory } from '../../shared/quantity.ts';
import { findResource, type ResourceType } from '../api/catalog.ts';
import { ApiError, type KObject, type ObjectStore } from '../api/store.ts';
import type { ImageBehaviour } from '../scenario.ts';
import { type EventRecorder, stamp } from './events.ts';
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
import { EvictionManager, evictedStatus } from './node-eviction.ts';
import { nodeMetrics, podMetrics } from './nodes.ts';
import { podIPFor } from './pod-network.ts';
import { type PodStatus, podConditions, podPhase, qosOf, waitingReason } from './pod-status.ts';

/**
 * The nodes' kubelets: each bound pod's containers run through their lives (image pulls, starts,
 * crashes, back-offs, probes), its status is written from them, its logs are served, what it uses
 * is measured, and a node short of memory evicts.
 */
const type = (plural: string): ResourceType => {
  const found = findResource('', 'v1', plural);
  if (found === undefined) throw new Error(`the sandbox catalog lacks ${plural}`);
  return found;
};
const PODS = type('pods');
const NODES = type('nodes');
const CONFIGMAPS = type('configmaps');
const SECRETS = type('secrets');

const READY_SECONDS = 2;

type PodSpec = { containers?: Container[]; nodeName?: string };
export type Usage = { name: string; cpu: number; memory: number };

export class Kubelets {
  readonly #store: ObjectStore;
  readonly #events: EventRecorder;
  readonly #images = new ImageRegistry();
  readonly #evictions = new EvictionManager();
  /** Each pod's containers by pod uid, then container name. */
  readonly #runtimes = new Map<string, Map<string, ContainerRuntime>>();
  #usages: { key: string; byPod: Map<string, Usage[]> } = { key: '', byPod: new Map() };

  constructor(store: ObjectStore, events: EventRecorder) {
    this.#store = store;
    this.#events = events;
  }

  addImages(images: Record<string, ImageBehaviour>): void {
    this.#images.add(images);
  }

  /** Forgets the containers of every pod not in `live` (uids): those pods are gone. */
  keepOnly(live: ReadonlySet<string>): void {
    for (const uid of this.#runtimes.keys()) if (!live.has(uid)) this.forget(uid);
  }

  forget(uid: string): void {
    this.#runtimes.delete(uid);
    this.#evictions.forget(uid);
  }

  /** When a container next changes by itself (a crash, the end of a back-off, turning ready). */
  dueTimes(): number[] {
    const times: number[] = [];
    for (const runtimes of this.#runtimes.values()) {
      for (const runtime of runtimes.values()) {
        if (runtime.until !== undefined) times.push(runtime.until);
        const started = runtime.current?.startedAt;
        if (runtime.phase === 'running' && started !== undefined)
          times.push(started + READY_SECONDS * 1000);
      }
    }
    const eviction = this.#evictions.nextDeadline();
    if (eviction !== undefined) times.push(eviction);
    return times;
  }

  /** Moves a bound pod's containers to `now` and writes its status from them. */
  run(pod: KObject, now: number): void {
    const containers = (pod.spec as PodSpec).containers ?? [];
    const runtimes = this.#advanceContainers(pod, containers, now);
    const statuses = containers.map((c) => {
      const runtime = runtimes.get(c.name) as ContainerRuntime;
      return containerStatus(pod.metadata.name, runtime, c, this.#images.run(c), now);
    });
    const phase = podPhase(statuses, [...runtimes.values()]);
    const previous = (pod.status ?? {}) as PodStatus;
    const hostIP = this.#hostIP(pod);
    const ip = podIPFor(this.#store, pod, hostIP);
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
    this.#store.writeStatus(PODS, {
      ...pod,
      status: evicted === undefined ? status : evictedStatus(status, previous, evicted, now),
    });
    this.#probe(pod, containers, runtimes, now);
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
      lines: () => logLines(instance, behaviour, this.#store.now().getTime(), pod.metadata.name),
      ended: () => instance.endedAt !== undefined || !this.#runtimes.has(uid),
    };
  }

  /**
   * What each container of the pod uses now. Remembered while the store and the clock stand
   * still: node conditions, evictions, autoscalers and metrics all ask within one pass.
   */
  usage(pod: KObject): Usage[] {
    const key = `${this.#store.resourceVersion}/${this.#store.now().getTime()}`;
    if (this.#usages.key !== key) this.#usages = { key, byPod: new Map() };
    const uid = pod.metadata.uid ?? '';
    let usage = this.#usages.byPod.get(uid);
    if (usage === undefined) {
      usage = this.#measure(pod);
      this.#usages.byPod.set(uid, usage);
    }
    return usage;
  }

  podMetrics(namespace: string | undefined): KObject[] {
    return podMetrics(this.#store, namespace, (pod) => this.usage(pod));
  }

  nodeMetrics(): KObject[] {
    return nodeMetrics(this.#store, (pod) => this.usage(pod));
  }

  /** Whether the node's kubelet still reports memory pressure after an eviction. */
  holdsPressure(node: string, now: number): boolean {
    return this.#evictions.holdsPressure(node, now);
  }

  /** The kubelet of a node short of memory kills a pod's containers and fails the pod. */
  evict(now: number): void {
    for (const { node, pod, message } of this.#evictions.choose(
      this.#store,
      (p) => this.usage(p),
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
      this.run(pod, now);
    }
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
    const node = this.#store.peek(NODES, undefined, (pod.spec as PodSpec).nodeName ?? '');
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
      const found = this.#store.peek(kind === 'configmap' ? CONFIGMAPS : SECRETS, namespace, name);
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
}
