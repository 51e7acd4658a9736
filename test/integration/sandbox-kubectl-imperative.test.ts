import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Exec, KubeConfig, type V1Status } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { runKubectl } from '../support/kubectl.ts';
import { useSandbox } from '../support/sandbox.ts';

/**
 * kubectl's imperative commands against the sandbox, unchanged: most go through client-go's
 * typed clients, which send protobuf bodies. Each result is read back through the API.
 */
const sandbox = useSandbox(['healthy'], {
  deny: [{ verb: 'create', resource: 'secrets', namespace: 'locked' }],
});
const cacheDir = mkdtempSync(join(tmpdir(), 'coxswain-kubectl-imperative-'));

afterAll(() => {
  rmSync(cacheDir, { recursive: true, force: true });
});

function kubectl(...args: string[]) {
  return runKubectl({ kubeconfig: sandbox.kubeconfig, cacheDir }, args);
}

type Json = Record<string, unknown>;

async function read(path: string): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${sandbox.sandbox.url}${path}`);
  return { status: response.status, body: (await response.json()) as Json };
}

describe('kubectl imperative commands on the sandbox', () => {
  it('creates a namespace', async () => {
    const result = await kubectl('create', 'namespace', 'imperative');

    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('namespace/imperative created');
    const { status, body } = await read('/api/v1/namespaces/imperative');
    expect(status).toBe(200);
    expect(body.metadata).toMatchObject({ name: 'imperative' });
  });

  it('creates a deployment with its replicas, image and labels', async () => {
    const result = await kubectl(
      'create',
      'deployment',
      'web',
      '--image=nginx:1.27',
      '--replicas=0',
      '-n',
      'default',
    );

    expect(result.stdout.trim()).toBe('deployment.apps/web created');
    const { body } = await read('/apis/apps/v1/namespaces/default/deployments/web');
    expect(body.spec).toMatchObject({
      replicas: 0,
      selector: { matchLabels: { app: 'web' } },
      template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } },
    });
  });

  it('creates a config map and a secret from literals', async () => {
    const cm = await kubectl(
      'create',
      'configmap',
      'settings',
      '--from-literal=mode=fast',
      '--from-literal=empty=',
    );
    const secret = await kubectl(
      'create',
      'secret',
      'generic',
      'token',
      '--from-literal=key=s3cret',
    );

    expect(cm.stdout.trim()).toBe('configmap/settings created');
    expect(secret.stdout.trim()).toBe('secret/token created');
    expect((await read('/api/v1/namespaces/default/configmaps/settings')).body.data).toEqual({
      mode: 'fast',
      empty: '',
    });
    const stored = (await read('/api/v1/namespaces/default/secrets/token')).body;
    expect(stored.data).toEqual({ key: Buffer.from('s3cret').toString('base64') });
    expect(stored.type).toBe('Opaque');
  });

  it('creates a job and a cron job', async () => {
    const job = await kubectl('create', 'job', 'once', '--image=busybox', '--', 'echo', 'hi');
    const cron = await kubectl(
      'create',
      'cronjob',
      'nightly',
      '--image=busybox',
      '--schedule=0 3 * * *',
    );

    expect(job.stdout.trim()).toBe('job.batch/once created');
    expect(cron.stdout.trim()).toBe('cronjob.batch/nightly created');
    const stored = (await read('/apis/batch/v1/namespaces/default/jobs/once')).body;
    expect(stored.spec).toMatchObject({
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'once', image: 'busybox', command: ['echo', 'hi'] }],
        },
      },
    });
    const cronJob = (await read('/apis/batch/v1/namespaces/default/cronjobs/nightly')).body;
    expect(cronJob.spec).toMatchObject({ schedule: '0 3 * * *' });
    expect((await kubectl('get', 'cj', 'nightly', '-o', 'name')).stdout.trim()).toBe(
      'cronjob.batch/nightly',
    );
  });

  it('runs a pod and exposes a deployment as a service', async () => {
    await kubectl('create', 'deployment', 'api', '--image=nginx', '--port=8080');

    const run = await kubectl('run', 'shell', '--image=busybox', '--restart=Never');
    const expose = await kubectl('expose', 'deployment', 'api', '--port=80', '--target-port=8080');

    expect(run.stdout.trim()).toBe('pod/shell created');
    expect(expose.stdout.trim()).toBe('service/api exposed');
    expect((await read('/api/v1/namespaces/default/pods/shell')).body.spec).toMatchObject({
      restartPolicy: 'Never',
      containers: [{ name: 'shell', image: 'busybox' }],
    });
    expect((await read('/api/v1/namespaces/default/services/api')).body.spec).toMatchObject({
      selector: { app: 'api' },
      ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }],
    });
  });

  it('autoscales a deployment through autoscaling/v1, read back as v2', async () => {
    await kubectl('create', 'deployment', 'scaled', '--image=nginx');

    const result = await kubectl(
      'autoscale',
      'deployment',
      'scaled',
      '--min=2',
      '--max=5',
      '--cpu-percent=70',
    );

    expect(result.stdout.trim()).toBe('horizontalpodautoscaler.autoscaling/scaled autoscaled');
    const v2 = (
      await read('/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/scaled')
    ).body;
    expect(v2.spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'scaled' },
      minReplicas: 2,
      maxReplicas: 5,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
      ],
    });
    const v1 = (
      await read('/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/scaled')
    ).body;
    expect(v1.spec).toMatchObject({ targetCPUUtilizationPercentage: 70, maxReplicas: 5 });
  });

  it('answers auth can-i from the deny rules', async () => {
    const allowed = await kubectl('auth', 'can-i', 'create', 'pods');
    const refused = await kubectl('auth', 'can-i', 'create', 'secrets', '-n', 'locked');

    expect(allowed.code).toBe(0);
    expect(allowed.stdout.trim()).toBe('yes');
    expect(refused.code).toBe(1);
    expect(refused.stdout.trim()).toBe('no');
  });

  it('lists what the user may do with auth can-i --list', async () => {
    const result = await kubectl('auth', 'can-i', '--list');

    expect(result.code).toBe(0);
    const [header, ...rows] = result.stdout.trim().split('\n');
    expect(header).toMatch(/^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/);
    expect(rows.some((row) => /^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/.test(row))).toBe(true);
  });

  it('applies server-side with managed fields, refusing a conflict unless forced', async () => {
    await kubectl('create', 'deployment', 'applied', '--image=nginx:1.26');
    const manifest = (image: string) =>
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'applied', namespace: 'default' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'applied' } },
          template: {
            metadata: { labels: { app: 'applied' } },
            spec: { containers: [{ name: 'nginx', image }] },
          },
        },
      });

    const refused = await runKubectl(
      { kubeconfig: sandbox.kubeconfig, cacheDir },
      ['apply', '--server-side', '-f', '-'],
      manifest('nginx:1.27'),
    );
    const forced = await runKubectl(
      { kubeconfig: sandbox.kubeconfig, cacheDir },
      ['apply', '--server-side', '--force-conflicts', '-f', '-'],
      manifest('nginx:1.27'),
    );

    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'Apply failed with 1 conflict: conflict with "kubectl-create" using apps/v1: .spec.template.spec.containers[name="nginx"].image',
    );
    expect(forced.stdout.trim()).toBe('deployment.apps/applied serverside-applied');
    const stored = (await read('/apis/apps/v1/namespaces/default/deployments/applied')).body as {
      spec: { template: { spec: { containers: { image: string }[] } } };
      metadata: { managedFields: { manager: string; operation: string; fieldsV1: Json }[] };
    };
    expect(stored.spec.template.spec.containers[0]?.image).toBe('nginx:1.27');
    const managers = stored.metadata.managedFields.map((f) => `${f.manager}/${f.operation}`);
    expect(managers).toEqual(['kubectl-create/Update', 'kubectl/Apply']);
    const applied = stored.metadata.managedFields.find((f) => f.operation === 'Apply');
    expect(applied?.fieldsV1).toMatchObject({
      'f:spec': {
        'f:replicas': {},
        'f:template': {
          'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {} } } },
        },
      },
    });
  });

  it('creates an object by server-side apply and needs a field manager', async () => {
    const manifest = JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'applied-config' },
      data: { mode: 'fast' },
    });

    const result = await runKubectl(
      { kubeconfig: sandbox.kubeconfig, cacheDir },
      ['apply', '--server-side', '-f', '-'],
      manifest,
    );
    const response = await fetch(
      `${sandbox.sandbox.url}/api/v1/namespaces/default/configmaps/other?fieldManager=`,
      {
        method: 'PATCH',
        headers: { 'content-type': 'application/apply-patch+yaml' },
        body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n',
      },
    );

    expect(result.stdout.trim()).toBe('configmap/applied-config serverside-applied');
    expect((await read('/api/v1/namespaces/default/configmaps/applied-config')).body.data).toEqual({
      mode: 'fast',
    });
    expect(response.status).toBe(422);
    expect(((await response.json()) as Json).message).toBe(
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
  });

  it('explains fields of the served kinds from their OpenAPI schemas', async () => {
    const spec = await kubectl('explain', 'pods.spec');
    const resources = await kubectl(
      'explain',
      'deployments.spec.template.spec.containers.resources',
    );
    const cron = await kubectl('explain', 'cj.spec.schedule');

    expect(spec.code).toBe(0);
    expect(spec.stdout).toMatch(/^KIND:\s+Pod\nVERSION:\s+v1\n/);
    expect(spec.stdout).toContain('FIELD: spec <PodSpec>');
    expect(spec.stdout).toMatch(/containers\t<\[\]Container> -required-/);
    expect(spec.stdout).toMatch(/restartPolicy\t<string>/);
    expect(resources.stdout).toContain('FIELD: resources <ResourceRequirements>');
    expect(resources.stdout).toMatch(/limits\t<map\[string\]Quantity>/);
    expect(cron.stdout).toMatch(/GROUP:\s+batch\nKIND:\s+CronJob/);
    expect(cron.stdout).toContain('FIELD: schedule <string>');
  });

  it('runs a pod attached with kubectl run -it --rm, prints its output and deletes it', async () => {
    const result = await kubectl(
      'run',
      '-it',
      '--rm',
      'attached',
      '--image=busybox',
      '--restart=Never',
      '--',
      'echo',
      'hi',
    );

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('hi\n');
    expect(result.stdout).toContain('pod "attached" deleted');
    // A container that ends before kubectl attaches is read from its log instead, as kubectl
    // does on a real cluster: either way its output arrives once.
    expect(result.stdout.match(/hi\n/g)).toHaveLength(1);
    if (result.stderr.includes('falling back'))
      expect(result.stderr).toContain(
        "couldn't attach to pod/attached, falling back to streaming logs",
      );
    await expect
      .poll(async () => (await read('/api/v1/namespaces/default/pods/attached')).status, {
        timeout: 10_000,
      })
      .toBe(404);
  });

  it('execs the commands the stand-in runs, and refuses others with 126 and why', async () => {
    await kubectl('run', 'execd', '--image=busybox', '--restart=Never', '--', 'sleep', 'infinity');
    await kubectl('wait', '--for=condition=Ready', 'pod/execd', '--timeout=20s');

    const echo = await kubectl('exec', 'execd', '--', 'echo', 'hi');
    const exit = await kubectl('exec', 'execd', '--', 'sh', '-c', 'exit 4');
    const ls = await kubectl('exec', 'execd', '--', 'ls');

    expect([echo.code, echo.stdout]).toEqual([0, 'hi\n']);
    expect(exit.code).toBe(4);
    expect(exit.stderr).toContain('command terminated with exit code 4');
    expect(ls.code).toBe(126);
    expect(ls.stderr).toContain(`the sandbox's stand-in cannot run "ls"`);
  });

  it('tells a user who may read a pod but not exec in it that exec is forbidden', async () => {
    await kubectl('create', 'role', 'pod-reader', '--verb=get', '--resource=pods', '-n', 'shop');
    await kubectl(
      'create',
      'rolebinding',
      'bob-reads',
      '--role=pod-reader',
      '--user=bob',
      '-n',
      'shop',
    );
    const pods = await read('/api/v1/namespaces/shop/pods');
    const pod = (pods.body.items as { metadata: { name: string } }[])[0]?.metadata.name ?? '';

    const result = await kubectl('--as=bob', 'exec', pod, '-n', 'shop', '--', 'echo', 'hi');

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `Error from server (Forbidden): pods "${pod}" is forbidden: User "bob" cannot create resource "pods/exec" in API group "" in the namespace "shop"`,
    );
  });

  it('answers the client library exec with its output and a Status on the status channel', async () => {
    await kubectl('run', 'clientexec', '--image=busybox', '--restart=Never', '--', 'sleep', '1h');
    await kubectl('wait', '--for=condition=Ready', 'pod/clientexec', '--timeout=20s');
    const config = new KubeConfig();
    config.loadFromFile(sandbox.kubeconfig);
    let out = '';
    const stdout = new Writable({
      write(chunk: Buffer, _encoding, done) {
        out += chunk.toString();
        done();
      },
    });

    const status = await new Promise<V1Status>((resolve, reject) => {
      new Exec(config)
        .exec(
          'default',
          'clientexec',
          'clientexec',
          ['sh', '-c', 'echo one; exit 3'],
          stdout,
          null,
          null,
          false,
          resolve,
        )
        .catch(reject);
    });

    expect(out).toBe('one\n');
    expect(status).toMatchObject({
      status: 'Failure',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
  });
});
