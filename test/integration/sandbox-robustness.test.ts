import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { findResource, type ResourceType } from '../../src/sandbox/api/catalog.ts';
import type { KObject } from '../../src/sandbox/api/store.ts';
import { eventually, useSandbox } from '../support/sandbox.ts';

/**
 * Nobody can crash the sandbox: objects valid, odd, invalid, without `status` and huge (five kinds
 * in 31 shapes each) sent through the client library, and the pods and ConfigMaps among them
 * through kubectl, each answered (a 2xx, or a 4xx or
 * 500 Status for that request alone), and the sandbox still serves every other client after.
 */
const sandbox = useSandbox(['healthy']);
const cacheDir = mkdtempSync(join(tmpdir(), 'coxswain-kubectl-cache-'));

afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

type Json = Record<string, unknown>;

const PODS = findResource('', 'v1', 'pods') as ResourceType;

const KINDS: readonly { apiVersion: string; kind: string; namespaced: boolean }[] = [
  { apiVersion: 'v1', kind: 'Pod', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'Deployment', namespaced: true },
  { apiVersion: 'v1', kind: 'Service', namespaced: true },
  { apiVersion: 'v1', kind: 'ConfigMap', namespaced: true },
  { apiVersion: 'v1', kind: 'Namespace', namespaced: false },
];

const container = (extra: Json = {}): Json => ({ name: 'app', image: 'nginx:1.27', ...extra });
const podSpec = (extra: Json = {}): Json => ({ containers: [container()], ...extra });
const template = (spec: Json = podSpec()): Json => ({ metadata: { labels: { app: 'x' } }, spec });

function ordinary(kind: (typeof KINDS)[number], name: string, namespace: string): Json {
  const metadata = { name, ...(kind.namespaced ? { namespace } : {}), labels: { app: 'x' } };
  const base = { apiVersion: kind.apiVersion, kind: kind.kind, metadata };
  switch (kind.kind) {
    case 'Pod':
      return { ...base, spec: podSpec() };
    case 'Service':
      return { ...base, spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } };
    case 'ConfigMap':
      return { ...base, data: { key: 'value' } };
    case 'Namespace':
      return base;
    default:
      return {
        ...base,
        spec: { replicas: 1, selector: { matchLabels: { app: 'x' } }, template: template() },
      };
  }
}

/** The sandbox answers another client: the API server's version and a list of pods. */
async function stillServes(): Promise<void> {
  const version = await fetch(`${sandbox.sandbox.url}/version`);
  expect(version.status).toBe(200);
  const pods = await sandbox.cluster.core.listPodForAllNamespaces();
  expect(pods.items.length).toBeGreaterThan(0);
}

function kubectl(args: string[], input: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('kubectl', args, {
      env: { ...process.env, KUBECONFIG: sandbox.kubeconfig, KUBECACHEDIR: cacheDir },
      timeout: 120_000,
      killSignal: 'SIGKILL',
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('error', (error) => resolve({ code: null, out: `${out}${error.message}` }));
    child.on('close', (code) => resolve({ code, out }));
    child.stdin.end(input);
  });
}

describe('a sandbox nobody can crash', () => {
  it('goes on when its simulator cannot handle an object: that object is left, the rest move on', async () => {
    const config = new KubeConfig();
    config.loadFromFile(sandbox.kubeconfig);
    const client = KubernetesObjectApi.makeApiClient(config);
    // Conditions that are not a list: the kubelet's simulation of this pod fails on them. The
    // API refuses such a pod, as a real one does, so it goes into the store behind the API.
    const odd = ordinary(KINDS[0] as (typeof KINDS)[number], 'odd-status', 'default');
    const oddPod = { ...odd, status: { phase: 'Running', conditions: 'x' } };
    const applied = await kubectl(['apply', '--validate=false', '-f', '-'], stringify(oddPod));
    expect(applied.out).toContain('cannot unmarshal string into Go struct field PodStatus');
    sandbox.sandbox.simulator.store.create(PODS, oddPod as unknown as KObject);
    await client.create(ordinary(KINDS[0] as (typeof KINDS)[number], 'plain', 'default') as never);

    await eventually(async () => {
      const plain = await sandbox.cluster.core.readNamespacedPod({
        name: 'plain',
        namespace: 'default',
      });
      return plain.spec?.nodeName !== undefined ? plain : undefined;
    });
    await stillServes();
  });

  it('gives an ordinary pod that cannot be scheduled the scheduler’s condition and event', async () => {
    const pod = ordinary(KINDS[0] as (typeof KINDS)[number], 'too-big', 'default');
    (pod.spec as { containers: Json[] }).containers = [
      container({ resources: { requests: { cpu: '50' } } }),
    ];

    const applied = await kubectl(['apply', '-f', '-'], stringify(pod));

    expect(applied.out).toContain('pod/too-big created');
    const read = await sandbox.cluster.core.readNamespacedPod({
      name: 'too-big',
      namespace: 'default',
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const again = await sandbox.cluster.core.readNamespacedPod({
      name: 'too-big',
      namespace: 'default',
    });
    expect(read.metadata?.name).toBe('too-big');
    expect(again.status?.conditions?.[0]).toMatchObject({
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
    });
    await stillServes();
  });
});
