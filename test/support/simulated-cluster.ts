import { findKind, findResource } from '../../src/sandbox/api/catalog.ts';
import { applyDefaults } from '../../src/sandbox/api/defaults.ts';
import { type KObject, ObjectStore } from '../../src/sandbox/api/store.ts';
import { baseScenario } from '../../src/sandbox/scenario.ts';
import { Simulator } from '../../src/sandbox/simulator/simulator.ts';

/**
 * The sandbox's cluster (its nodes and system workloads) with no API server and a clock that
 * only moves when a test says so: `advance(60)` plays a minute of simulated time, stopping at
 * every transition on the way, as the sandbox does when it plays a scenario's past.
 */
/** What tests read of objects' status fields, whose shapes differ from kind to kind. */
// biome-ignore lint/suspicious/noExplicitAny: tests read API objects' status fields of many shapes
export type Any = any;

export type SimulatedCluster = {
  simulator: Simulator;
  store: ObjectStore;
  clock: { at: number };
  apply(object: Record<string, unknown>): KObject;
  advance(seconds: number): void;
  /** Replaces part of an object's spec, as `kubectl patch` would. */
  update(object: KObject, spec: Record<string, unknown>): KObject;
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KObject;
  list(group: string, version: string, plural: string, namespace?: string): KObject[];
  /** The events about one object, oldest first, as `Reason: message`. */
  events(about: KObject): string[];
};

export const START = Date.parse('2026-03-02T10:00:30Z');

export function simulatedCluster(): SimulatedCluster {
  const store = new ObjectStore();
  const simulator = new Simulator(store, (where, error) => {
    throw new Error(`the simulator failed on ${where}`, { cause: error });
  });
  const clock = { at: START };
  simulator.advanceTo(clock.at, clock);
  const base = baseScenario();
  simulator.addImages(base.images);
  const apply = (input: Record<string, unknown>): KObject => {
    const object = applyDefaults(structuredClone(input) as KObject);
    const type = findKind(object.apiVersion, object.kind);
    if (type === undefined) throw new Error(`no ${object.apiVersion} ${object.kind}`);
    const made = store.create(type, object);
    simulator.reconcile();
    return made;
  };
  for (const step of base.timeline) for (const object of step.apply) apply(object);
  const advance = (seconds: number) => simulator.advanceTo(clock.at + seconds * 1000, clock);
  advance(30);
  return {
    simulator,
    store,
    clock,
    apply,
    advance,
    update: (object, spec) => {
      const type = findKind(object.apiVersion, object.kind);
      const current = type && store.get(type, object.metadata.namespace, object.metadata.name);
      if (type === undefined || current === undefined) throw new Error(`no ${object.kind}`);
      const next = { ...current, spec: { ...(current.spec as object), ...spec } };
      const updated = store.replace(type, next);
      simulator.reconcile();
      return updated;
    },
    get: (apiVersion, kind, namespace, name) => {
      const type = findKind(apiVersion, kind);
      const found = type === undefined ? undefined : store.get(type, namespace, name);
      if (found === undefined) throw new Error(`no ${kind} ${namespace}/${name}`);
      return found;
    },
    list: (group, version, plural, namespace) => {
      const type = findResource(group, version, plural);
      if (type === undefined) throw new Error(`no ${plural}`);
      return store.list(type, namespace);
    },
    events: (about) => {
      const type = findResource('', 'v1', 'events');
      if (type === undefined) return [];
      return store
        .list(type, about.metadata.namespace)
        .filter((e) => (e.involvedObject as { uid?: string }).uid === about.metadata.uid)
        .sort(
          (a, b) =>
            String(a.firstTimestamp).localeCompare(String(b.firstTimestamp)) ||
            Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion),
        )
        .map((e) => `${e.reason}: ${e.message}`);
    },
  };
}
