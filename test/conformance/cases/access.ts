import type { Case, Step } from '../case.ts';
import { stream } from './manifests.ts';

/**
 * Who may do what: Roles and bindings as kubectl creates them, requests as another user
 * (`--as`) and as a ServiceAccount with a token from `kubectl create token`, decided by the RBAC
 * objects stored; the networking and scheduling kinds; `apply` of a `kind: List` file.
 */
const NS = 'access';
const forbiddenPods =
  /Error from server \(Forbidden\): pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default"/;

export const ACCESS_SETUP: readonly Step[] = [
  ['create', 'namespace', NS],
  ['create', 'serviceaccount', 'bot', '-n', NS],
  [
    'create',
    'role',
    'lease-keeper',
    '--verb=get,list,watch,update',
    '--resource=leases.coordination.k8s.io',
    '-n',
    NS,
  ],
  [
    'create',
    'rolebinding',
    'bot-leases',
    '--role=lease-keeper',
    `--serviceaccount=${NS}:bot`,
    '-n',
    NS,
  ],
];

export const ACCESS: readonly Case[] = [
  {
    kubectl: [
      'create',
      'role',
      'pod-reader',
      '--verb=get,list,watch',
      '--resource=pods,pods/log',
      '-n',
      NS,
    ],
    real: 'role.rbac.authorization.k8s.io/pod-reader created',
    expect: { exit: 0, out: /^role\.rbac\.authorization\.k8s\.io\/pod-reader created$/m },
  },
  {
    kubectl: ['create', 'rolebinding', 'bob-reads', '--role=pod-reader', '--user=bob', '-n', NS],
    real: 'rolebinding.rbac.authorization.k8s.io/bob-reads created',
    expect: { exit: 0, out: /^rolebinding\.rbac\.authorization\.k8s\.io\/bob-reads created$/m },
  },
  {
    kubectl: ['get', 'roles', '-n', NS],
    real: 'NAME and CREATED AT (the default table: Roles have no printer)',
    expect: {
      exit: 0,
      out: /^NAME\s+CREATED AT\nlease-keeper\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\npod-reader\s+\d{4}-/,
    },
  },
  {
    kubectl: ['get', 'rolebinding', 'bob-reads', '-n', NS, '-o', 'wide'],
    real: 'ROLE Role/pod-reader and, wide, USERS bob',
    expect: {
      exit: 0,
      out: /^NAME\s+ROLE\s+AGE\s+USERS\s+GROUPS\s+SERVICEACCOUNTS\nbob-reads\s+Role\/pod-reader\s+\S+\s+bob\s*$/m,
    },
  },
  {
    kubectl: ['get', 'clusterrolebinding', 'cluster-admin', '-o', 'wide'],
    real: 'the bootstrap binding of cluster-admin to system:masters',
    expect: { exit: 0, out: /cluster-admin\s+ClusterRole\/cluster-admin\s+\S+\s+system:masters/ },
  },
  {
    kubectl: ['auth', 'can-i', 'list', 'pods', '-n', NS, '--as=bob'],
    real: 'yes',
    expect: { exit: 0, out: /^yes$/m },
  },
  {
    kubectl: ['auth', 'can-i', 'get', 'pods', '--subresource=log', '-n', NS, '--as=bob'],
    real: 'yes (the role names pods/log)',
    expect: { exit: 0, out: /^yes$/m },
  },
  {
    kubectl: ['auth', 'can-i', 'delete', 'pods', '-n', NS, '--as=bob'],
    real: 'no, exit 1',
    expect: { exit: 1, out: /^no$/m },
  },
  {
    kubectl: ['auth', 'can-i', 'list', 'pods', '-n', 'default', '--as=bob'],
    real: 'no: the RoleBinding is in another namespace',
    expect: { exit: 1, out: /^no$/m },
  },
  {
    kubectl: ['get', 'pods', '-n', 'default', '--as=bob'],
    real: 'Error from server (Forbidden): pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default"',
    expect: { exit: 1, err: forbiddenPods },
  },
  {
    kubectl: ['get', 'pods', '-n', NS, '--as=bob'],
    real: 'No resources found in access namespace.',
    expect: { exit: 0, err: /No resources found in access namespace\./ },
  },
  {
    before: [
      ['create', 'clusterrolebinding', 'ops-team-view', '--clusterrole=view', '--group=ops-team'],
    ],
    kubectl: [
      'get',
      'deployments',
      '-n',
      'shop',
      '--as=carol',
      '--as-group=ops-team',
      '-o',
      'name',
    ],
    real: 'the deployments: the group is bound to view cluster-wide',
    expect: { exit: 0, out: /^deployment\.apps\//m },
  },
  {
    kubectl: ['get', 'secrets', '-n', 'shop', '--as=carol', '--as-group=ops-team'],
    real: 'Forbidden: view does not cover secrets',
    expect: {
      exit: 1,
      err: /secrets is forbidden: User "carol" cannot list resource "secrets" in API group "" in the namespace "shop"/,
    },
  },
  {
    kubectl: [
      'patch',
      'rolebinding',
      'bob-reads',
      '-n',
      NS,
      '--type=merge',
      '-p',
      '{"roleRef":{"name":"lease-keeper"}}',
    ],
    real: 'The RoleBinding "bob-reads" is invalid: roleRef: ... cannot change roleRef',
    expect: {
      exit: 1,
      err: /The RoleBinding "bob-reads" is invalid: roleRef: Invalid value: .*cannot change roleRef/,
    },
  },
  {
    kubectl: [
      'create',
      'clusterrolebinding',
      'odd',
      '--clusterrole=view',
      `--serviceaccount=${NS}:bot`,
      '--dry-run=server',
      '-o',
      'jsonpath={.subjects[0].namespace}',
    ],
    real: 'the ServiceAccount subject with its namespace',
    expect: { exit: 0, out: /^access$/ },
  },
  {
    before: [
      [
        'create',
        'role',
        'role-maker',
        '--verb=create',
        '--resource=roles.rbac.authorization.k8s.io',
        '-n',
        NS,
      ],
      ['create', 'rolebinding', 'bob-makes-roles', '--role=role-maker', '--user=bob', '-n', NS],
    ],
    kubectl: [
      'create',
      'role',
      'pod-peeker',
      '--verb=get',
      '--resource=pods',
      '-n',
      NS,
      '--as=bob',
    ],
    real: 'created: bob holds get on pods',
    expect: { exit: 0, out: /role\.rbac\.authorization\.k8s\.io\/pod-peeker created/ },
  },
  {
    kubectl: [
      'create',
      'role',
      'secret-peeker',
      '--verb=get',
      '--resource=secrets',
      '-n',
      NS,
      '--as=bob',
    ],
    real: 'Forbidden: user "bob" ... is attempting to grant RBAC permissions not currently held',
    expect: {
      exit: 1,
      err: /roles\.rbac\.authorization\.k8s\.io "secret-peeker" is forbidden: user "bob" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\[""\], Resources:\["secrets"\], Verbs:\["get"\]\}/,
    },
  },
  {
    before: [
      ['create', 'clusterrole', 'role-writer', '--verb=create', '--resource=clusterroles'],
      [
        'create',
        'clusterrolebinding',
        'bob-writes-roles',
        '--clusterrole=role-writer',
        '--user=bob',
      ],
    ],
    kubectl: [
      'create',
      'clusterrole',
      'sneaky',
      '--aggregation-rule=kubernetes.io/bootstrapping=rbac-defaults',
      '--as=bob',
    ],
    real: 'Forbidden: must have cluster-admin privileges to use the aggregationRule',
    expect: {
      exit: 1,
      err: /Error from server \(Forbidden\): clusterroles\.rbac\.authorization\.k8s\.io "sneaky" is forbidden: must have cluster-admin privileges to use the aggregationRule/,
    },
  },
  {
    before: [
      [
        'create',
        'role',
        'binding-maker',
        '--verb=create',
        '--resource=rolebindings.rbac.authorization.k8s.io',
        '-n',
        NS,
      ],
      [
        'create',
        'rolebinding',
        'bob-makes-bindings',
        '--role=binding-maker',
        '--user=bob',
        '-n',
        NS,
      ],
    ],
    kubectl: [
      'create',
      'rolebinding',
      'to-ghost',
      '--role=ghost',
      '--user=carol',
      '-n',
      NS,
      '--as=bob',
    ],
    real: 'error: failed to create rolebinding: roles.rbac.authorization.k8s.io "ghost" not found',
    expect: {
      exit: 1,
      err: /^error: failed to create rolebinding: roles\.rbac\.authorization\.k8s\.io "ghost" not found$/m,
    },
  },
  {
    before: [
      ['create', 'configmap', 'named-cm', '-n', NS, '--from-literal=a=1'],
      [
        'create',
        'role',
        'named-cm-reader',
        '--verb=get,list,watch',
        '--resource=configmaps',
        '--resource-name=named-cm',
        '-n',
        NS,
      ],
      ['create', 'rolebinding', 'dana-reads-cm', '--role=named-cm-reader', '--user=dana', '-n', NS],
    ],
    kubectl: ['get', 'configmap', 'named-cm', '-n', NS, '-w', '--as=dana'],
    real: 'the ConfigMap, watched: the list and watch name it by metadata.name=named-cm',
    stopAfter: 3,
    expect: { out: /^NAME\s+DATA\s+AGE\nnamed-cm\s+1\s+/ },
  },
  {
    kubectl: [
      'create',
      'token',
      'bot',
      '-n',
      NS,
      '--bound-object-kind=Pod',
      '--bound-object-name=ghost',
    ],
    real: 'error: failed to create token: pods "ghost" not found',
    expect: { exit: 1, err: /^error: failed to create token: pods "ghost" not found$/m },
  },
  {
    request: {
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          groups: 'xxsystem:mastersxx',
          resourceAttributes: { namespace: NS, verb: 'get', resource: 'secrets' },
        },
      },
    },
    real: '400: cannot unmarshal string into Go struct field SubjectAccessReviewSpec.spec.groups of type []string',
    expect: {
      exit: 400,
      out: /SubjectAccessReview in version \\"v1\\" cannot be handled as a SubjectAccessReview: json: cannot unmarshal string into Go struct field SubjectAccessReviewSpec\.spec\.groups of type \[\]string/,
    },
  },
  {
    request: {
      method: 'POST',
      path: `/apis/authorization.k8s.io/v1/namespaces/${NS}/localsubjectaccessreviews`,
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'LocalSubjectAccessReview',
        spec: {
          user: 'bob',
          resourceAttributes: { namespace: 'default', verb: 'get', resource: 'pods' },
        },
      },
    },
    real: '422: spec.resourceAttributes.namespace: Invalid value: "default": must match metadata.namespace',
    expect: {
      exit: 422,
      out: /spec\.resourceAttributes\.namespace: Invalid value: \\"default\\": must match metadata\.namespace/,
    },
  },
  {
    request: {
      method: 'GET',
      path: `/api/v1/namespaces/${NS}/pods`,
      serviceAccount: `${NS}/bot`,
      headers: { 'impersonate-user': '' },
    },
    real: '403 as the account itself: an empty Impersonate-User impersonates no one',
    expect: {
      exit: 403,
      out: /pods is forbidden: User \\"system:serviceaccount:access:bot\\" cannot list resource \\"pods\\"/,
    },
  },
  {
    request: {
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      headers: { 'impersonate-user': 'bob', 'impersonate-extra-scopes': 'view' },
    },
    real: '201, the user info with extra {"scopes":["view"]}',
    expect: { exit: 201, out: /"username":"bob".*"extra":\{"scopes":\["view"\]\}/ },
  },
  {
    kubectl: ['create', 'token', 'bot', '-n', NS],
    real: 'a JWT: three base64url parts',
    expect: { exit: 0, out: /^eyJ[\w-]+\.[\w-]+\.[\w-]+\n?$/ },
  },
  {
    kubectl: ['create', 'token', 'bot', '-n', NS, '--duration=1m'],
    real: 'spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes',
    expect: {
      exit: 1,
      err: /spec\.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes/,
    },
  },
  {
    kubectl: ['create', 'token', 'ghost', '-n', NS],
    real: 'serviceaccounts "ghost" not found',
    expect: { exit: 1, err: /serviceaccounts "ghost" not found/ },
  },
  {
    kubectl: [
      'create',
      'token',
      'bot',
      '-n',
      NS,
      '--duration=2h',
      '-o',
      'jsonpath={.status.expirationTimestamp}',
    ],
    real: 'an RFC 3339 time two hours ahead',
    expect: { exit: 0, out: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/ },
  },
  {
    request: {
      method: 'GET',
      path: `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`,
      serviceAccount: `${NS}/bot`,
    },
    real: '200, a LeaseList: the account is bound to lease-keeper',
    expect: { exit: 200, out: /"kind":"LeaseList"/ },
  },
  {
    request: { method: 'GET', path: `/api/v1/namespaces/${NS}/pods`, serviceAccount: `${NS}/bot` },
    real: '403: pods is forbidden: User "system:serviceaccount:access:bot" cannot list ...',
    expect: {
      exit: 403,
      out: /pods is forbidden: User \\"system:serviceaccount:access:bot\\" cannot list resource \\"pods\\" in API group \\"\\" in the namespace \\"access\\"/,
    },
  },
  {
    request: { method: 'GET', path: '/api', serviceAccount: `${NS}/bot` },
    real: '200: discovery is open to every authenticated user',
    expect: { exit: 200, out: /"kind":"APIVersions"/ },
  },
  {
    request: {
      method: 'GET',
      path: `/api/v1/namespaces/${NS}/pods`,
      headers: { authorization: 'Bearer not-a-token' },
    },
    real: '401 Unauthorized',
    expect: { exit: 401, out: /"reason":"Unauthorized"/ },
  },
  {
    request: {
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: 'bob',
          resourceAttributes: { namespace: NS, verb: 'watch', resource: 'pods' },
        },
      },
    },
    real: '201, allowed with the RBAC reason',
    expect: {
      exit: 201,
      out: /"allowed":true,"reason":"RBAC: allowed by RoleBinding \\"bob-reads\/access\\" of Role \\"pod-reader\\" to User \\"bob\\""/,
    },
  },
  {
    request: {
      method: 'GET',
      path: `/api/v1/namespaces/${NS}/pods`,
      serviceAccount: `${NS}/bot`,
      headers: { 'impersonate-user': 'alice' },
    },
    real: '403: users "alice" is forbidden: ... cannot impersonate resource "users" ...',
    expect: {
      exit: 403,
      out: /users \\"alice\\" is forbidden: User \\"system:serviceaccount:access:bot\\" cannot impersonate resource \\"users\\" in API group \\"\\" at the cluster scope/,
    },
  },
  {
    kubectl: ['auth', 'whoami', '--as=bob', '--as-group=devs'],
    real: 'Username bob, Groups [devs system:authenticated]',
    expect: { exit: 0, out: /Username\s+bob\nGroups\s+\[devs system:authenticated\]/ },
  },
  {
    kubectl: ['apply', '-f', '-'],
    stdin: `apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: { name: listed-a, namespace: ${NS} }\n    data: { a: "1" }\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: { name: listed-b, namespace: ${NS} }\n`,
    real: 'configmap/listed-a created, configmap/listed-b created',
    expect: { exit: 0, out: /^configmap\/listed-a created\nconfigmap\/listed-b created$/m },
  },
  {
    kubectl: ['create', 'priorityclass', 'conformance-high', '--value=1000', '--description=high'],
    real: 'priorityclass.scheduling.k8s.io/conformance-high created',
    expect: { exit: 0, out: /^priorityclass\.scheduling\.k8s\.io\/conformance-high created$/m },
  },
  {
    kubectl: ['get', 'priorityclass', 'conformance-high', 'system-node-critical'],
    real: 'NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY, with the built-in class',
    expect: {
      exit: 0,
      out: /^NAME\s+VALUE\s+GLOBAL-DEFAULT\s+AGE\s+PREEMPTIONPOLICY\nconformance-high\s+1000\s+false\s+\S+\s+PreemptLowerPriority\nsystem-node-critical\s+2000001000\s+false/,
    },
  },
  {
    kubectl: [
      'run',
      'prioritised',
      '-n',
      NS,
      '--image=nginx',
      '--dry-run=server',
      '-o',
      'jsonpath={.spec.priority}',
      '--overrides={"spec":{"priorityClassName":"conformance-high"}}',
    ],
    real: '1000: the class resolved into spec.priority',
    expect: { exit: 0, out: /^1000$/ },
  },
  {
    kubectl: [
      'run',
      'unclassed',
      '-n',
      NS,
      '--image=nginx',
      '--overrides={"spec":{"priorityClassName":"nope"}}',
    ],
    real: 'Error from server (Forbidden): pods "unclassed" is forbidden: no PriorityClass with name nope was found',
    expect: {
      exit: 1,
      err: /pods "unclassed" is forbidden: no PriorityClass with name nope was found/,
    },
  },
  {
    kubectl: [
      'create',
      'ingress',
      'web',
      '-n',
      NS,
      '--class=nginx',
      '--rule=shop.example.com/*=web:80,tls=web-tls',
    ],
    real: 'ingress.networking.k8s.io/web created',
    expect: { exit: 0, out: /^ingress\.networking\.k8s\.io\/web created$/m },
  },
  {
    kubectl: ['get', 'ingress', 'web', '-n', NS],
    real: 'NAME CLASS HOSTS ADDRESS PORTS AGE; ports 80, 443 with TLS',
    expect: {
      exit: 0,
      out: /^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE\nweb\s+nginx\s+shop\.example\.com\s+80, 443\s+\S+$/m,
    },
  },
  {
    kubectl: ['apply', '-f', '-'],
    stdin: stream({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'web-only', namespace: NS },
      spec: {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [{ from: [{ podSelector: {} }] }],
      },
    }),
    real: 'networkpolicy.networking.k8s.io/web-only created',
    expect: { exit: 0, out: /networkpolicy\.networking\.k8s\.io\/web-only created/ },
  },
  {
    kubectl: ['get', 'netpol', 'web-only', '-n', NS, '-o', 'jsonpath={.spec.policyTypes}'],
    real: '["Ingress"]: defaulted',
    expect: { exit: 0, out: /^\["Ingress"\]$/ },
  },
  {
    kubectl: ['get', 'netpol', '-n', NS],
    real: 'NAME POD-SELECTOR AGE',
    expect: { exit: 0, out: /^NAME\s+POD-SELECTOR\s+AGE\nweb-only\s+app=web\s+\S+$/m },
  },
  {
    before: [
      [
        'create',
        'clusterrole',
        'conformance-aggregate',
        '--aggregation-rule=example.com/aggregate-to-conformance=true',
      ],
      ['create', 'clusterrole', 'conformance-part', '--verb=get', '--resource=configmaps'],
      ['label', 'clusterrole', 'conformance-part', 'example.com/aggregate-to-conformance=true'],
    ],
    kubectl: ['get', 'clusterrole', 'conformance-aggregate', '-o', 'jsonpath={.rules}'],
    real: "the labelled ClusterRole's rules, aggregated by the controller",
    within: 5,
    expect: {
      exit: 0,
      out: /^\[\{"apiGroups":\[""\],"resources":\["configmaps"\],"verbs":\["get"\]\}\]$/,
    },
  },
  {
    kubectl: ['explain', 'rolebinding.roleRef'],
    real: 'FIELD: roleRef <RoleRef>, its fields required',
    expect: { exit: 0, out: /FIELD: roleRef <RoleRef>[\s\S]*kind\t<string> -required-/ },
  },
  {
    kubectl: ['api-resources', '--api-group=rbac.authorization.k8s.io', '--no-headers'],
    real: 'the four RBAC kinds',
    expect: {
      exit: 0,
      out: /clusterrolebindings[\s\S]*clusterroles[\s\S]*rolebindings[\s\S]*roles/,
    },
  },
];
