import { findResource, RESOURCES, type ResourceType } from './catalog.ts';
import {
  exceeded,
  hardOf,
  missingCompute,
  printList,
  type Usage,
  usageOf,
  usedFor,
} from './quota-usage.ts';
import { ApiError, type KObject, type ObjectStore, resourceName } from './store.ts';

/**
 * The ResourceQuota admission plugin on create: an object that would take its namespace beyond a
 * quota is refused with 403 and the plugin's message, and a pod under a quota on compute
 * resources must state them for every container. Usage is counted from the store at admission
 * time, as the plugin's own live accounting would have it.
 */
const QUOTAS = findResource('', 'v1', 'resourcequotas') as ResourceType;

export function admitQuota(store: ObjectStore, type: ResourceType, object: KObject): void {
  const namespace = object.metadata.namespace;
  if (!type.namespaced || namespace === undefined || type.kind === 'Event') return;
  const quotas = store.view(QUOTAS, namespace);
  if (quotas.length === 0) return;
  const requested = usageOf(type, object);
  for (const quota of quotas) {
    const hard = hardOf(quota);
    if (type.kind === 'Pod') {
      const containers = ((object.spec as { containers?: [] } | undefined)?.containers ?? []) as [];
      const missing = missingCompute(hard, containers);
      if (missing.length > 0)
        throw forbidden(
          type,
          object,
          `failed quota: ${quota.metadata.name}: must specify ${missing.join('; ')}`,
        );
    }
    const used = usedIn(store, namespace, hard);
    const over = exceeded(hard, used, requested);
    if (over.length === 0) continue;
    const raw = (quota.spec as { hard?: Record<string, string> }).hard ?? {};
    throw forbidden(
      type,
      object,
      `exceeded quota: ${quota.metadata.name}, requested: ${printList(requested, over)}, used: ${printList(used, over)}, limited: ${printList(hard, over, raw)}`,
    );
  }
}

/** What the namespace uses now of each resource `hard` limits. */
export function usedIn(store: ObjectStore, namespace: string, hard: Usage): Usage {
  const usages: Usage[] = [];
  for (const type of countedTypes(hard)) {
    for (const object of store.view(type, namespace)) usages.push(usageOf(type, object));
  }
  return usedFor(hard, usages);
}

/** The resources whose objects can count toward one of `hard`'s keys. */
function countedTypes(hard: Usage): ResourceType[] {
  const keys = Object.keys(hard);
  return RESOURCES.filter((type) => {
    if (!type.namespaced || type.readOnly === true || type.createOnly === true) return false;
    return keys.some((key) => {
      if (key.startsWith('count/')) return key === `count/${resourceName(type)}`;
      if (type.plural === 'pods' && type.group === '')
        return /^(pods|cpu|memory|requests\.(cpu|memory)|limits\.)/.test(key);
      if (type.plural === 'services' && type.group === '') return key.startsWith('services');
      if (type.plural === 'persistentvolumeclaims')
        return key === 'persistentvolumeclaims' || key === 'requests.storage';
      return type.group === '' && key === type.plural;
    });
  });
}

/** `pods "web-7d9c-" is forbidden: …`, naming the object by its generateName before it has a name. */
export function forbidden(type: ResourceType, object: KObject, message: string): ApiError {
  const name = object.metadata.name || object.metadata.generateName || 'Unknown';
  return new ApiError(
    403,
    'Forbidden',
    `${resourceName(type)} "${name}" is forbidden: ${message}`,
    {
      name,
      // The core group is empty, which the Status leaves out.
      ...(type.group === '' ? {} : { group: type.group }),
      kind: type.plural,
    },
  );
}
