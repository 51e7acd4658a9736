import { findResource, type ResourceType } from './catalog.ts';
import { forbidden } from './quota-admission.ts';
import type { KObject, ObjectStore } from './store.ts';

/**
 * The Priority admission plugin: a new pod's `priorityClassName` becomes its `spec.priority`
 * and `preemptionPolicy`, a pod naming no class takes the global default (the lowest-valued,
 * should several claim it) or priority 0, and a class that does not exist refuses the pod.
 * A new PriorityClass may not be a second global default.
 */
const PRIORITY_CLASSES = findResource('scheduling.k8s.io', 'v1', 'priorityclasses') as ResourceType;

type PodSpec = { priorityClassName?: string; priority?: number; preemptionPolicy?: string };
type PriorityClass = Readonly<KObject> & {
  value?: number;
  globalDefault?: boolean;
  preemptionPolicy?: string;
};

export function admitPriority(store: ObjectStore, type: ResourceType, object: KObject): void {
  if (type.group === '' && type.kind === 'Pod') admitPod(store, type, object);
  if (type === PRIORITY_CLASSES && (object as PriorityClass).globalDefault === true) {
    const other = classes(store).find((c) => c.globalDefault === true);
    if (other !== undefined)
      throw forbidden(
        type,
        object,
        `PriorityClass ${other.metadata.name} is already marked as default. Only one default can exist`,
      );
  }
}

function admitPod(store: ObjectStore, type: ResourceType, pod: KObject): void {
  pod.spec ??= {};
  const spec = pod.spec as PodSpec;
  const name = spec.priorityClassName ?? '';
  const found =
    name === ''
      ? classes(store)
          .filter((c) => c.globalDefault === true)
          .sort((a, b) => (a.value ?? 0) - (b.value ?? 0))[0]
      : (store.peek(PRIORITY_CLASSES, undefined, name) as PriorityClass | undefined);
  if (name !== '' && found === undefined)
    throw forbidden(type, pod, `no PriorityClass with name ${name} was found`);
  const priority = found?.value ?? 0;
  if (spec.priority !== undefined && spec.priority !== priority)
    throw forbidden(
      type,
      pod,
      `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`,
    );
  if (found !== undefined) spec.priorityClassName = found.metadata.name;
  spec.priority = priority;
  spec.preemptionPolicy ??= found?.preemptionPolicy ?? 'PreemptLowerPriority';
}

function classes(store: ObjectStore): readonly PriorityClass[] {
  return store.view(PRIORITY_CLASSES) as readonly PriorityClass[];
}
