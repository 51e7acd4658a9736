import type { Case } from '../case.ts';

/** What an engineer types every day, against the demo's scenarios. */
const configMap = (name: string, value: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: shop\ndata:\n  mode: ${value}\n`;

export const EVERYDAY: readonly Case[] = [
  {
    kubectl: ['version', '-o', 'json'],
    real: 'client and server versions',
    expect: { exit: 0, out: /"serverVersion"[\s\S]*"gitVersion": "v1\.32/ },
  },
  {
    kubectl: ['api-resources', '--api-group=apps'],
    real: 'the apps resources with short names',
    expect: { exit: 0, out: /deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/ },
  },
  {
    kubectl: ['api-versions'],
    real: 'every group/version served',
    expect: { exit: 0, out: /^apps\/v1$[\s\S]*^v1$/m },
  },
  {
    kubectl: ['get', 'nodes'],
    real: 'the nodes with STATUS, ROLES, AGE, VERSION',
    expect: { exit: 0, out: /NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\n.*control-plane\s+Ready/ },
  },
  {
    kubectl: ['get', 'pods', '-A'],
    real: 'pods of every namespace with READY, STATUS and RESTARTS',
    expect: {
      exit: 0,
      out: /NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE[\s\S]*CrashLoopBackOff/,
    },
  },
  {
    kubectl: ['get', 'deploy', '-n', 'shop', '-o', 'wide'],
    real: 'deployments with CONTAINERS, IMAGES and SELECTOR',
    expect: {
      exit: 0,
      out: /READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR/,
    },
  },
  {
    kubectl: ['get', 'pods', '-n', 'shop', '-l', 'app=cart', '-o', 'name'],
    real: 'the names of the pods the label selector picks',
    expect: { exit: 0, out: /^pod\/cart-[a-z0-9]+-[a-z0-9]{5}$/m },
  },
  {
    kubectl: [
      'get',
      'pods',
      '-n',
      'shop',
      '--field-selector',
      'status.phase=Running',
      '-o',
      'name',
    ],
    real: 'the running pods',
    expect: { exit: 0, out: /^pod\/frontend-/m },
  },
  {
    kubectl: ['get', 'pods', '-n', 'shop', '--field-selector', 'spec.nonsense=1'],
    real: 'refused: the field label is not supported',
    expect: { exit: 1, err: /field label not supported: spec\.nonsense/ },
  },
  {
    kubectl: ['get', 'deploy', 'frontend', '-n', 'shop', '-o', 'jsonpath={.spec.replicas}'],
    real: 'the field, from jsonpath',
    expect: { exit: 0, out: /^\d+$/ },
  },
  {
    kubectl: ['get', 'pod', 'no-such-pod', '-n', 'shop'],
    real: 'NotFound, exit 1',
    expect: { exit: 1, err: /pods "no-such-pod" not found/ },
  },
  {
    kubectl: ['describe', 'deploy', 'payments-api', '-n', 'payments'],
    real: 'the deployment, its replica sets and events',
    expect: { exit: 0, out: /Replicas:[\s\S]*NewReplicaSet:\s+payments-api-/ },
  },
  {
    kubectl: ['get', 'events', '-n', 'payments', '--field-selector', 'reason=BackOff'],
    real: 'the back-off events of the crash loop',
    expect: { exit: 0, out: /Back-off restarting failed container/ },
  },
  {
    kubectl: ['logs', '-n', 'payments', 'deploy/payments-api', '--previous', '--tail=3'],
    real: 'the last lines of the killed container',
    expect: { exit: 0, out: /\S/ },
  },
  {
    kubectl: ['top', 'pods', '-n', 'shop'],
    real: 'CPU and memory of each pod, from metrics-server',
    expect: { exit: 0, out: /NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/ },
  },
  {
    kubectl: ['top', 'nodes'],
    real: 'CPU and memory of each node',
    expect: { exit: 0, out: /NAME\s+CPU\(cores\)\s+CPU\(%\)\s+MEMORY\(bytes\)\s+MEMORY\(%\)/ },
  },
  {
    kubectl: ['apply', '-f', '-'],
    stdin: configMap('conformance-settings', 'fast'),
    real: 'created',
    expect: { exit: 0, out: /configmap\/conformance-settings created/ },
  },
  {
    kubectl: ['apply', '-f', '-'],
    stdin: configMap('conformance-settings', 'fast'),
    real: 'unchanged when applied again',
    expect: { exit: 0, out: /configmap\/conformance-settings unchanged/ },
  },
  {
    kubectl: ['diff', '-f', '-'],
    stdin: configMap('conformance-settings', 'slow'),
    real: 'the server-side dry-run diff, exit 1 when it differs',
    expect: { exit: 1, out: /-\s+mode: fast\n\+\s+mode: slow/ },
  },
  {
    kubectl: ['label', 'cm', 'conformance-settings', '-n', 'shop', 'team=payments'],
    real: 'labeled',
    expect: { exit: 0, out: /configmap\/conformance-settings labeled/ },
  },
  {
    kubectl: ['annotate', 'cm', 'conformance-settings', '-n', 'shop', 'owner=sre'],
    real: 'annotated',
    expect: { exit: 0, out: /configmap\/conformance-settings annotated/ },
  },
  {
    kubectl: ['scale', 'deploy', 'cart', '-n', 'shop', '--replicas=3'],
    real: 'scaled',
    expect: { exit: 0, out: /deployment\.apps\/cart scaled/ },
  },
  {
    kubectl: ['get', 'deploy', 'cart', '-n', 'shop', '-o', 'jsonpath={.status.readyReplicas}'],
    real: 'three ready replicas once the new pods are up',
    expect: { exit: 0, out: /^3$/ },
    within: 20,
  },
  {
    kubectl: ['rollout', 'history', 'deploy/orders-api', '-n', 'orders'],
    real: 'the revisions',
    expect: { exit: 0, out: /REVISION\s+CHANGE-CAUSE\n1\s[\s\S]*\n2\s/ },
  },
  {
    kubectl: ['rollout', 'status', 'deploy/orders-api', '-n', 'orders', '--timeout=2s'],
    real: 'a rollout past its progress deadline has failed',
    expect: { exit: 1, err: /exceeded its progress deadline/ },
  },
  {
    kubectl: ['set', 'image', 'deploy/cart', '-n', 'shop', 'cart=ghcr.io/shop/cart:2.0.0'],
    real: 'image updated',
    expect: { exit: 0, out: /deployment\.apps\/cart image updated/ },
  },
  {
    kubectl: [
      'wait',
      '--for=condition=Available',
      'deploy/frontend',
      '-n',
      'shop',
      '--timeout=10s',
    ],
    real: 'condition met',
    expect: { exit: 0, out: /deployment\.apps\/frontend condition met/ },
  },
  {
    kubectl: [
      'patch',
      'cm',
      'conformance-settings',
      '-n',
      'shop',
      '--type=merge',
      '-p',
      '{"data":{"mode":"slow"}}',
    ],
    real: 'patched',
    expect: { exit: 0, out: /configmap\/conformance-settings patched/ },
  },
  {
    kubectl: [
      'patch',
      'cm',
      'conformance-settings',
      '-n',
      'shop',
      '--type=merge',
      '-p',
      '{"data":{"mode":"slow"}}',
    ],
    real: 'patched (no change) when the patch changes nothing',
    expect: { exit: 0, out: /configmap\/conformance-settings patched \(no change\)/ },
  },
  {
    kubectl: ['delete', 'cm', 'conformance-settings', '-n', 'shop'],
    real: 'deleted',
    expect: { exit: 0, out: /configmap "conformance-settings" deleted/ },
  },
  {
    request: {
      method: 'PUT',
      path: '/api/v1/namespaces/shop/configmaps/cart-config',
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'cart-config', namespace: 'shop', resourceVersion: '1' },
        data: {},
      },
    },
    real: '409 Conflict for a stale resourceVersion',
    expect: {
      exit: 409,
      out: /the object has been modified; please apply your changes to the latest version and try again/,
    },
  },
];
