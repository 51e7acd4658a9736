import { describe, expect, it } from 'vitest';
import { findResource, type ResourceType } from '../api/catalog.ts';
import { type KObject, ObjectStore } from '../api/store.ts';
import { ClusterRoleAggregationController } from './cluster-role-aggregation.ts';

const CLUSTER_ROLES = findResource(
  'rbac.authorization.k8s.io',
  'v1',
  'clusterroles',
) as ResourceType;
const LABEL = 'example.com/aggregate-to-ops';

function clusterRole(
  name: string,
  fields: Record<string, unknown>,
  labels?: Record<string, string>,
): KObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: labels === undefined ? { name } : { name, labels },
    ...fields,
  };
}

const read = (resource: string) => ({ verbs: ['get'], apiGroups: [''], resources: [resource] });

describe('ClusterRole aggregation', () => {
  it("gives an aggregated role the matching roles' rules, once each, and drops them when unlabelled", () => {
    const store = new ObjectStore();
    store.create(
      CLUSTER_ROLES,
      clusterRole('ops', {
        aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [LABEL]: 'true' } }] },
      }),
    );
    store.create(CLUSTER_ROLES, clusterRole('a', { rules: [read('pods')] }, { [LABEL]: 'true' }));
    store.create(
      CLUSTER_ROLES,
      clusterRole('b', { rules: [read('pods'), read('secrets')] }, { [LABEL]: 'true' }),
    );
    store.create(CLUSTER_ROLES, clusterRole('c', { rules: [read('nodes')] }));
    const controller = new ClusterRoleAggregationController(store);

    controller.reconcile();
    const aggregated = store.get(CLUSTER_ROLES, undefined, 'ops')?.rules;
    const b = store.get(CLUSTER_ROLES, undefined, 'b') as KObject;
    store.replace(CLUSTER_ROLES, { ...b, metadata: { ...b.metadata, labels: {} } });
    controller.reconcile();

    expect(aggregated).toEqual([read('pods'), read('secrets')]);
    expect(store.get(CLUSTER_ROLES, undefined, 'ops')?.rules).toEqual([read('pods')]);
  });
});
