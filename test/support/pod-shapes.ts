import type {
  CoreV1Event,
  V1Container,
  V1ContainerStatus,
  V1Pod,
  V1PodSpec,
} from '@kubernetes/client-node';
import { expect } from 'vitest';
import {
  analyze,
  type Finding,
  type Snapshot,
} from '../../src/tools/kubernetes/analyzers/index.ts';
import { type ContainerLog, emptySnapshot } from '../../src/tools/kubernetes/snapshot.ts';

/**
 * Pods, container statuses, events and logs shaped as `kubectl get -o json` gives them, for the
 * analyzers' unit tests, and the findings of a snapshot made of them.
 */
export const NS = 'shop';
export const POD = 'web-7f9c6d5b8-k2x7p';

export type PodParts = {
  containers?: V1Container[];
  initContainers?: V1Container[];
  statuses?: V1ContainerStatus[];
  initStatuses?: V1ContainerStatus[];
  spec?: Partial<V1PodSpec>;
  phase?: string;
};

/** A pod as `kubectl get pod -o json` gives it, with the parts a test sets. */
export function pod(parts: PodParts): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: POD, namespace: NS, uid: 'c0ffee00-0000-4000-8000-000000000001' },
    spec: {
      restartPolicy: 'Always',
      containers: parts.containers ?? [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2' }],
      ...(parts.initContainers === undefined ? {} : { initContainers: parts.initContainers }),
      ...parts.spec,
    },
    status: {
      phase: parts.phase ?? 'Running',
      containerStatuses: parts.statuses ?? [],
      ...(parts.initStatuses === undefined ? {} : { initContainerStatuses: parts.initStatuses }),
    },
  };
}

export function status(partial: Partial<V1ContainerStatus>): V1ContainerStatus {
  return {
    name: 'app',
    image: 'ghcr.io/acme/web:1.4.2',
    imageID: '',
    ready: false,
    restartCount: 0,
    ...partial,
  };
}

/** A container that exited with `exitCode` and waits in CrashLoopBackOff. */
export function crashed(exitCode: number, reason = 'Error', name = 'app'): V1ContainerStatus {
  return status({
    name,
    restartCount: 6,
    state: {
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off 2m40s restarting failed container=${name} pod=${POD}_${NS}(c0ffee00)`,
      },
    },
    lastState: {
      terminated: {
        reason,
        exitCode,
        startedAt: new Date('2026-12-07T10:00:00Z'),
        finishedAt: new Date('2026-12-07T10:00:04Z'),
      },
    },
  });
}

export function event(reason: string, message: string, fieldPath?: string, count = 1): CoreV1Event {
  return {
    metadata: { name: `${POD}.${reason}.${count}`, namespace: NS },
    involvedObject: {
      kind: 'Pod',
      name: POD,
      namespace: NS,
      ...(fieldPath === undefined ? {} : { fieldPath }),
    },
    reason,
    message,
    count,
    type: reason === 'Killing' ? 'Normal' : 'Warning',
    lastTimestamp: new Date('2026-12-07T10:00:05Z'),
  };
}

export function log(
  container: string,
  lines: string[] | undefined,
  unavailable?: string,
): ContainerLog {
  return {
    namespace: NS,
    pod: POD,
    container,
    previous: true,
    ...(lines === undefined ? {} : { lines }),
    ...(unavailable === undefined ? {} : { unavailable }),
  };
}

export function findings(parts: Partial<Snapshot>): Finding[] {
  return analyze({ ...emptySnapshot(), ...parts });
}

export function only(parts: Partial<Snapshot>): Finding {
  const [first, ...rest] = findings(parts);
  expect(rest).toEqual([]);
  if (first === undefined) throw new Error('no finding');
  return first;
}

/** A crashed replica `name` of ReplicaSet web-7f9c6d5b8, restarted `restarts` times. */
export function crashedReplica(name: string, restarts = 1): V1Pod {
  const crash = crashed(1);
  crash.restartCount = restarts;
  const replica = pod({ statuses: [crash] });
  replica.metadata = {
    ...replica.metadata,
    name,
    ownerReferences: [
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: 'web-7f9c6d5b8',
        uid: 'u',
        controller: true,
      },
    ],
  };
  return replica;
}
