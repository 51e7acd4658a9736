import { kind, type TypeDescription } from './openapi-types.ts';

/** RBAC, networking and scheduling types, in openapi-types.ts's compact form. */
export const ACCESS_TYPES: Record<string, TypeDescription> = {
  'rbac.v1.Role': kind(
    'Role is a namespaced, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding.',
    { rules: '[]PolicyRule Rules holds all the PolicyRules for this Role' },
  ),
  'rbac.v1.ClusterRole': kind(
    'ClusterRole is a cluster level, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding or ClusterRoleBinding.',
    {
      rules: '[]PolicyRule Rules holds all the PolicyRules for this ClusterRole',
      aggregationRule:
        'AggregationRule Describes how to build the Rules for this ClusterRole from other ClusterRoles.',
    },
  ),
  'rbac.v1.AggregationRule': {
    description: 'Describes how to locate ClusterRoles to aggregate into the ClusterRole.',
    fields: {
      clusterRoleSelectors:
        '[]meta.v1.LabelSelector Selectors of ClusterRoles whose rules are aggregated.',
    },
  },
  'rbac.v1.PolicyRule': {
    description:
      'PolicyRule holds information that describes a policy rule, but does not contain information about who the rule applies to or which namespace the rule applies to.',
    fields: {
      verbs:
        "![]string Verbs is a list of Verbs that apply to ALL the ResourceKinds contained in this rule. '*' represents all verbs.",
      apiGroups:
        '[]string APIGroups is the name of the APIGroup that contains the resources. "" represents the core API group and "*" represents all API groups.',
      resources:
        "[]string Resources is a list of resources this rule applies to. '*' represents all resources.",
      resourceNames:
        '[]string ResourceNames is an optional white list of names that the rule applies to. An empty set means that everything is allowed.',
      nonResourceURLs:
        '[]string NonResourceURLs is a set of partial urls that a user should have access to. *s are allowed, but only as the full, final step in the path.',
    },
  },
  'rbac.v1.RoleBinding': kind(
    'RoleBinding references a role, but does not contain it. It adds who information via Subjects and namespace information by which namespace it exists in.',
    {
      subjects: '[]Subject Subjects holds references to the objects the role applies to.',
      roleRef:
        '!RoleRef RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. This field is immutable.',
    },
  ),
  'rbac.v1.ClusterRoleBinding': kind(
    'ClusterRoleBinding references a ClusterRole, but not contain it. It can reference a ClusterRole in the global namespace, and adds who information via Subject.',
    {
      subjects: '[]Subject Subjects holds references to the objects the role applies to.',
      roleRef:
        '!RoleRef RoleRef can only reference a ClusterRole in the global namespace. This field is immutable.',
    },
  ),
  'rbac.v1.RoleRef': {
    description: 'RoleRef contains information that points to the role being used',
    fields: {
      apiGroup: '!string APIGroup is the group for the resource being referenced',
      kind: '!string Kind is the type of resource being referenced',
      name: '!string Name is the name of resource being referenced',
    },
  },
  'rbac.v1.Subject': {
    description:
      'Subject contains a reference to the object or user identities a role binding applies to.',
    fields: {
      kind: '!string Kind of object being referenced. Values defined by this API group are "User", "Group", and "ServiceAccount".',
      apiGroup:
        'string APIGroup holds the API group of the referenced subject. Defaults to "" for ServiceAccount subjects and "rbac.authorization.k8s.io" for User and Group subjects.',
      name: '!string Name of the object being referenced.',
      namespace:
        'string Namespace of the referenced object. If the object kind is non-namespace, such as "User" or "Group", and this value is not empty the Authorizer should report an error.',
    },
  },
  'networking.v1.Ingress': kind(
    'Ingress is a collection of rules that allow inbound connections to reach the endpoints defined by a backend.',
    {
      spec: 'IngressSpec spec is the desired state of the Ingress.',
      status: 'IngressStatus status is the current state of the Ingress.',
    },
  ),
  'networking.v1.IngressSpec': {
    description: 'IngressSpec describes the Ingress the user wishes to exist.',
    fields: {
      ingressClassName: 'string ingressClassName is the name of an IngressClass cluster resource.',
      defaultBackend:
        "IngressBackend defaultBackend is the backend that should handle requests that don't match any rule.",
      tls: '[]IngressTLS tls represents the TLS configuration.',
      rules: '[]IngressRule rules is a list of host rules used to configure the Ingress.',
    },
  },
  'networking.v1.IngressStatus': {
    description: 'IngressStatus describe the current state of the Ingress.',
    fields: {
      loadBalancer: 'object loadBalancer contains the current status of the load-balancer.',
    },
  },
  'networking.v1.IngressTLS': {
    description: 'IngressTLS describes the transport layer security associated with an ingress.',
    fields: {
      hosts: '[]string hosts is a list of hosts included in the TLS certificate.',
      secretName:
        'string secretName is the name of the secret used to terminate TLS traffic on port 443.',
    },
  },
  'networking.v1.IngressRule': {
    description:
      'IngressRule represents the rules mapping the paths under a specified host to the related backend services.',
    fields: {
      host: 'string host is the fully qualified domain name of a network host, as defined by RFC 3986.',
      http: 'HTTPIngressRuleValue http maps paths to backends.',
    },
  },
  'networking.v1.HTTPIngressRuleValue': {
    description: 'HTTPIngressRuleValue is a list of http selectors pointing to backends.',
    fields: {
      paths: '![]HTTPIngressPath paths is a collection of paths that map requests to backends.',
    },
  },
  'networking.v1.HTTPIngressPath': {
    description: 'HTTPIngressPath associates a path with a backend.',
    fields: {
      path: 'string path is matched against the path of an incoming request.',
      pathType:
        '!string pathType determines the interpretation of the path matching: Exact, Prefix or ImplementationSpecific.',
      backend:
        '!IngressBackend backend defines the referenced service endpoint to which the traffic will be forwarded to.',
    },
  },
  'networking.v1.IngressBackend': {
    description: 'IngressBackend describes all endpoints for a given service and port.',
    fields: {
      service: 'IngressServiceBackend service references a service as a backend.',
      resource:
        'object resource is an ObjectRef to another Kubernetes resource in the namespace of the Ingress object.',
    },
  },
  'networking.v1.IngressServiceBackend': {
    description: 'IngressServiceBackend references a Kubernetes Service as a Backend.',
    fields: {
      name: '!string name is the referenced service.',
      port: 'ServiceBackendPort port of the referenced service.',
    },
  },
  'networking.v1.ServiceBackendPort': {
    description: 'ServiceBackendPort is the service port being referenced.',
    fields: {
      name: 'string name is the name of the port on the Service.',
      number: 'integer number is the numerical port number (e.g. 80) on the Service.',
    },
  },
  'networking.v1.IngressClass': kind(
    'IngressClass represents the class of the Ingress, referenced by the Ingress Spec.',
    { spec: 'IngressClassSpec spec is the desired state of the IngressClass.' },
  ),
  'networking.v1.IngressClassSpec': {
    description: 'IngressClassSpec provides information about the class of an Ingress.',
    fields: {
      controller:
        'string controller refers to the name of the controller that should handle this class.',
      parameters:
        'object parameters is a link to a custom resource containing additional configuration for the controller.',
    },
  },
  'networking.v1.NetworkPolicy': kind(
    'NetworkPolicy describes what network traffic is allowed for a set of Pods',
    {
      spec: 'NetworkPolicySpec spec represents the specification of the desired behavior for this NetworkPolicy.',
    },
  ),
  'networking.v1.NetworkPolicySpec': {
    description: 'NetworkPolicySpec provides the specification of a NetworkPolicy',
    fields: {
      podSelector:
        'meta.v1.LabelSelector podSelector selects the pods to which this NetworkPolicy object applies.',
      ingress:
        '[]NetworkPolicyIngressRule ingress is a list of ingress rules to be applied to the selected pods.',
      egress:
        '[]NetworkPolicyEgressRule egress is a list of egress rules to be applied to the selected pods.',
      policyTypes:
        '[]string policyTypes is a list of rule types that the NetworkPolicy relates to: "Ingress", "Egress".',
    },
  },
  'networking.v1.NetworkPolicyIngressRule': {
    description:
      "NetworkPolicyIngressRule describes a particular set of traffic that is allowed to the pods matched by a NetworkPolicySpec's podSelector.",
    fields: {
      ports:
        '[]NetworkPolicyPort ports is a list of ports which should be made accessible on the pods selected for this rule.',
      from: '[]NetworkPolicyPeer from is a list of sources which should be able to access the pods selected for this rule.',
    },
  },
  'networking.v1.NetworkPolicyEgressRule': {
    description:
      "NetworkPolicyEgressRule describes a particular set of traffic that is allowed out of pods matched by a NetworkPolicySpec's podSelector.",
    fields: {
      ports: '[]NetworkPolicyPort ports is a list of destination ports for outgoing traffic.',
      to: '[]NetworkPolicyPeer to is a list of destinations for outgoing traffic of pods selected for this rule.',
    },
  },
  'networking.v1.NetworkPolicyPort': {
    description: 'NetworkPolicyPort describes a port to allow traffic on',
    fields: {
      protocol:
        'string protocol represents the protocol (TCP, UDP, or SCTP) which traffic must match.',
      port: 'IntOrString port represents the port on the given protocol.',
      endPort:
        'integer endPort indicates that the range of ports from port to endPort if set, inclusive, should be allowed by the policy.',
    },
  },
  'networking.v1.NetworkPolicyPeer': {
    description: 'NetworkPolicyPeer describes a peer to allow traffic to/from.',
    fields: {
      podSelector: 'meta.v1.LabelSelector podSelector is a label selector which selects pods.',
      namespaceSelector:
        'meta.v1.LabelSelector namespaceSelector selects namespaces using cluster-scoped labels.',
      ipBlock: 'IPBlock ipBlock defines policy on a particular IPBlock.',
    },
  },
  'networking.v1.IPBlock': {
    description:
      "IPBlock describes a particular CIDR that is allowed to the pods matched by a NetworkPolicySpec's podSelector.",
    fields: {
      cidr: '!string cidr is a string representing the IPBlock, such as "192.168.1.0/24".',
      except: '[]string except is a slice of CIDRs that should not be included within an IPBlock.',
    },
  },
  'scheduling.v1.PriorityClass': kind(
    'PriorityClass defines mapping from a priority class name to the priority integer value.',
    {
      value: '!integer value represents the integer value of this priority class.',
      globalDefault:
        'boolean globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.',
      description:
        'string description is an arbitrary string that usually provides guidelines on when this priority class should be used.',
      preemptionPolicy:
        'string preemptionPolicy is the Policy for preempting pods with lower priority: Never or PreemptLowerPriority.',
    },
  ),
};
