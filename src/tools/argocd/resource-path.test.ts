import { describe, expect, it } from 'vitest';
import { CoxswainError } from '../../errors.ts';
import { guessedType, objectPath, pluralOf } from './resource-path.ts';

describe('resource names from kinds, when discovery cannot say', () => {
  it('names the kinds Argo CD apps deploy as the API server does', () => {
    const kinds = [
      'Deployment',
      'Service',
      'ConfigMap',
      'Endpoints',
      'EndpointSlice',
      'Ingress',
      'IngressClass',
      'NetworkPolicy',
      'PodDisruptionBudget',
      'HorizontalPodAutoscaler',
      'ServiceAccount',
      'Gateway',
      'HTTPRoute',
      'Prometheus',
      'PrometheusRule',
      'StorageClass',
    ];

    expect(kinds.map(pluralOf)).toEqual([
      'deployments',
      'services',
      'configmaps',
      'endpoints',
      'endpointslices',
      'ingresses',
      'ingressclasses',
      'networkpolicies',
      'poddisruptionbudgets',
      'horizontalpodautoscalers',
      'serviceaccounts',
      'gateways',
      'httproutes',
      'prometheuses',
      'prometheusrules',
      'storageclasses',
    ]);
  });

  it('knows which of them live outside namespaces', () => {
    expect(guessedType('ClusterRole')).toEqual({ name: 'clusterroles', namespaced: false });
    expect(guessedType('ValidatingWebhookConfiguration').namespaced).toBe(false);
    expect(guessedType('NetworkPolicy')).toEqual({ name: 'networkpolicies', namespaced: true });
  });
});

describe('the API path of a manifest object', () => {
  it('puts a namespaced object under its namespace and a cluster-scoped one at the root', () => {
    const endpoints = { apiVersion: 'v1', metadata: { name: 'db', namespace: 'shop' } };
    const policy = {
      apiVersion: 'networking.k8s.io/v1',
      metadata: { name: 'deny all', namespace: 'shop' },
    };
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'viewer' } };

    expect(objectPath(endpoints, guessedType('Endpoints'))).toBe(
      '/api/v1/namespaces/shop/endpoints/db',
    );
    expect(objectPath(policy, guessedType('NetworkPolicy'))).toBe(
      '/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies/deny%20all',
    );
    expect(objectPath(role, { name: 'clusterroles', namespaced: false })).toBe(
      '/apis/rbac.authorization.k8s.io/v1/clusterroles/viewer',
    );
  });
});

describe('a manifest that would steer the API path', () => {
  // The client resolves the path as a URL: `..` climbs, `.` and a trailing slash name the list,
  // `#` and `?` end the path, and the API server decodes `%73` to `s`. A kind or name from Git
  // must not reach another namespace, another resource or a Secret.
  const object = (name: string, namespace = 'shop') => ({
    apiVersion: 'v1',
    metadata: { name, namespace },
  });

  it('refuses a kind that is not a resource name', () => {
    const kinds = [
      '../kube-system/configmaps/cluster-info#',
      '../kube-system/secret%73/bootstrap-token?',
      'ConfigMap/../../other/configmaps/x#',
    ];

    for (const kind of kinds)
      expect(() => objectPath(object('db'), guessedType(kind)), kind).toThrow(CoxswainError);
  });

  it('refuses a name or a namespace that is a path step', () => {
    const configmaps = guessedType('ConfigMap');

    expect(() => objectPath(object('..'), configmaps)).toThrow(CoxswainError);
    expect(() => objectPath(object('.'), configmaps)).toThrow(CoxswainError);
    expect(() => objectPath(object('db', '..'), configmaps)).toThrow(CoxswainError);
  });

  it('still names every object a cluster serves', () => {
    expect(objectPath(object('system:auth.v1'), { name: 'rolebindings', namespaced: true })).toBe(
      '/api/v1/namespaces/shop/rolebindings/system%3Aauth.v1',
    );
    expect(objectPath(object('web'), { name: 'http-routes', namespaced: true })).toBe(
      '/api/v1/namespaces/shop/http-routes/web',
    );
  });
});
