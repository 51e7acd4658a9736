import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { CoxswainError } from '../../errors.ts';
import { Clusters, connect } from './cluster.ts';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'coxswain-cluster-test-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A kubeconfig file with one cluster per context, each at its own address; `null`: no current context. */
function kubeconfig(
  file: string,
  contexts: string[],
  current: string | null = contexts[0] ?? null,
): string {
  const path = join(dir, file);
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: contexts.map((name, i) => ({
        name,
        cluster: { server: `https://${name}.example.test:${6443 + i}` },
      })),
      users: [{ name: 'bot', user: { token: 'token-not-for-messages' } }],
      contexts: contexts.map((name) => ({ name, context: { cluster: name, user: 'bot' } })),
      ...(current === null ? {} : { 'current-context': current }),
    }),
    { mode: 0o600 },
  );
  return path;
}

function failureOf(run: () => unknown): CoxswainError {
  try {
    run();
  } catch (error) {
    if (error instanceof CoxswainError) return error;
    throw error;
  }
  throw new Error('expected a CoxswainError');
}

describe('connect', () => {
  it('connects to the current context of a kubeconfig file', () => {
    const path = kubeconfig('two.yaml', ['staging', 'prod'], 'prod');

    const cluster = connect({ name: 'main', kubeconfig: path });

    expect(cluster.name).toBe('main');
    expect(cluster.server).toBe('https://prod.example.test:6444');
  });

  it('connects to the context it is given', () => {
    const path = kubeconfig('two-again.yaml', ['staging', 'prod'], 'prod');

    const cluster = connect({ name: 'main', kubeconfig: path, context: 'staging' });

    expect(cluster.server).toBe('https://staging.example.test:6443');
  });

  it('never quotes a malformed kubeconfig, which holds credentials', () => {
    const path = join(dir, 'broken-kubeconfig');
    writeFileSync(
      path,
      'apiVersion: v1\nusers:\n- name: u\n  user:\n    token: tok-9f8e7d6c5b4a\n   bad: [\n',
    );

    const error = failureOf(() => connect({ name: 'prod-eu', kubeconfig: path }));

    expect(error.message).toMatch(/^cluster prod-eu: cannot load .*: not a valid kubeconfig/);
    expect(error.message).not.toContain('tok-9f8e7d6c5b4a');
  });

  it('names the cluster and the file when the kubeconfig file is missing', () => {
    const path = join(dir, 'no-such-kubeconfig');

    const error = failureOf(() => connect({ name: 'prod-eu', kubeconfig: path }));

    expect(error.code).toBe('kubernetes_config');
    expect(error.message).toMatch(new RegExp(`^cluster prod-eu: cannot load ${path}: `));
  });

  it('lists the contexts there are when the one asked for is not among them', () => {
    const path = kubeconfig('contexts.yaml', ['kind-dev', 'gke-prod']);

    const error = failureOf(() => connect({ name: 'prod', kubeconfig: path, context: 'eks-prod' }));

    expect(error.code).toBe('kubernetes_config');
    expect(error.message).toBe(
      'cluster prod: the kubeconfig has no context "eks-prod" (it has: kind-dev, gke-prod)',
    );
  });

  it('says how to configure a cluster when the kubeconfig has no current context', () => {
    const path = kubeconfig('no-current.yaml', ['kind-dev'], null);

    const error = failureOf(() => connect({ name: 'dev', kubeconfig: path }));

    expect(error.code).toBe('kubernetes_config');
    expect(error.message).toMatch(
      /^cluster dev: no Kubernetes cluster is configured: set KUBECONFIG/,
    );
  });

  it('never puts the credentials of the kubeconfig in its messages', () => {
    const path = kubeconfig('secret.yaml', ['kind-dev']);

    const error = failureOf(() => connect({ name: 'dev', kubeconfig: path, context: 'other' }));

    expect(error.message).not.toContain('token-not-for-messages');
  });
});

describe('connect with no kubeconfig anywhere', () => {
  it('says how to configure a cluster instead of trying localhost:8080', () => {
    const saved = { KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.HOME };
    process.env.KUBECONFIG = '';
    process.env.HOME = mkdtempSync(join(dir, 'home-'));
    let message = '';
    try {
      connect({ name: 'default' });
    } catch (error) {
      message = (error as CoxswainError).message;
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }

    expect(message).toBe(
      'cluster default: no Kubernetes cluster is configured: set KUBECONFIG, create ~/.kube/config, or run inside a cluster',
    );
  });
});

describe('Clusters', () => {
  it('is one cluster named default when none are configured', () => {
    const clusters = new Clusters([]);

    expect(clusters.names).toEqual(['default']);
  });

  it('lists the configured names when asked for an unknown one', () => {
    const path = kubeconfig('clusters.yaml', ['staging', 'prod']);
    const clusters = new Clusters([
      { name: 'staging', kubeconfig: path, context: 'staging' },
      { name: 'prod', kubeconfig: path, context: 'prod' },
    ]);

    const error = failureOf(() => clusters.get('qa'));

    expect(error.code).toBe('kubernetes_config');
    expect(error.message).toBe('no cluster named "qa"; configured: staging, prod');
  });

  it('gives the first cluster by default, and each cluster connected once', () => {
    const path = kubeconfig('clusters-again.yaml', ['staging', 'prod']);
    const clusters = new Clusters([
      { name: 'staging', kubeconfig: path, context: 'staging' },
      { name: 'prod', kubeconfig: path, context: 'prod' },
    ]);

    const first = clusters.get();
    const prod = clusters.get('prod');

    expect(first.name).toBe('staging');
    expect(first.server).toBe('https://staging.example.test:6443');
    expect(prod.server).toBe('https://prod.example.test:6444');
    expect(clusters.get('staging')).toBe(first);
    expect(clusters.get('prod')).toBe(prod);
  });

  it('does not read a kubeconfig until a cluster is asked for', () => {
    const clusters = new Clusters([{ name: 'later', kubeconfig: join(dir, 'written-later.yaml') }]);
    kubeconfig('written-later.yaml', ['kind-dev']);

    const cluster = clusters.get('later');

    expect(cluster.server).toBe('https://kind-dev.example.test:6443');
  });
});
