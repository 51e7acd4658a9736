import { describe, expect, it } from 'vitest';
import { findResource, type ResourceType } from './catalog.ts';
import { admitPriority } from './priority-admission.ts';
import { ApiError, type KObject, ObjectStore } from './store.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceType;
const CLASSES = findResource('scheduling.k8s.io', 'v1', 'priorityclasses') as ResourceType;

function priorityClass(name: string, value: number, extra: Record<string, unknown> = {}): KObject {
  return {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name },
    value,
    ...extra,
  };
}

function pod(spec: Record<string, unknown> = {}): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'app', namespace: 'team' },
    spec: { containers: [{ name: 'app', image: 'x' }], ...spec },
  };
}

describe('Priority admission', () => {
  it("resolves a pod's class into its priority and preemption policy", () => {
    const store = new ObjectStore();
    store.create(CLASSES, priorityClass('high', 1000, { preemptionPolicy: 'Never' }));
    const object = pod({ priorityClassName: 'high' });

    admitPriority(store, PODS, object);

    expect(object.spec).toMatchObject({ priority: 1000, preemptionPolicy: 'Never' });
  });

  it('refuses a pod naming a class that does not exist', () => {
    const admit = () => admitPriority(new ObjectStore(), PODS, pod({ priorityClassName: 'nope' }));

    expect(admit).toThrow(ApiError);
    expect(admit).toThrow('pods "app" is forbidden: no PriorityClass with name nope was found');
  });

  it('gives a pod without a class the lowest global default, or priority 0 without one', () => {
    const store = new ObjectStore();
    const plain = pod();
    admitPriority(store, PODS, plain);
    store.create(CLASSES, priorityClass('batch', 10, { globalDefault: true }));
    const defaulted = pod();

    admitPriority(store, PODS, defaulted);

    expect(plain.spec).toMatchObject({ priority: 0, preemptionPolicy: 'PreemptLowerPriority' });
    expect((plain.spec as Record<string, unknown>).priorityClassName).toBeUndefined();
    expect(defaulted.spec).toMatchObject({ priorityClassName: 'batch', priority: 10 });
  });

  it('refuses a priority set by hand that the class does not give', () => {
    const admit = () => admitPriority(new ObjectStore(), PODS, pod({ priority: 5 }));

    expect(admit).toThrow(/the integer value of priority \(5\) must not be provided in pod spec/);
  });

  it('refuses a second global default class', () => {
    const store = new ObjectStore();
    store.create(CLASSES, priorityClass('first', 1, { globalDefault: true }));

    const second = () =>
      admitPriority(store, CLASSES, priorityClass('second', 2, { globalDefault: true }));

    expect(second).toThrow(
      'PriorityClass first is already marked as default. Only one default can exist',
    );
  });
});
