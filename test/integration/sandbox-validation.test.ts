import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runKubectl } from '../support/kubectl.ts';
import { useSandbox } from '../support/sandbox.ts';

/**
 * Bad input against the sandbox, seen as a user of the real kubectl sees it and as a client
 * reading the API's `Status` sees it: the refusals and warnings a real API server gives.
 */
const sandbox = useSandbox(['healthy']);
const cacheDir = mkdtempSync(join(tmpdir(), 'coxswain-kubectl-cache-'));

afterAll(() => {
  rmSync(cacheDir, { recursive: true, force: true });
});

function kubectl(args: string[], input?: string) {
  return runKubectl({ kubeconfig: sandbox.kubeconfig, cacheDir }, args, input, {
    timeoutMs: 15_000,
  });
}

/** A raw API call, for what kubectl does not show: the `Status` and the headers. */
async function api(method: string, path: string, body?: unknown, contentType = 'application/json') {
  const response = await fetch(`${sandbox.sandbox.url}${path}`, {
    method,
    headers: { 'content-type': contentType },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: response.status,
    warning: response.headers.get('warning'),
    body: (await response.json()) as Record<string, unknown>,
  };
}

function deploymentYaml(name: string, extra = '', replicas = '1'): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: default }
spec:
  replicas: ${replicas}
${extra}  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers:
        - { name: web, image: "nginx:1.27" }
`;
}

describe('unknown fields and wrong types, through kubectl', () => {
  it('refuses an unknown field with the strict decoding error (kubectl validates strictly by default)', async () => {
    const result = await kubectl(['apply', '-f', '-'], deploymentYaml('strict', '  foo: bar\n'));

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"',
    );
    expect((await kubectl(['get', 'deploy', 'strict'])).code).toBe(1);
  });

  it('creates with a warning under --validate=warn, and stores no unknown field', async () => {
    const result = await kubectl(
      ['apply', '--validate=warn', '-f', '-'],
      deploymentYaml('warned', '  foo: bar\n'),
    );
    const stored = await kubectl(['get', 'deploy', 'warned', '-o', 'json']);

    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Warning: unknown field "spec.foo"');
    expect(JSON.parse(stored.stdout).spec).not.toHaveProperty('foo');
  });

  it('creates silently under --validate=false, dropping the unknown field', async () => {
    const result = await kubectl(
      ['apply', '--validate=false', '-f', '-'],
      deploymentYaml('ignored', '  foo: bar\n'),
    );
    const stored = await kubectl(['get', 'deploy', 'ignored', '-o', 'json']);

    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(JSON.parse(stored.stdout).spec).not.toHaveProperty('foo');
  });

  it('refuses an unknown field added by an apply to an existing object', async () => {
    await kubectl(['apply', '-f', '-'], deploymentYaml('patched'));

    const result = await kubectl(['apply', '-f', '-'], deploymentYaml('patched', '  bar: 1\n'));

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('strict decoding error: unknown field "spec.bar"');
  });

  it("refuses replicas given as a word with the decoder's message", async () => {
    const result = await kubectl(['apply', '-f', '-'], deploymentYaml('typed', '', 'two'));

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
    );
  });

  it('refuses a patch that gives replicas a string, quoting the patch', async () => {
    await kubectl(['apply', '-f', '-'], deploymentYaml('patch-typed'));

    const result = await kubectl([
      'patch',
      'deploy',
      'patch-typed',
      '-p',
      '{"spec":{"replicas":"two"}}',
    ]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'The request is invalid: patch: Invalid value: "map[spec:map[replicas:two]]": unrecognized type: int32',
    );
  });
});

describe('unknown fields and wrong types, through the API', () => {
  const deployment = (spec: Record<string, unknown>) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'raw' },
    spec: {
      selector: { matchLabels: { app: 'raw' } },
      template: {
        metadata: { labels: { app: 'raw' } },
        spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
      },
      ...spec,
    },
  });

  it('answers a string selector with 400 BadRequest', async () => {
    const result = await api(
      'POST',
      '/apis/apps/v1/namespaces/default/deployments',
      deployment({ selector: 'app=raw' }),
    );

    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({
      kind: 'Status',
      reason: 'BadRequest',
      message:
        'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.selector of type v1.LabelSelector',
    });
  });

  it('warns by default (no fieldValidation) with a 299 Warning header', async () => {
    const result = await api(
      'POST',
      '/apis/apps/v1/namespaces/default/deployments',
      deployment({ foo: 1 }),
    );

    expect(result.status).toBe(201);
    expect(result.warning).toBe('299 - "unknown field \\"spec.foo\\""');
  });

  it('answers an invalid object with 422 and its causes', async () => {
    const result = await api(
      'POST',
      '/apis/apps/v1/namespaces/default/deployments?fieldValidation=Strict',
      { ...deployment({ replicas: -1 }), metadata: { name: 'negative' } },
    );

    expect(result.status).toBe(422);
    expect(result.body.details).toMatchObject({
      causes: [
        {
          reason: 'FieldValueInvalid',
          field: 'spec.replicas',
          message: 'Invalid value: -1: must be greater than or equal to 0',
        },
      ],
    });
  });
});

describe('field selectors', () => {
  it('refuses a field pods do not support', async () => {
    const result = await kubectl(['get', 'pods', '--field-selector', 'spec.foo=x']);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('field label not supported: spec.foo');
  });

  it('refuses on deployments anything but the name and namespace', async () => {
    const result = await kubectl(['get', 'deploy', '--field-selector', 'spec.replicas=1']);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      '"spec.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"',
    );
  });

  it('selects nodes by spec.unschedulable', async () => {
    const result = await kubectl([
      'get',
      'nodes',
      '--field-selector',
      'spec.unschedulable=false',
      '-o',
      'name',
    ]);

    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(4);
  });
});

describe('status and spec through their own endpoints', () => {
  it('ignores a status sent to the main resource and a spec sent to status', async () => {
    await kubectl(['apply', '-f', '-'], deploymentYaml('split'));
    const path = '/apis/apps/v1/namespaces/default/deployments/split';
    const before = (await api('GET', path)).body as {
      metadata: { generation: number };
      spec: { replicas: number };
    };

    const main = await api(
      'PATCH',
      path,
      { status: { replicas: 42 }, spec: { replicas: 3 } },
      'application/merge-patch+json',
    );
    const status = await api(
      'PATCH',
      `${path}/status`,
      { status: { observedGeneration: 99 }, spec: { replicas: 7 } },
      'application/merge-patch+json',
    );

    expect(main.status).toBe(200);
    expect(main.body).toMatchObject({
      spec: { replicas: 3 },
      metadata: { generation: before.metadata.generation + 1 },
    });
    expect((main.body.status as { replicas?: number } | undefined)?.replicas).not.toBe(42);
    expect(status.body).toMatchObject({
      spec: { replicas: 3 },
      status: { observedGeneration: 99 },
    });
    expect((status.body.metadata as { generation: number }).generation).toBe(
      before.metadata.generation + 1,
    );
  });
});

describe('secrets', () => {
  it('folds stringData into base64 data and does not store it', async () => {
    const result = await kubectl(
      ['apply', '-f', '-'],
      'apiVersion: v1\nkind: Secret\nmetadata: { name: folded, namespace: default }\nstringData: { password: hunter2 }\n',
    );
    const stored = JSON.parse((await kubectl(['get', 'secret', 'folded', '-o', 'json'])).stdout);

    expect(result.code).toBe(0);
    expect(stored.data).toEqual({ password: Buffer.from('hunter2').toString('base64') });
    expect(stored).not.toHaveProperty('stringData');
  });

  it('refuses data that is not base64', async () => {
    const result = await kubectl(
      ['apply', '-f', '-'],
      'apiVersion: v1\nkind: Secret\nmetadata: { name: corrupt, namespace: default }\ndata: { password: "aGVsbG8" }\n',
    );

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 4',
    );
  });
});

describe('nodes and pod addresses', () => {
  it('gives nodes their standard labels and the control plane its role', async () => {
    const nodes = JSON.parse((await kubectl(['get', 'nodes', '-o', 'json'])).stdout) as {
      items: { metadata: { name: string; labels: Record<string, string> } }[];
    };

    for (const node of nodes.items) {
      expect(node.metadata.labels).toMatchObject({
        'kubernetes.io/hostname': node.metadata.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
      });
      expect(node.metadata.labels['topology.kubernetes.io/zone']).toBeDefined();
    }
    const roles = nodes.items.filter(
      (n) => 'node-role.kubernetes.io/control-plane' in n.metadata.labels,
    );
    expect(roles.map((n) => n.metadata.name)).toEqual(['sandbox-control-plane']);
  });

  it("gives every pod a distinct address in its node's pod range", async () => {
    const nodes = JSON.parse((await kubectl(['get', 'nodes', '-o', 'json'])).stdout) as {
      items: { metadata: { name: string }; spec: { podCIDR: string } }[];
    };
    const pods = JSON.parse((await kubectl(['get', 'pods', '-A', '-o', 'json'])).stdout) as {
      items: { spec: { nodeName?: string }; status: { podIP?: string } }[];
    };
    const ranges = new Map(nodes.items.map((n) => [n.metadata.name, n.spec.podCIDR]));

    const placed = pods.items.filter((p) => p.status.podIP !== undefined);
    expect(placed.length).toBeGreaterThan(3);
    for (const pod of placed) {
      const range = ranges.get(pod.spec.nodeName ?? '') ?? '';
      expect(pod.status.podIP?.startsWith(range.replace(/0\/24$/, ''))).toBe(true);
    }
    const ips = placed.map((p) => p.status.podIP);
    expect(new Set(ips).size).toBe(ips.length);
  });
});
