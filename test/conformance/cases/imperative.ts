import type { Case } from '../case.ts';

/**
 * kubectl's imperative commands: most go through client-go's typed clients, which send protobuf
 * bodies, so these check that the sandbox reads them.
 */
const deployment = (image: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: applied\n  namespace: conformance\nspec:\n  selector:\n    matchLabels: { app: applied }\n  template:\n    metadata:\n      labels: { app: applied }\n    spec:\n      containers:\n        - name: nginx\n          image: ${image}\n`;

export const IMPERATIVE: readonly Case[] = [
  {
    kubectl: ['create', 'namespace', 'conformance'],
    real: 'namespace/conformance created',
    expect: { exit: 0, out: /^namespace\/conformance created$/m },
  },
  {
    kubectl: [
      'create',
      'deployment',
      'web',
      '--image=nginx:1.27',
      '--replicas=2',
      '-n',
      'conformance',
    ],
    real: 'deployment.apps/web created',
    expect: { exit: 0, out: /deployment\.apps\/web created/ },
  },
  {
    kubectl: ['create', 'configmap', 'settings', '--from-literal=mode=fast', '-n', 'conformance'],
    real: 'configmap/settings created',
    expect: { exit: 0, out: /configmap\/settings created/ },
  },
  {
    kubectl: [
      'create',
      'secret',
      'generic',
      'token',
      '--from-literal=key=s3cret',
      '-n',
      'conformance',
    ],
    real: 'secret/token created',
    expect: { exit: 0, out: /secret\/token created/ },
  },
  {
    kubectl: ['get', 'secret', 'token', '-n', 'conformance', '-o', 'jsonpath={.type} {.data.key}'],
    real: 'an Opaque secret with its value in base64',
    expect: { exit: 0, out: /^Opaque czNjcmV0$/ },
  },
  {
    kubectl: ['create', 'job', 'once', '--image=busybox', '-n', 'conformance', '--', 'echo', 'hi'],
    real: 'job.batch/once created',
    expect: { exit: 0, out: /job\.batch\/once created/ },
  },
  {
    kubectl: [
      'create',
      'cronjob',
      'nightly',
      '--image=busybox',
      '--schedule=0 3 * * *',
      '-n',
      'conformance',
    ],
    real: 'cronjob.batch/nightly created',
    expect: { exit: 0, out: /cronjob\.batch\/nightly created/ },
  },
  {
    kubectl: ['run', 'shell', '--image=busybox', '--restart=Never', '-n', 'conformance'],
    real: 'pod/shell created',
    expect: { exit: 0, out: /pod\/shell created/ },
  },
  {
    kubectl: [
      'expose',
      'deployment',
      'web',
      '--port=80',
      '--target-port=8080',
      '-n',
      'conformance',
    ],
    real: 'service/web exposed',
    expect: { exit: 0, out: /service\/web exposed/ },
  },
  {
    kubectl: [
      'autoscale',
      'deployment',
      'web',
      '--min=2',
      '--max=5',
      '--cpu-percent=70',
      '-n',
      'conformance',
    ],
    real: 'horizontalpodautoscaler.autoscaling/web autoscaled',
    expect: { exit: 0, out: /horizontalpodautoscaler\.autoscaling\/web autoscaled/ },
  },
  {
    kubectl: ['auth', 'can-i', 'create', 'pods', '-n', 'conformance'],
    real: 'yes',
    expect: { exit: 0, out: /^yes$/m },
  },
  {
    kubectl: ['auth', 'can-i', '--list', '-n', 'conformance'],
    real: 'the rules, as a table',
    expect: { exit: 0, out: /Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs/ },
  },
  {
    kubectl: ['apply', '--server-side', '-f', '-'],
    stdin: deployment('nginx:1.27'),
    real: 'serverside-applied',
    expect: { exit: 0, out: /deployment\.apps\/applied serverside-applied/ },
  },
  {
    kubectl: [
      'get',
      'deploy',
      'applied',
      '-n',
      'conformance',
      '--show-managed-fields',
      '-o',
      'jsonpath={.metadata.managedFields[0].manager}/{.metadata.managedFields[0].operation}',
    ],
    real: 'the applier owns its fields',
    expect: { exit: 0, out: /^kubectl\/Apply$/ },
  },
  {
    before: [['set', 'image', 'deploy/applied', 'nginx=nginx:1.28', '-n', 'conformance']],
    kubectl: ['apply', '--server-side', '-f', '-'],
    stdin: deployment('nginx:1.27'),
    real: 'a conflict with the other manager of the image, exit 1',
    expect: {
      exit: 1,
      err: /Apply failed with 1 conflict: conflict with "kubectl-set"[\s\S]*\.spec\.template\.spec\.containers\[name="nginx"\]\.image/,
    },
  },
  {
    kubectl: ['apply', '--server-side', '--force-conflicts', '-f', '-'],
    stdin: deployment('nginx:1.27'),
    real: 'forced: serverside-applied',
    expect: { exit: 0, out: /deployment\.apps\/applied serverside-applied/ },
  },
  {
    kubectl: ['explain', 'pods.spec.containers.resources'],
    real: 'the field and its description from the OpenAPI schema',
    expect: {
      exit: 0,
      out: /FIELD: resources <ResourceRequirements>[\s\S]*limits\s+<map\[string\]Quantity>/,
    },
  },
  {
    kubectl: ['delete', 'namespace', 'conformance', '--wait=false'],
    real: 'namespace "conformance" deleted',
    expect: { exit: 0, out: /namespace "conformance" deleted/ },
  },
];
