import { createHash } from 'node:crypto';
import { parseMemory } from '../../shared/quantity.ts';
import type { KObject } from '../api/store.ts';
import type { EventRecorder } from './events.ts';
import { stamp } from './events.ts';
import type { Run } from './image-registry.ts';
import { failureThreshold, livenessFailure, livenessKillAfter, type Probe } from './liveness.ts';

/**
 * What a kubelet does for one pod's containers: pull the image, check the ConfigMaps and Secrets
 * it refers to, run it, and when it exits or outgrows its memory limit, restart it with the
 * kubelet's back-off (10 s doubling to 5 min). Every transition happens at an exact simulated
 * time, so a world started in the past arrives at now with the right restart counts. A container
 * that ends where the pod's restartPolicy does not restart it stays terminated.
 */
export type Instance = { startedAt: number; endedAt?: number; exitCode?: number; reason?: string };

type Phase = 'pulling' | 'pull-backoff' | 'config-error' | 'running' | 'crash-backoff' | 'exited';

export type ContainerRuntime = {
  name: string;
  image: string;
  phase: Phase;
  /** When the current phase ends (undefined: it lasts until something changes). */
  until: number | undefined;
  restartCount: number;
  pullFailures: number;
  configError: string | undefined;
  current: Instance | undefined;
  previous: Instance | undefined;
  containerId: string;
};

export type Container = {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
  readinessProbe?: unknown;
  livenessProbe?: Probe;
  ports?: { name?: string; containerPort: number }[];
  env?: {
    name: string;
    valueFrom?: Record<string, { name?: string; key?: string; optional?: boolean }>;
  }[];
  envFrom?: {
    configMapRef?: { name: string; optional?: boolean };
    secretRef?: { name: string; optional?: boolean };
  }[];
};

export type Lookup = {
  /** What the container runs; undefined when its image cannot be pulled. */
  run(container: Container): Run | undefined;
  /** `undefined` when the object exists; otherwise the kubelet's error text. */
  missingReference(namespace: string, container: Container): string | undefined;
};

const PULL_SECONDS = 1;
const READY_SECONDS = 2;
const PULL_RETRY_SECONDS = 20;

export function newRuntime(container: Container, now: number): ContainerRuntime {
  return {
    name: container.name,
    image: container.image,
    phase: 'pulling',
    until: now + PULL_SECONDS * 1000,
    restartCount: 0,
    pullFailures: 0,
    configError: undefined,
    current: undefined,
    previous: undefined,
    containerId: '',
  };
}

type Say = (type: 'Normal' | 'Warning', reason: string, message: string) => void;

/** One container of one pod, with what each transition needs. */
type Step = {
  runtime: ContainerRuntime;
  pod: KObject;
  container: Container;
  lookup: Lookup;
  say: Say;
  namespace: string;
};

/** Moves one container through every transition due at `now`; records the events on the way. */
export function advance(
  runtime: ContainerRuntime,
  pod: KObject,
  container: Container,
  lookup: Lookup,
  events: EventRecorder,
  now: number,
): void {
  const host = String((pod.spec as { nodeName?: string }).nodeName ?? '');
  const source = { component: 'kubelet', host };
  const field = `spec.containers{${container.name}}`;
  const say: Say = (type, reason, message) =>
    events.record(pod, type, reason, message, source, field);
  const namespace = pod.metadata.namespace ?? 'default';
  const step: Step = { runtime, pod, container, lookup, say, namespace };

  for (let guard = 0; guard < 50; guard++) {
    if (runtime.phase === 'config-error') {
      retryConfig(step, now);
      return;
    }
    if (runtime.until === undefined || runtime.until > now) return;
    const at = runtime.until;
    switch (runtime.phase) {
      case 'pulling':
      case 'pull-backoff':
        if (pull(step, at) === 'waiting') return;
        continue;
      case 'running':
        exit(step, at);
        continue;
      case 'crash-backoff':
        runtime.restartCount++;
        say('Normal', 'Pulled', `Container image "${container.image}" already present on machine`);
        start(runtime, container, lookup, say, at);
        continue;
    }
  }
}

/** A container held by a missing ConfigMap or Secret starts as soon as the reference resolves. */
function retryConfig(step: Step, now: number): void {
  const { runtime, container, lookup, say, namespace } = step;
  const missing = lookup.missingReference(namespace, container);
  if (missing === undefined) start(runtime, container, lookup, say, now);
  else runtime.configError = missing;
}

/** One pull at `at`: it fails into back-off, stops at a missing reference, or starts the container. */
function pull(step: Step, at: number): 'waiting' | 'next' {
  const { runtime, container, lookup, say, namespace } = step;
  say('Normal', 'Pulling', `Pulling image "${container.image}"`);
  if (lookup.run(container) === undefined) {
    runtime.pullFailures++;
    say(
      'Warning',
      'Failed',
      `Failed to pull image "${container.image}": rpc error: code = NotFound desc = failed to pull and unpack image "${qualified(container.image)}": failed to resolve reference "${qualified(container.image)}": ${qualified(container.image)}: not found`,
    );
    say('Warning', 'Failed', 'Error: ErrImagePull');
    say('Normal', 'BackOff', `Back-off pulling image "${container.image}"`);
    say('Warning', 'Failed', 'Error: ImagePullBackOff');
    runtime.phase = 'pull-backoff';
    runtime.until = at + Math.min(PULL_RETRY_SECONDS * 2 ** runtime.pullFailures, 300) * 1000;
    return 'next';
  }
  say(
    'Normal',
    'Pulled',
    `Successfully pulled image "${container.image}" in 812ms (812ms including waiting). Image size: 48213021 bytes.`,
  );
  const missing = lookup.missingReference(namespace, container);
  if (missing !== undefined) {
    runtime.phase = 'config-error';
    runtime.configError = missing;
    runtime.until = undefined;
    say('Warning', 'Failed', `Error: ${missing}`);
    return 'waiting';
  }
  start(runtime, container, lookup, say, at);
  return 'next';
}

/**
 * The running container ends at `at`: it stays terminated when the pod's restartPolicy says so,
 * and otherwise waits out the crash back-off before its restart.
 */
function exit(step: Step, at: number): void {
  const { runtime, pod, container, lookup, say, namespace } = step;
  const run = lookup.run(container);
  const end = exitOf(container, run);
  if (end?.by === 'liveness') killForLiveness(step, run);
  if (runtime.current !== undefined && end !== undefined) {
    runtime.current.endedAt = at;
    runtime.current.exitCode = end.exitCode;
    runtime.current.reason = end.reason;
  }
  if (!restarts(pod, end?.exitCode ?? 0)) {
    runtime.phase = 'exited';
    runtime.until = undefined;
    return;
  }
  runtime.previous = runtime.current;
  runtime.current = undefined;
  runtime.phase = 'crash-backoff';
  const delay = Math.min(10 * 2 ** runtime.restartCount, 300);
  runtime.until = at + delay * 1000;
  say(
    'Warning',
    'BackOff',
    `Back-off restarting failed container ${container.name} in pod ${pod.metadata.name}_${namespace}(${pod.metadata.uid})`,
  );
}

/** The probes that failed in a row, then the kill, as the kubelet records them. */
function killForLiveness(step: Step, run: Run | undefined): void {
  const { pod, container, say } = step;
  const podIP = String((pod.status as { podIP?: string } | undefined)?.podIP ?? '');
  const failure = livenessFailure(container, run?.behaviour, podIP);
  for (let i = 0; i < failureThreshold(container); i++)
    say('Warning', 'Unhealthy', `Liveness probe failed: ${failure}`);
  say('Normal', 'Killing', `Container ${container.name} failed liveness probe, will be restarted`);
}

/** Whether the kubelet restarts a container that exited with `exitCode`, by the pod's policy. */
function restarts(pod: KObject, exitCode: number): boolean {
  const policy = (pod.spec as { restartPolicy?: string }).restartPolicy ?? 'Always';
  return policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
}

function start(
  runtime: ContainerRuntime,
  container: Container,
  lookup: Lookup,
  say: Say,
  at: number,
): void {
  const run = lookup.run(container);
  runtime.phase = 'running';
  runtime.configError = undefined;
  runtime.current = { startedAt: at };
  runtime.containerId = `containerd://${createHash('sha256').update(`${runtime.name}/${at}/${Math.random()}`).digest('hex')}`;
  say('Normal', 'Created', `Created container: ${runtime.name}`);
  say('Normal', 'Started', `Started container ${runtime.name}`);
  const end = exitOf(container, run);
  runtime.until = end === undefined ? undefined : at + end.after * 1000;
}

type Exit = { exitCode: number; reason: string; after: number; by?: 'liveness' };

/**
 * How a running container ends, if it does: an OOM kill, its own exit (Completed or Error), or
 * the kubelet's kill after failed liveness probes (SIGKILL, so 137, but not OOMKilled), whichever
 * comes first.
 */
export function exitOf(container: Container, run: Run | undefined): Exit | undefined {
  if (run === undefined) return undefined;
  const limit = parseMemory(container.resources?.limits?.memory ?? '');
  const need = parseMemory(run.behaviour.memory) ?? 0;
  const ends: Exit[] = [];
  if (limit !== undefined && need > limit)
    ends.push({ exitCode: 137, reason: 'OOMKilled', after: run.behaviour.crashAfter });
  else if (run.end !== undefined) {
    const reason = run.end.exitCode === 0 ? 'Completed' : 'Error';
    ends.push({ exitCode: run.end.exitCode, reason, after: run.end.after });
  }
  const kill = livenessKillAfter(container, run.behaviour);
  if (kill !== undefined)
    ends.push({ exitCode: 137, reason: 'Error', after: kill, by: 'liveness' });
  return ends.reduce<Exit | undefined>(
    (a, b) => (a === undefined || b.after < a.after ? b : a),
    undefined,
  );
}

/** The pod status a kubelet would report for these runtimes. */
export function containerStatus(
  podName: string,
  runtime: ContainerRuntime,
  container: Container,
  run: Run | undefined,
  now: number,
): Record<string, unknown> {
  const behaviour = run?.behaviour;
  const running = runtime.phase === 'running' && runtime.current !== undefined;
  const probing = container.readinessProbe !== undefined;
  const ready =
    running &&
    (behaviour?.ready ?? true) === true &&
    now - (runtime.current?.startedAt ?? now) >= (probing ? READY_SECONDS * 1000 : 0);
  const status: Record<string, unknown> = {
    name: runtime.name,
    image: container.image,
    imageID: behaviour === undefined ? '' : imageId(container.image),
    ready,
    started: running,
    restartCount: runtime.restartCount,
    state: stateOf(runtime, container, podName),
    lastState: {},
  };
  if (runtime.containerId !== '') status.containerID = runtime.containerId;
  const previous = runtime.previous;
  if (previous?.endedAt !== undefined) {
    status.lastState = { terminated: terminated(previous, runtime.containerId) };
  }
  return status;
}

function terminated(instance: Instance | undefined, containerID: string): Record<string, unknown> {
  return {
    exitCode: instance?.exitCode ?? 0,
    reason: instance?.reason ?? 'Completed',
    startedAt: stamp(new Date(instance?.startedAt ?? 0)),
    finishedAt: stamp(new Date(instance?.endedAt ?? 0)),
    containerID,
  };
}

function stateOf(
  runtime: ContainerRuntime,
  container: Container,
  podName: string,
): Record<string, unknown> {
  switch (runtime.phase) {
    case 'pulling':
      return runtime.pullFailures === 0
        ? { waiting: { reason: 'ContainerCreating' } }
        : {
            waiting: {
              reason: 'ErrImagePull',
              message: `rpc error: code = NotFound desc = failed to pull and unpack image "${qualified(container.image)}": not found`,
            },
          };
    case 'pull-backoff':
      return {
        waiting: {
          reason: 'ImagePullBackOff',
          message: `Back-off pulling image "${container.image}"`,
        },
      };
    case 'config-error':
      return {
        waiting: { reason: 'CreateContainerConfigError', message: runtime.configError ?? '' },
      };
    case 'crash-backoff': {
      const delay = Math.min(10 * 2 ** runtime.restartCount, 300);
      return {
        waiting: {
          reason: 'CrashLoopBackOff',
          message: `back-off ${goDuration(delay)} restarting failed container=${runtime.name} pod=${podName}`,
        },
      };
    }
    case 'running':
      return { running: { startedAt: stamp(new Date(runtime.current?.startedAt ?? 0)) } };
    case 'exited':
      return { terminated: terminated(runtime.current, runtime.containerId) };
  }
}

/** Seconds as Go prints a duration: `10s`, `1m20s`, `5m0s`. */
function goDuration(seconds: number): string {
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${seconds % 60}s`;
}

/** `docker.io/library/nginx:1.27` for `nginx:1.27`, as containerd names images. */
function qualified(image: string): string {
  const first = image.split('/')[0] ?? '';
  if (!image.includes('/')) return `docker.io/library/${image}`;
  if (!first.includes('.') && !first.includes(':')) return `docker.io/${image}`;
  return image;
}

const imageIds = new Map<string, string>();

/** The pulled image's id, as containerd reports it; remembered, since every status needs it. */
function imageId(image: string): string {
  let id = imageIds.get(image);
  if (id === undefined) {
    id = `${qualified(image)}@sha256:${createHash('sha256').update(image).digest('hex')}`;
    if (imageIds.size > 10_000) imageIds.clear();
    imageIds.set(image, id);
  }
  return id;
}
