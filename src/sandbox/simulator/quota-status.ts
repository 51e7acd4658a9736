import { findResource, type ResourceType } from '../api/catalog.ts';
import { usedIn } from '../api/quota-admission.ts';
import { formatQuantity, hardOf } from '../api/quota-usage.ts';
import type { ObjectStore } from '../api/store.ts';

/**
 * The resource quota controller: each quota's status carries its hard limits and what its
 * namespace uses of them, which `kubectl describe quota` and `kubectl get quota` show.
 */
const QUOTAS = findResource('', 'v1', 'resourcequotas') as ResourceType;

export function reconcileQuotas(store: ObjectStore): void {
  for (const quota of store.view(QUOTAS)) {
    const hardText = (quota.spec as { hard?: Record<string, string> } | undefined)?.hard ?? {};
    const hard = hardOf(quota);
    const used = usedIn(store, quota.metadata.namespace ?? 'default', hard);
    const status = {
      hard: { ...hardText },
      used: Object.fromEntries(
        Object.keys(hardText).map((key) => [key, formatQuantity(key, used[key] ?? 0)]),
      ),
    };
    store.writeStatus(QUOTAS, { ...quota, status });
  }
}
