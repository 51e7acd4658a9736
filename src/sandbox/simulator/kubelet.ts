import { createHash } from 'node:crypto';
import { parseMemory } from '../../shared/quantity.ts';
import type { KObject } from '../api/store.ts';
import type { ImageBehaviour } from '../scenario.ts';
import type { EventRecorder } from './events.ts';
import { stamp } from './events.ts';

/**
 * What a kubelet does for one pod's containers: pull the image, check the ConfigMaps and Secrets
 * it refers to, run it, and when it exits or outgrows its memory limit, restart it with the
 * kubelet's back-off (10 s doubling to 5 min). Every transition happens at an exact simulated
 * time, so a world started in the past arrives at now with the right restart counts.
 */
export type Instance = { startedAt: number; endedAt?: number; exitCode?: number; reason?: string };

type Phase = 'pulling' | 'pull-backoff' | 'config-error' | 'running' | 'crash-backoff';

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
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
  readinessProbe?: unknown;
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
  behaviour(image: string): ImageBehaviour | undefined;
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
  if (lookup.behaviour(container.image) === undefined) {
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

/** The running container ends at `at` and waits out the crash back-off before its restart. */
function exit(step: Step, at: number): void {
  const { runtime, pod, container, lookup, say, namespace } = step;
  const end = exitOf(container, lookup.behaviour(container.image));
  if (runtime.current !== undefined && end !== undefined) {
    runtime.current.endedAt = at;
    runtime.current.exitCode = end.exitCode;
    runtime.current.reason = end.reason;
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

function start(
  runtime: ContainerRuntime,
  container: Container,
  lookup: Lookup,
  say: Say,
  at: number,
): void {
  const behaviour = lookup.behaviour(runtime.image);
  runtime.phase = 'running';
  runtime.configError = undefined;
  runtime.current = { startedAt: at };
  runtime.containerId = `containerd://${createHash('sha256').update(`${runtime.name}/${at}/${Math.random()}`).digest('hex')}`;
  say('Normal', 'Created', `Created container: ${runtime.name}`);
  say('Normal', 'Started', `Started container ${runtime.name}`);
  const crashes = exitOf(container, behaviour) !== undefined;
  runtime.until = crashes && behaviour !== undefined ? at + behaviour.crashAfter * 1000 : undefined;
}

/** How a running container ends, if it does: its own exit code, or an OOM kill. */
export function exitOf(
  container: Container,
  behaviour: ImageBehaviour | undefined,
): { exitCode: number; reason: string } | undefined {
  if (behaviour === undefined) return undefined;
  const limit = parseMemory(container.resources?.limits?.memory ?? '');
  const need = parseMemory(behaviour.memory) ?? 0;
  if (limit !== undefined && need > limit) return { exitCode: 137, reason: 'OOMKilled' };
  if (behaviour.exitCode !== 0) return { exitCode: behaviour.exitCode, reason: 'Error' };
  return undefined;
}

/** The pod status a kubelet would report for these runtimes. */
export function containerStatus(
  podName: string,
  runtime: ContainerRuntime,
  container: Container,
  behaviour: ImageBehaviour | undefined,
  now: number,
): Record<string, unknown> {
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
    status.lastState = {
      terminated: {
        exitCode: previous.exitCode ?? 0,
        reason: previous.reason ?? 'Completed',
        startedAt: stamp(new Date(previous.startedAt)),
        finishedAt: stamp(new Date(previous.endedAt)),
        containerID: runtime.containerId,
      },
    };
  }
  return status;
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
          message: `back-off ${delay >= 60 ? `${delay / 60}m0s` : `${delay}s`} restarting failed container=${runtime.name} pod=${podName}`,
        },
      };
    }
    case 'running':
      return { running: { startedAt: stamp(new Date(runtime.current?.startedAt ?? 0)) } };
  }
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
