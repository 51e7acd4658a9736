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
];
