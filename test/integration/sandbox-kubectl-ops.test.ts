import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException, KubeConfig, PolicyV1Api } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { ImageBehaviour } from '../../src/sandbox/scenario.ts';
import { runKubectl, startKubectl } from '../support/kubectl.ts';
import { eventually, useSandbox } from '../support/sandbox.ts';

/**
 * The real kubectl against the sandbox for the operations an engineer runs during an incident:
 * watches, followed logs, cordon and drain with disruption budgets, paused rollouts, namespace
 * deletion, finalizers and cascading deletes. Needs kubectl on PATH.
 */
const sandbox = useSandbox(['healthy', 'oom-crashloop']);
const cacheDir = mkdtempSync(join(tmpdir(), 'coxswain-kubectl-ops-cache-'));
const running: ChildProcessWithoutNullStreams[] = [];

afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
  rmSync(cacheDir, { recursive: true, force: true });
});

const env = () => ({ kubeconfig: sandbox.kubeconfig, cacheDir });

function kubectl(args: string[], input?: string, timeoutMs = 30_000) {
  return runKubectl(env(), args, input, { timeoutMs });
}

/** A kubectl that keeps running (a watch, a followed log), killed after the file's tests. */
function start(args: string[]) {
  const started = startKubectl(env(), args);
  running.push(started.child);
  return started;
}

async function ok(args: string[], input?: string): Promise<string> {
  const result = await kubectl(args, input);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

function json(args: string[]): Promise<Record<string, unknown>> {
  return ok([...args, '-o', 'json']).then((text) => JSON.parse(text));
}

function policyApi(): PolicyV1Api {
  const config = new KubeConfig();
  config.loadFromFile(sandbox.kubeconfig);
  return config.makeApiClient(PolicyV1Api);
}

const deployment = (namespace: string, name: string, image: string, replicas = 2) =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name, image }] },
      },
    },
  });

const namespace = (name: string) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

describe('kubectl get -w on the sandbox', () => {
  it('keeps the server-printed columns in the rows after the first list', async () => {
    const watch = start(['get', 'pods', '-n', 'payments', '-w']);
    await eventually(async () => (watch.printed.stdout.includes('STATUS') ? true : undefined));
    const [victim] = (await ok(['get', 'pods', '-n', 'payments', '-o', 'name'])).split('\n');

    await ok(['delete', victim ?? '', '-n', 'payments', '--wait=false']);

    const row = await eventually(async () =>
      watch.printed.stdout.split('\n').find((line) => /\sTerminating\s/.test(line)),
    );
    expect(row).toMatch(/^payments-api-\S+\s+\d\/1\s+Terminating\s+\d+/);
    watch.child.kill();
  });

  it('prints the wide columns of each change with -o wide', async () => {
    const watch = start(['get', 'pods', '-n', 'shop', '-l', 'app=cart', '-w', '-o', 'wide']);
    await eventually(async () => (watch.printed.stdout.includes('NODE') ? true : undefined));

    await ok(['scale', 'deploy/cart', '-n', 'shop', '--replicas=3']);

    const row = await eventually(async () =>
      watch.printed.stdout.split('\n').find((line) => /\sPending\s|ContainerCreating/.test(line)),
    );
    expect(row.trim().split(/\s+/)).toHaveLength(9);
    watch.child.kill();
  });

  it('prints deployment rows with READY and UP-TO-DATE as they change', async () => {
    const watch = start(['get', 'deploy', '-n', 'shop', '-w']);
    await eventually(async () => (watch.printed.stdout.includes('UP-TO-DATE') ? true : undefined));

    await ok(['scale', 'deploy/cart', '-n', 'shop', '--replicas=2']);

    await eventually(async () =>
      watch.printed.stdout.split('\n').some((line) => /^cart\s+\d\/2\s+\d+\s+\d+\s+\S+$/.test(line))
        ? true
        : undefined,
    );
    watch.child.kill();
  });

  it('sends the column definitions in the first Table event of a watch only', async () => {
    const abort = new AbortController();
    const response = await fetch(
      `${sandbox.sandbox.url}/api/v1/namespaces/shop/pods?watch=true&resourceVersion=0`,
      { headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' }, signal: abort.signal },
    );
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (text.split('\n').length < 3) {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
    }
    abort.abort();

    const [first, second] = text.split('\n').map((line) => (line === '' ? {} : JSON.parse(line)));
    expect(first.object.kind).toBe('Table');
    expect(first.object.columnDefinitions.map((c: { name: string }) => c.name)).toContain('Status');
    expect(first.object.rows).toHaveLength(1);
    expect(second.object.columnDefinitions).toBeNull();
    expect(second.object.rows[0].cells[0]).toBe(second.object.rows[0].object.metadata.name);
  });
});

// These wait on the cluster's clock (a container's run, a rollout, cascading deletes, a
// namespace emptied), each in namespaces or on objects of its own: they run at the same time, the
// tests of each one after another.
describe('kubectl logs -f on the sandbox', { concurrent: true }, () => {
  it('streams the lines a container writes until that run of it ends', async () => {
    // A short-lived server: it starts, writes a line a second, then crashes after 5 s.
    sandbox.sandbox.simulator.addImages({
      'example/short-lived:1.0': ImageBehaviour.parse({
        crashAfter: 5,
        exitCode: 1,
        logs: ['{time} INFO  short-lived 1.0 starting'],
        heartbeat: '{time} INFO  still here',
        every: 1,
        crashLogs: ['{time} ERROR giving up'],
      }),
    });
    await ok(
      ['create', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'leaky', namespace: 'payments' },
        spec: { containers: [{ name: 'api', image: 'example/short-lived:1.0' }] },
      }),
    );
    await eventually(async () => {
      const pod = await json(['get', 'pod', 'leaky', '-n', 'payments']);
      return (pod.status as { phase?: string }).phase === 'Running' ? true : undefined;
    });

    const result = await kubectl(['logs', '-f', 'leaky', '-n', 'payments'], undefined, 30_000);

    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toContain('short-lived 1.0 starting');
    // The heartbeats of the whole run, up to its last words when it crashed.
    expect(lines.filter((line) => line.includes('still here')).length).toBeGreaterThanOrEqual(3);
    expect(lines.at(-1)).toContain('giving up');
    await ok(['delete', 'pod', 'leaky', '-n', 'payments']);
  });
});

describe('kubectl rollout pause and resume on the sandbox', { concurrent: true }, () => {
  it('rolls out nothing while paused and the change once resumed', async () => {
    await ok(['rollout', 'pause', 'deploy/frontend', '-n', 'shop']);
    await ok(['set', 'env', 'deploy/frontend', '-n', 'shop', 'MODE=fast']);
    const progressing = async () => {
      const d = await json(['get', 'deploy', 'frontend', '-n', 'shop']);
      const conditions = (d.status as { conditions: { type: string; reason: string }[] })
        .conditions;
      return conditions.find((c) => c.type === 'Progressing')?.reason;
    };

    const status = await kubectl([
      'rollout',
      'status',
      'deploy/frontend',
      '-n',
      'shop',
      '--timeout=2s',
    ]);

    expect(status.code).toBe(1);
    expect(status.stdout).toContain(
      'Waiting for deployment "frontend" rollout to finish: 0 out of 3 new replicas have been updated...',
    );
    expect(status.stderr).toContain('timed out waiting for the condition');
    expect(await progressing()).toBe('DeploymentPaused');
    expect(await ok(['get', 'rs', '-n', 'shop', '-l', 'app=frontend', '-o', 'name'])).toMatch(
      /^\S+\n$/,
    );

    await ok(['rollout', 'resume', 'deploy/frontend', '-n', 'shop']);
    const done = await kubectl(['rollout', 'status', 'deploy/frontend', '-n', 'shop'], '', 90_000);

    expect(done.stdout).toContain('deployment "frontend" successfully rolled out');
    expect(await progressing()).toBe('NewReplicaSetAvailable');
  }, 100_000);
});

describe('kubectl delete with finalizers and cascades on the sandbox', { concurrent: true }, () => {
  it.sequential('only marks an object with finalizers, which goes when they are removed', async () => {
    await ok(
      ['create', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'held', namespace: 'shop', finalizers: ['example.com/hold'] },
      }),
    );

    await ok(['delete', 'cm', 'held', '-n', 'shop', '--wait=false']);

    const held = await json(['get', 'cm', 'held', '-n', 'shop']);
    const meta = held.metadata as {
      deletionTimestamp?: string;
      deletionGracePeriodSeconds?: number;
    };
    expect(meta.deletionTimestamp).toBeDefined();
    expect(meta.deletionGracePeriodSeconds).toBe(0);
    await ok([
      'patch',
      'cm',
      'held',
      '-n',
      'shop',
      '--type=merge',
      '-p',
      '{"metadata":{"finalizers":null}}',
    ]);
    const gone = await kubectl(['get', 'cm', 'held', '-n', 'shop']);
    expect(gone.stderr).toContain('configmaps "held" not found');
  });

  it.sequential('orphans the replica sets with --cascade=orphan', async () => {
    await ok(
      ['create', '-f', '-'],
      deployment('shop', 'orphaned', 'ghcr.io/example/shop-cart:2.7.0'),
    );
    await eventually(
      async () =>
        (await ok(['get', 'rs', '-n', 'shop', '-l', 'app=orphaned', '-o', 'name'])).trim() ||
        undefined,
    );

    await ok(['delete', 'deploy', 'orphaned', '-n', 'shop', '--cascade=orphan']);

    const sets = await json(['get', 'rs', '-n', 'shop', '-l', 'app=orphaned']);
    const items = sets.items as unknown as { metadata: { ownerReferences?: unknown[] } }[];
    expect(items).toHaveLength(1);
    expect(items[0]?.metadata.ownerReferences).toBeUndefined();
  });

  it.sequential('holds the owner with foregroundDeletion until its dependents are gone', async () => {
    await ok(['create', '-f', '-'], deployment('shop', 'fore', 'ghcr.io/example/shop-cart:2.7.0'));
    await eventually(
      async () =>
        (await ok(['get', 'pods', '-n', 'shop', '-l', 'app=fore', '-o', 'name'])).trim() ||
        undefined,
    );

    await ok(['delete', 'deploy', 'fore', '-n', 'shop', '--cascade=foreground', '--wait=false']);

    const marked = await json(['get', 'deploy', 'fore', '-n', 'shop']);
    expect((marked.metadata as { finalizers?: string[] }).finalizers).toEqual([
      'foregroundDeletion',
    ]);
    await ok(['wait', '--for=delete', 'deploy/fore', '-n', 'shop', '--timeout=30s']);
    expect(await ok(['get', 'rs,pods', '-n', 'shop', '-l', 'app=fore', '-o', 'name'])).toBe('');
  });

  it.sequential('finishes a foreground deletion of two config maps that own each other', async () => {
    const uids: Record<string, string> = {};
    for (const name of ['hen', 'egg']) {
      await ok(['create', 'configmap', name, '-n', 'shop']);
      uids[name] = await ok(['get', 'cm', name, '-n', 'shop', '-o', 'jsonpath={.metadata.uid}']);
    }
    const own = (owner: string) =>
      JSON.stringify({
        metadata: {
          ownerReferences: [
            {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              name: owner,
              uid: uids[owner],
              blockOwnerDeletion: true,
            },
          ],
        },
      });
    await ok(['patch', 'cm', 'hen', '-n', 'shop', '--type=merge', '-p', own('egg')]);
    await ok(['patch', 'cm', 'egg', '-n', 'shop', '--type=merge', '-p', own('hen')]);

    const deleted = await kubectl(['delete', 'cm', 'hen', '-n', 'shop', '--cascade=foreground']);

    expect([deleted.code, deleted.stdout.trim()]).toEqual([0, 'configmap "hen" deleted']);
    await ok(['wait', '--for=delete', 'cm/egg', '-n', 'shop', '--timeout=15s']);
  });

  it.sequential('deletes the dependents in the background by default', async () => {
    await ok(['create', '-f', '-'], deployment('shop', 'back', 'ghcr.io/example/shop-cart:2.7.0'));
    await eventually(
      async () =>
        (await ok(['get', 'pods', '-n', 'shop', '-l', 'app=back', '-o', 'name'])).trim() ||
        undefined,
    );

    await ok(['delete', 'deploy', 'back', '-n', 'shop']);

    await eventually(async () =>
      (await ok(['get', 'rs,pods', '-n', 'shop', '-l', 'app=back', '-o', 'name'])) === ''
        ? true
        : undefined,
    );
  });
});

describe('namespace lifecycle on the sandbox', { concurrent: true }, () => {
  it.sequential('gives a new namespace its default service account and root CA', async () => {
    await ok(['create', '-f', '-'], namespace('scratch'));

    const names = await eventually(async () => {
      const out = await ok(['get', 'sa,cm', '-n', 'scratch', '-o', 'name']);
      return out.split('\n').length >= 3 ? out : undefined;
    });
    expect(names).toContain('serviceaccount/default');
    expect(names).toContain('configmap/kube-root-ca.crt');
    const ns = await json(['get', 'ns', 'scratch']);
    expect((ns.spec as { finalizers: string[] }).finalizers).toEqual(['kubernetes']);
  });

  it.sequential('terminates a namespace: refuses new content, empties it, then removes it', async () => {
    await ok(
      ['create', '-f', '-'],
      deployment('scratch', 'web', 'ghcr.io/example/shop-cart:2.7.0'),
    );
    await eventually(
      async () => (await ok(['get', 'pods', '-n', 'scratch', '-o', 'name'])).trim() || undefined,
    );

    await ok(['delete', 'ns', 'scratch', '--wait=false']);

    const ns = await json(['get', 'ns', 'scratch']);
    expect((ns.status as { phase: string }).phase).toBe('Terminating');
    const refused = await kubectl(
      ['create', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'late', namespace: 'scratch' },
      }),
    );
    expect(refused.stderr).toContain(
      'configmaps "late" is forbidden: unable to create new content in namespace scratch because it is being terminated',
    );
    await ok(['wait', '--for=delete', 'ns/scratch', '--timeout=30s']);
    expect(await ok(['get', 'deploy,rs,pods,cm,sa', '-n', 'scratch', '-o', 'name'])).toBe('');
  });
});

describe('kubectl logs -f stopped by its user on the sandbox', () => {
  it('lets the server release a followed log when the client leaves', async () => {
    const [pod] = (await ok(['get', 'pods', '-n', 'shop', '-l', 'app=frontend', '-o', 'name']))
      .trim()
      .split('\n');
    const follow = start(['logs', '-f', pod ?? '', '-n', 'shop']);
    await eventually(async () => (follow.printed.stdout.includes('listening') ? true : undefined));
    expect(follow.child.exitCode).toBeNull();
    expect(sandbox.sandbox.openLogStreams()).toBe(1);

    follow.child.kill();

    await eventually(async () => (sandbox.sandbox.openLogStreams() === 0 ? true : undefined));
  });
});

describe('kubectl cordon, drain and disruption budgets on the sandbox', () => {
  it('computes a budget from the pods it selects', async () => {
    // The frontend's three pods, and none of an earlier rollout still terminating.
    await eventually(async () => {
      const pods = (await json(['get', 'pods', '-n', 'shop', '-l', 'app=frontend'])).items as {
        metadata: { deletionTimestamp?: string };
      }[];
      const settled = pods.length === 3 && pods.every((p) => !p.metadata.deletionTimestamp);
      return settled ? true : undefined;
    }, 60_000);
    await ok(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: 'frontend', namespace: 'shop' },
        spec: { minAvailable: 2, selector: { matchLabels: { app: 'frontend' } } },
      }),
    );

    const budget = await eventually(async () => {
      const pdb = await policyApi().readNamespacedPodDisruptionBudget({
        name: 'frontend',
        namespace: 'shop',
      });
      return pdb.status?.observedGeneration === 1 ? pdb : undefined;
    });
    expect(budget.status).toMatchObject({
      currentHealthy: 3,
      desiredHealthy: 2,
      disruptionsAllowed: 1,
      expectedPods: 3,
    });
    const table = await ok(['get', 'pdb', '-n', 'shop']);
    expect(table).toMatch(/^frontend\s+2\s+N\/A\s+1\s+\S+$/m);
  });

  it('refuses an eviction that would break the budget with 429', async () => {
    await ok([
      'patch',
      'pdb',
      'frontend',
      '-n',
      'shop',
      '--type=merge',
      '-p',
      '{"spec":{"minAvailable":3}}',
    ]);
    const [pod] = (
      await ok([
        'get',
        'pods',
        '-n',
        'shop',
        '-l',
        'app=frontend',
        '-o',
        'jsonpath={.items[*].metadata.name}',
      ])
    ).split(' ');

    const error = await sandbox.cluster.core
      .createNamespacedPodEviction({
        name: pod ?? '',
        namespace: 'shop',
        body: {
          apiVersion: 'policy/v1',
          kind: 'Eviction',
          metadata: { name: pod ?? '', namespace: 'shop' },
        },
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );

    expect(error).toBeInstanceOf(ApiException);
    const body = JSON.parse((error as ApiException<string>).body);
    expect((error as ApiException<string>).code).toBe(429);
    expect(body.message).toBe("Cannot evict pod as it would violate the pod's disruption budget.");
    expect(body.details.causes).toEqual([
      {
        reason: 'DisruptionBudget',
        message: 'The disruption budget frontend needs 3 healthy pods and has 3 currently',
      },
    ]);
  });

  it('drains a node: cordons it, evicts its pods, and their replica sets replace them elsewhere', async () => {
    await ok([
      'patch',
      'pdb',
      'frontend',
      '-n',
      'shop',
      '--type=merge',
      '-p',
      '{"spec":{"minAvailable":2}}',
    ]);
    const node = (
      await ok([
        'get',
        'pods',
        '-n',
        'shop',
        '-l',
        'app=frontend',
        '-o',
        'jsonpath={.items[0].spec.nodeName}',
      ])
    ).trim();

    const drain = await kubectl(
      ['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=60s'],
      '',
      70_000,
    );

    expect(drain.stderr).not.toContain('error:');
    expect(drain.code).toBe(0);
    expect(drain.stdout).toContain(`node/${node} cordoned`);
    expect(drain.stdout).toContain(`node/${node} drained`);
    expect(await ok(['get', 'nodes', node])).toContain('Ready,SchedulingDisabled');
    expect(
      await ok(['get', 'pods', '-A', '--field-selector', `spec.nodeName=${node}`, '-o', 'name']),
    ).toBe('');
    await eventually(async () => {
      const d = await json(['get', 'deploy', 'frontend', '-n', 'shop']);
      return (d.status as { availableReplicas?: number }).availableReplicas === 3
        ? true
        : undefined;
    });

    await ok(['uncordon', node]);

    expect(await ok(['get', 'nodes', node])).not.toContain('SchedulingDisabled');
  }, 90_000);
});
