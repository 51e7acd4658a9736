import { canonical } from '../api/hash.ts';
import { selectorMatcher } from '../api/selectors.ts';
import type { ObjectStore } from '../api/store.ts';
import { type Controller, resourceType } from './controller-kit.ts';

/**
 * The ClusterRole aggregation controller: a ClusterRole with an `aggregationRule` gets as its
 * rules those of every other ClusterRole its selectors match, in name order and without
 * duplicates, so that labelling a ClusterRole `aggregate-to-…` extends the aggregated one.
 */
const CLUSTER_ROLES = resourceType('rbac.authorization.k8s.io', 'v1', 'clusterroles');

type ClusterRole = {
  metadata: { name: string; labels?: Record<string, string> };
  rules?: unknown[];
  aggregationRule?: { clusterRoleSelectors?: unknown[] };
};

export class ClusterRoleAggregationController implements Controller {
  readonly #store: ObjectStore;

  constructor(store: ObjectStore) {
    this.#store = store;
  }

  reconcile(): void {
    const roles = this.#store.view(CLUSTER_ROLES) as readonly ClusterRole[];
    for (const role of roles) {
      const selectors = role.aggregationRule?.clusterRoleSelectors;
      if (selectors === undefined) continue;
      const matchers = selectors.map((s) => selectorMatcher(s));
      const rules: unknown[] = [];
      const seen = new Set<string>();
      for (const other of roles) {
        if (other === role || !matchers.some((m) => m(other.metadata.labels))) continue;
        for (const rule of other.rules ?? []) {
          const key = canonical(rule);
          if (seen.has(key)) continue;
          seen.add(key);
          rules.push(rule);
        }
      }
      if (canonical(rules) === canonical(role.rules ?? [])) continue;
      const current = this.#store.get(CLUSTER_ROLES, undefined, role.metadata.name);
      if (current !== undefined) this.#store.replace(CLUSTER_ROLES, { ...current, rules });
    }
  }
}
