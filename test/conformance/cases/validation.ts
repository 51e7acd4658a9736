import type { Case, Step } from '../case.ts';
import { workload } from './manifests.ts';

/**
 * Bad input and the API server's answers: strict decoding of unknown fields (and kubectl's
 * `--validate`), wrong types, invalid values, field selectors, Secrets' data, status on the main
 * resource; and the labels and pod addresses a real cluster's nodes give.
 */
const NS = 'checks';
const deployment = (name: string, spec: Record<string, unknown> = {}) =>
  workload('Deployment', name, NS, { spec });
const PATH = `/apis/apps/v1/namespaces/${NS}/deployments`;

const secret = (name: string, fields: Record<string, unknown>) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: NS },
  ...fields,
});

export const VALIDATION_SETUP: readonly Step[] = [
  ['create', 'namespace', NS],
  {
    kubectl: ['apply', '-f', '-'],
    stdin: JSON.stringify(deployment('patched')),
  },
  {
    kubectl: ['apply', '-f', '-'],
    stdin: JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'placed', namespace: NS },
      spec: { nodeName: 'sandbox-worker2', containers: [{ name: 'app', image: 'nginx:1.27' }] },
    }),
  },
];

export const VALIDATION: readonly Case[] = [
  {
    kubectl: ['apply', '-f', '-'],
    stdin: JSON.stringify(deployment('strict', { foo: 1 })),
    real: 'BadRequest: strict decoding error, unknown field',
    expect: {
      exit: 1,
      err: /Error from server \(BadRequest\): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec\.foo"/,
    },
  },
  {
    kubectl: ['apply', '--validate=warn', '-f', '-'],
    stdin: JSON.stringify(deployment('warned', { foo: 1 })),
    real: 'created, with a warning for the unknown field',
    expect: {
      exit: 0,
      out: /deployment\.apps\/warned created/,
      err: /Warning: unknown field "spec\.foo"/,
    },
  },
  {
    kubectl: ['apply', '--validate=false', '-f', '-'],
    stdin: JSON.stringify(deployment('quiet', { foo: 1 })),
    real: 'created silently',
    expect: { exit: 0, out: /^deployment\.apps\/quiet created\n$/, err: /^$/ },
  },
  {
    kubectl: ['get', 'deploy', 'quiet', '-n', NS, '-o', 'jsonpath={.spec.foo}|{.spec.replicas}'],
    real: 'the unknown field dropped',
    expect: { exit: 0, out: /^\|1$/ },
  },
  {
    request: { method: 'POST', path: PATH, body: deployment('typed', { replicas: 'two' }) },
    real: '400: cannot unmarshal string into DeploymentSpec.spec.replicas of type int32',
    expect: {
      exit: 400,
      out: /json: cannot unmarshal string into Go struct field DeploymentSpec\.spec\.replicas of type int32/,
    },
  },
  {
    request: { method: 'POST', path: PATH, body: deployment('typed', { selector: 'app=x' }) },
    real: '400: cannot unmarshal string into DeploymentSpec.spec.selector of type v1.LabelSelector',
    expect: {
      exit: 400,
      out: /json: cannot unmarshal string into Go struct field DeploymentSpec\.spec\.selector of type v1\.LabelSelector/,
    },
  },
  {
    request: { method: 'POST', path: PATH, body: deployment('negative', { replicas: -1 }) },
    real: '422: spec.replicas must be greater than or equal to 0',
    expect: {
      exit: 422,
      out: /spec\.replicas: Invalid value: -1: must be greater than or equal to 0/,
    },
  },
  {
    kubectl: ['get', 'deploy', '-n', NS, '--field-selector', 'spec.replicas=1'],
    real: 'refused: deployments select on metadata.name and metadata.namespace only',
    expect: {
      exit: 1,
      err: /"spec\.replicas" is not a known field selector: only "metadata\.name", "metadata\.namespace"/,
    },
  },
  {
    kubectl: ['get', 'nodes', '--field-selector', 'spec.unschedulable=false', '-o', 'name'],
    real: 'every schedulable node',
    expect: { exit: 0, out: /^(?:node\/sandbox-\S+\n){4}$/ },
  },
  {
    before: [
      {
        kubectl: ['apply', '-f', '-'],
        stdin: JSON.stringify(secret('folded', { stringData: { word: 'hello' } })),
      },
    ],
    kubectl: ['get', 'secret', 'folded', '-n', NS, '-o', 'jsonpath={.data.word}|{.stringData}'],
    real: 'stringData folded into base64 data',
    expect: { exit: 0, out: /^aGVsbG8=\|$/ },
  },
  {
    request: {
      method: 'POST',
      path: `/api/v1/namespaces/${NS}/secrets`,
      body: secret('unpadded', { data: { word: 'aGVsbG8' } }),
    },
    real: '400: illegal base64 data at input byte 4',
    expect: { exit: 400, out: /illegal base64 data at input byte 4/ },
  },
  {
    request: {
      method: 'PATCH',
      path: `${PATH}/patched`,
      contentType: 'application/merge-patch+json',
      body: { spec: { replicas: 3 }, status: { replicas: 42, readyReplicas: 42 } },
    },
    real: 'spec applied, status ignored on the main resource',
    expect: {
      exit: 200,
      out: /^(?=[\s\S]*"spec":\{[\s\S]*"replicas":3)(?![\s\S]*"readyReplicas":42)/,
    },
  },
  {
    kubectl: [
      'get',
      'node',
      'sandbox-worker',
      '-o',
      'jsonpath={.metadata.labels.kubernetes\\.io/hostname} {.metadata.labels.kubernetes\\.io/os} {.metadata.labels.kubernetes\\.io/arch} {.metadata.labels.topology\\.kubernetes\\.io/region} {.metadata.labels.topology\\.kubernetes\\.io/zone}',
    ],
    real: 'the standard node labels: hostname, os, arch, region, zone',
    expect: { exit: 0, out: /^sandbox-worker linux (?:amd64|arm64) \S+ \S+$/ },
  },
  {
    kubectl: ['get', 'node', 'sandbox-worker2', '-o', 'jsonpath={.spec.podCIDR}'],
    real: "the node's pod range",
    expect: { exit: 0, out: /^10\.244\.2\.0\/24$/ },
  },
  {
    kubectl: ['get', 'pod', 'placed', '-n', NS, '-o', 'jsonpath={.spec.nodeName} {.status.podIP}'],
    real: "an IP inside its node's spec.podCIDR (sandbox-worker2: 10.244.2.0/24)",
    expect: { exit: 0, out: /^sandbox-worker2 10\.244\.2\.\d+$/ },
    within: 5,
  },
  {
    request: {
      method: 'POST',
      path: `/api/v1/namespaces/${NS}/configmaps`,
      body: secret('misfiled', { data: {} }),
    },
    real: '400: a Secret is not converted to a ConfigMap',
    expect: {
      exit: 400,
      out: /"message":"Secret in version \\"v1\\" cannot be handled as a ConfigMap: converting \(v1\.Secret\) to \(core\.ConfigMap\): unknown conversion","reason":"BadRequest"/,
    },
  },
  {
    request: {
      method: 'POST',
      path: PATH,
      body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'misfiled' } },
    },
    real: '400: a v1 Pod is not converted to an apps/v1 Deployment',
    expect: {
      exit: 400,
      out: /Pod in version \\"v1\\" cannot be handled as a Deployment: converting \(v1\.Pod\) to \(apps\.Deployment\): unknown conversion/,
    },
  },
  {
    request: {
      method: 'PATCH',
      path: `${PATH}/patched`,
      contentType: 'application/json-patch+json',
      body: [{ op: 'remove', path: '/metadata' }],
    },
    real: '400: the patched object has no name',
    expect: {
      exit: 400,
      out: /the name of the object \(patched based on URL\) was undeterminable: name must be provided/,
    },
  },
  {
    request: {
      method: 'PATCH',
      path: `${PATH}/patched`,
      contentType: 'application/json-patch+json',
      body: [{ op: 'replace', path: '', value: '' }],
    },
    real: '422: the patch does not apply (generic message, empty details)',
    expect: {
      exit: 422,
      out: /"message":"the server rejected our request due to an error in our request","reason":"Invalid","details":\{\}/,
    },
  },
  {
    request: { method: 'GET', path: `/api/v1/namespaces/${NS}/pods?limit=abc` },
    real: '400: strconv.ParseInt: parsing "abc": invalid syntax',
    expect: {
      exit: 400,
      out: /"strconv\.ParseInt: parsing \\"abc\\": invalid syntax","reason":"BadRequest"/,
    },
  },
  {
    request: { method: 'GET', path: `/api/v1/namespaces/${NS}/pods?watch=true&timeoutSeconds=x` },
    real: '400: strconv.ParseInt: parsing "x": invalid syntax',
    expect: { exit: 400, out: /strconv\.ParseInt: parsing \\"x\\": invalid syntax/ },
  },
  {
    request: { method: 'GET', path: `/api/v1/namespaces/${NS}/pods?resourceVersion=abc` },
    real: '500 without a reason (1.32): strconv.ParseUint of the resourceVersion',
    expect: {
      exit: 500,
      out: /^\{"kind":"Status","apiVersion":"v1","metadata":\{\},"status":"Failure","message":"resourceVersion: Invalid value: \\"abc\\": strconv\.ParseUint: parsing \\"abc\\": invalid syntax","code":500\}$/,
    },
  },
  {
    request: { method: 'GET', path: `/api/v1/namespaces/${NS}/pods?limit=5&resourceVersion=abc` },
    real: '400: a paged list is served by the storage, which calls the version invalid',
    expect: {
      exit: 400,
      out: /"message":"invalid resource version: resourceVersion: Invalid value: \\"abc\\": strconv\.ParseUint: parsing \\"abc\\": invalid syntax","reason":"BadRequest"/,
    },
  },
  {
    request: { method: 'GET', path: `/api/v1/namespaces/${NS}/pods?limit=1&continue=garbage` },
    real: '400: invalid continue token',
    expect: {
      exit: 400,
      out: /invalid continue token: continue key is not valid: invalid character '\\\\u0081' looking for beginning of value/,
    },
  },
  {
    kubectl: ['get', 'pods', '-n', NS, '-l', 'a==b==c'],
    real: "BadRequest (kubectl's 'Unable to find' wrapping): found '==', expected: ',' or 'end of string'",
    expect: {
      exit: 1,
      err: /Error from server \(BadRequest\): Unable to find "\/v1, Resource=pods" that match label selector "a==b==c", field selector "": found '==', expected: ',' or 'end of string'/,
    },
  },
  {
    kubectl: ['get', 'pods', '-n', NS, '-l', '!'],
    real: "BadRequest: unable to parse requirement: found '', expected: identifier",
    expect: {
      exit: 1,
      err: /Error from server \(BadRequest\): Unable to find "\/v1, Resource=pods" that match label selector "!", field selector "": unable to parse requirement: found '', expected: identifier/,
    },
  },
  {
    kubectl: ['get', 'pods', '-n', NS, '--field-selector', 'metadata.name'],
    real: "BadRequest: invalid selector: 'metadata.name'; can't understand 'metadata.name'",
    expect: {
      exit: 1,
      err: /Error from server \(BadRequest\): Unable to find "\/v1, Resource=pods" that match label selector "", field selector "metadata\.name": invalid selector: 'metadata\.name'; can't understand 'metadata\.name'/,
    },
  },
  {
    request: {
      method: 'DELETE',
      path: `/api/v1/namespaces/${NS}/pods/placed?propagationPolicy=Sideways`,
    },
    real: '422: DeleteOptions propagationPolicy Unsupported value',
    expect: {
      exit: 422,
      out: /DeleteOptions\.meta\.k8s\.io \\"\\" is invalid: propagationPolicy: Unsupported value: \\"Sideways\\"/,
    },
  },
  {
    request: { method: 'DELETE', path: `/api/v1/namespaces/${NS}/pods/placed?dryRun=Maybe` },
    real: '422: DeleteOptions dryRun Unsupported value []string{"Maybe"}',
    expect: {
      exit: 422,
      out: /DeleteOptions\.meta\.k8s\.io \\"\\" is invalid: dryRun: Unsupported value: \[\]string\{\\"Maybe\\"\}: supported values: \\"All\\"/,
    },
  },
  {
    request: {
      method: 'POST',
      path: `/api/v1/namespaces/${NS}/configmaps?fieldManager=${'m'.repeat(129)}`,
      body: { metadata: { name: 'managed' } },
    },
    real: '422: CreateOptions fieldManager Too long: must have at most 128 bytes',
    expect: {
      exit: 422,
      out: /CreateOptions\.meta\.k8s\.io \\"\\" is invalid: fieldManager: Too long: must have at most 128 bytes/,
    },
  },
  {
    request: {
      method: 'POST',
      path: `/api/v1/namespaces/${NS}/pods`,
      body: {
        metadata: { name: 'nulls' },
        spec: {
          containers: [{ name: 'app', image: 'nginx:1.27', ports: [null] }],
          volumes: [null],
        },
      },
    },
    real: '422: containerPort Required; volume type and name Required',
    expect: {
      exit: 422,
      out: /spec\.volumes\[0\]: Required value: must specify a volume type, spec\.volumes\[0\]\.name: Required value, spec\.containers\[0\]\.ports\[0\]\.containerPort: Required value/,
    },
  },
  {
    request: {
      method: 'POST',
      path: `/api/v1/namespaces/${NS}/configmaps`,
      body: '{"metadata":{"name":"lone"},"data":{"k":"\\ud800"}}',
    },
    real: 'created, the lone surrogate stored as U+FFFD',
    expect: { exit: 201, out: /"data":\{"k":"\uFFFD"\}/ },
  },
  {
    before: [['create', 'configmap', 'proto', '-n', NS, '--from-literal=__proto__=kept']],
    kubectl: ['get', 'configmap', 'proto', '-n', NS, '-o', 'jsonpath={.data}'],
    real: 'the key __proto__ stored and served like any other',
    expect: { exit: 0, out: /^\{"__proto__":"kept"\}$/ },
  },
  {
    request: {
      method: 'POST',
      path: `/api/v1/namespaces/${NS}/configmaps`,
      body: 'garbage',
      contentType: 'application/vnd.kubernetes.protobuf',
    },
    real: '400: the object provided is unrecognized (must be of type ConfigMap)',
    expect: {
      exit: 400,
      out: /the object provided is unrecognized \(must be of type ConfigMap\): provided data does not appear to be a protobuf message, expected prefix \[107 56 115 0\] \(67617262616765\)/,
    },
  },
  {
    kubectl: [
      'get',
      'pod',
      'placed',
      '-n',
      NS,
      '-o',
      'jsonpath={range .spec.tolerations[*]}{.key}:{.effect}:{.operator}:{.tolerationSeconds} {end}',
    ],
    real: 'the DefaultTolerationSeconds tolerations, 300s each',
    expect: {
      exit: 0,
      out: /^node\.kubernetes\.io\/not-ready:NoExecute:Exists:300 node\.kubernetes\.io\/unreachable:NoExecute:Exists:300 $/,
    },
  },
];
