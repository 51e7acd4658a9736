import {
  bool,
  int32,
  intOrString,
  listOf,
  type ObjectType,
  string,
  strings,
  struct,
} from './field-type.ts';
import { labelSelector, topLevel } from './meta.ts';

/** rbac.authorization.k8s.io/v1, networking.k8s.io/v1 and scheduling.k8s.io/v1 kinds. */
const policyRule = struct('v1.PolicyRule', {
  verbs: strings,
  apiGroups: strings,
  resources: strings,
  resourceNames: strings,
  nonResourceURLs: strings,
});
const subject = struct('v1.Subject', {
  kind: string,
  apiGroup: string,
  name: string,
  namespace: string,
});
const roleRef = struct('v1.RoleRef', { apiGroup: string, kind: string, name: string });
const binding = (go: string) => topLevel(go, { subjects: listOf(subject), roleRef });

export const RBAC_KINDS: Readonly<Record<string, ObjectType>> = {
  Role: topLevel('v1.Role', { rules: listOf(policyRule) }),
  ClusterRole: topLevel('v1.ClusterRole', {
    rules: listOf(policyRule),
    aggregationRule: struct('v1.AggregationRule', { clusterRoleSelectors: listOf(labelSelector) }),
  }),
  RoleBinding: binding('v1.RoleBinding'),
  ClusterRoleBinding: binding('v1.ClusterRoleBinding'),
};

const typedReference = struct('v1.TypedLocalObjectReference', {
  apiGroup: string,
  kind: string,
  name: string,
});
const backend = struct('v1.IngressBackend', {
  service: struct('v1.IngressServiceBackend', {
    name: string,
    port: struct('v1.ServiceBackendPort', { name: string, number: int32 }),
  }),
  resource: typedReference,
});
const httpPath = struct('v1.HTTPIngressPath', { path: string, pathType: string, backend });
const peer = struct('v1.NetworkPolicyPeer', {
  podSelector: labelSelector,
  namespaceSelector: labelSelector,
  ipBlock: struct('v1.IPBlock', { cidr: string, except: strings }),
});
const netpolPort = struct('v1.NetworkPolicyPort', {
  protocol: string,
  port: intOrString,
  endPort: int32,
});

export const NETWORKING_KINDS: Readonly<Record<string, ObjectType>> = {
  Ingress: topLevel('v1.Ingress', {
    spec: struct('v1.IngressSpec', {
      ingressClassName: string,
      defaultBackend: backend,
      tls: listOf(struct('v1.IngressTLS', { hosts: strings, secretName: string })),
      rules: listOf(
        struct('v1.IngressRule', {
          host: string,
          http: struct('v1.HTTPIngressRuleValue', { paths: listOf(httpPath) }),
        }),
      ),
    }),
    status: struct('v1.IngressStatus'),
  }),
  IngressClass: topLevel('v1.IngressClass', {
    spec: struct('v1.IngressClassSpec', {
      controller: string,
      parameters: struct('v1.IngressClassParametersReference', {
        apiGroup: string,
        kind: string,
        name: string,
        scope: string,
        namespace: string,
      }),
    }),
  }),
  NetworkPolicy: topLevel('v1.NetworkPolicy', {
    spec: struct('v1.NetworkPolicySpec', {
      podSelector: labelSelector,
      ingress: listOf(
        struct('v1.NetworkPolicyIngressRule', { ports: listOf(netpolPort), from: listOf(peer) }),
      ),
      egress: listOf(
        struct('v1.NetworkPolicyEgressRule', { ports: listOf(netpolPort), to: listOf(peer) }),
      ),
      policyTypes: strings,
    }),
  }),
};

export const SCHEDULING_KINDS: Readonly<Record<string, ObjectType>> = {
  PriorityClass: topLevel('v1.PriorityClass', {
    value: int32,
    globalDefault: bool,
    description: string,
    preemptionPolicy: string,
  }),
};
