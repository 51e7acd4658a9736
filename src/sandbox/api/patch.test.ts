import { describe, expect, it } from 'vitest';
import { applyPatch, patchTypeOf } from './patch.ts';
import { schemaOf } from './schema/index.ts';
import { ApiError } from './store.ts';

/** The error `run` throws, so that its status and reason can be checked. */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, but nothing was thrown');
}

function deployment() {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web', tier: 'front' } },
    spec: {
      replicas: 2,
      template: {
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.27',
              args: ['--port', '8080'],
              env: [
                { name: 'MODE', value: 'prod' },
                { name: 'LOG', value: 'info' },
              ],
              ports: [{ containerPort: 8080, name: 'http' }],
              resources: { limits: { memory: '256Mi', cpu: '1' } },
            },
            { name: 'sidecar', image: 'envoy:1.31' },
          ],
          securityContext: { runAsNonRoot: true },
        },
      },
    },
  };
}

describe('merge patch (RFC 7386)', () => {
  it('merges nested objects and keeps what the patch leaves out', () => {
    const target = { metadata: { name: 'a', labels: { app: 'web' } }, spec: { replicas: 1 } };

    const out = applyPatch(target, { metadata: { labels: { team: 'pay' } } }, 'merge');

    expect(out).toEqual({
      metadata: { name: 'a', labels: { app: 'web', team: 'pay' } },
      spec: { replicas: 1 },
    });
  });

  it('deletes a key set to null, at any depth', () => {
    const target = { metadata: { labels: { app: 'web', old: 'x' } }, spec: { paused: true } };

    const out = applyPatch(target, { metadata: { labels: { old: null } }, spec: null }, 'merge');

    expect(out).toEqual({ metadata: { labels: { app: 'web' } } });
  });

  it('replaces lists whole, even lists of named things', () => {
    const out = applyPatch(
      deployment(),
      { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } } } },
      'merge',
    ) as ReturnType<typeof deployment>;

    expect(out.spec.template.spec.containers).toEqual([{ name: 'web', image: 'nginx:1.28' }]);
  });

  it('creates the objects a nested key needs', () => {
    const out = applyPatch(
      { metadata: { name: 'a' } },
      { spec: { strategy: { type: 'Recreate' } } },
      'merge',
    );

    expect(out).toEqual({ metadata: { name: 'a' }, spec: { strategy: { type: 'Recreate' } } });
  });

  it('leaves the target unchanged', () => {
    const target = deployment();

    applyPatch(target, { metadata: { labels: { app: null } }, spec: { replicas: 5 } }, 'merge');

    expect(target).toEqual(deployment());
  });

  it('refuses a patch that is not a JSON object with 400', () => {
    const error = thrown(() => applyPatch({}, [{ op: 'add' }], 'merge'));

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).reason).toBe('BadRequest');
  });
});

describe('JSON patch (RFC 6902)', () => {
  it('adds a key, inserts into a list at an index and appends with "-"', () => {
    const target = { metadata: { name: 'a' }, spec: { args: ['a', 'c'] } };

    const out = applyPatch(
      target,
      [
        { op: 'add', path: '/metadata/labels', value: { app: 'web' } },
        { op: 'add', path: '/spec/args/1', value: 'b' },
        { op: 'add', path: '/spec/args/-', value: 'd' },
      ],
      'json',
    );

    expect(out).toEqual({
      metadata: { name: 'a', labels: { app: 'web' } },
      spec: { args: ['a', 'b', 'c', 'd'] },
    });
  });

  it('replaces a value deep in a list of containers', () => {
    const out = applyPatch(
      deployment(),
      [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.28' }],
      'json',
    ) as ReturnType<typeof deployment>;

    expect(out.spec.template.spec.containers[0]?.image).toBe('nginx:1.28');
    expect(out.spec.template.spec.containers[1]?.image).toBe('envoy:1.31');
  });

  it('removes a key and a list element', () => {
    const target = {
      metadata: { labels: { app: 'web', old: 'x' } },
      spec: { args: ['a', 'b', 'c'] },
    };

    const out = applyPatch(
      target,
      [
        { op: 'remove', path: '/metadata/labels/old' },
        { op: 'remove', path: '/spec/args/1' },
      ],
      'json',
    );

    expect(out).toEqual({ metadata: { labels: { app: 'web' } }, spec: { args: ['a', 'c'] } });
  });

  it('moves and copies values', () => {
    const target = { metadata: { labels: { app: 'web' }, annotations: {} as object } };

    const out = applyPatch(
      target,
      [
        { op: 'copy', from: '/metadata/labels/app', path: '/metadata/annotations/copied' },
        { op: 'move', from: '/metadata/labels/app', path: '/metadata/labels/name' },
      ],
      'json',
    );

    expect(out).toEqual({
      metadata: { labels: { name: 'web' }, annotations: { copied: 'web' } },
    });
  });

  it('reads ~1 and ~0 in a path as "/" and "~"', () => {
    const target = { metadata: { annotations: { 'example.com/owner': 'a', 'x~y': 'b' } } };

    const out = applyPatch(
      target,
      [
        { op: 'replace', path: '/metadata/annotations/example.com~1owner', value: 'pay' },
        { op: 'remove', path: '/metadata/annotations/x~0y' },
      ],
      'json',
    );

    expect(out).toEqual({ metadata: { annotations: { 'example.com/owner': 'pay' } } });
  });

  it('applies the operations after a passing test operation', () => {
    const out = applyPatch(
      { spec: { replicas: 2 } },
      [
        { op: 'test', path: '/spec/replicas', value: 2 },
        { op: 'replace', path: '/spec/replicas', value: 3 },
      ],
      'json',
    );

    expect(out).toEqual({ spec: { replicas: 3 } });
  });

  it('fails a test operation whose value differs with 422, changing nothing', () => {
    const target = { spec: { replicas: 2 } };

    const error = thrown(() =>
      applyPatch(
        target,
        [
          { op: 'replace', path: '/spec/replicas', value: 9 },
          { op: 'test', path: '/spec/replicas', value: 2 },
        ],
        'json',
      ),
    );

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(422);
    expect((error as ApiError).message).toBe(
      'the server rejected our request due to an error in our request',
    );
    expect(target).toEqual({ spec: { replicas: 2 } });
  });

  it('compares objects in a test operation by their members, not their key order', () => {
    const target = { metadata: { labels: { app: 'web', tier: 'front' } }, spec: { replicas: 2 } };

    const out = applyPatch(
      target,
      [
        { op: 'test', path: '/metadata/labels', value: { tier: 'front', app: 'web' } },
        { op: 'replace', path: '/spec/replicas', value: 3 },
      ],
      'json',
    );

    expect(out).toEqual({ metadata: target.metadata, spec: { replicas: 3 } });
  });

  it.each([
    ['replace', { op: 'replace', path: '/spec/missing', value: 1 }],
    ['remove', { op: 'remove', path: '/metadata/labels/nope' }],
    ['add under a missing parent', { op: 'add', path: '/spec/a/b', value: 1 }],
    ['move from a missing path', { op: 'move', from: '/spec/nope', path: '/spec/x' }],
    ['remove past the end of a list', { op: 'remove', path: '/spec/args/5' }],
  ])('refuses %s of a path that does not exist with 422', (_, operation) => {
    const target = { metadata: { labels: {} }, spec: { args: ['a'] } };

    const error = thrown(() => applyPatch(target, [operation], 'json'));

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(422);
    expect((error as ApiError).reason).toBe('Invalid');
  });

  it.each([
    ['replace', { op: 'replace', path: '', value: '' }],
    ['add', { op: 'add', path: '', value: 7 }],
    ['remove', { op: 'remove', path: '' }],
    ['move', { op: 'move', from: '', path: '/spec' }],
  ])(
    'refuses to %s the whole document with the generic 422 (no container holds it)',
    (_, operation) => {
      const error = thrown(() => applyPatch({ spec: { args: ['a'] } }, [operation], 'json'));

      expect((error as ApiError).status).toBe(422);
      expect((error as ApiError).reason).toBe('Invalid');
      expect((error as ApiError).message).toBe(
        'the server rejected our request due to an error in our request',
      );
      expect((error as ApiError).details).toEqual({});
    },
  );

  it('refuses an insert index past the end of a list with 422', () => {
    const error = thrown(() =>
      applyPatch(
        { spec: { args: ['a'] } },
        [{ op: 'add', path: '/spec/args/3', value: 'x' }],
        'json',
      ),
    );

    expect((error as ApiError).status).toBe(422);
    expect((error as ApiError).message).toBe(
      'the server rejected our request due to an error in our request',
    );
  });

  it.each([
    ['a patch that is not a list', { op: 'add', path: '/a', value: 1 }],
    ['an operation without a path', [{ op: 'add', value: 1 }]],
    ['an unknown operation', [{ op: 'increment', path: '/spec/replicas' }]],
    ['a path without a leading slash', [{ op: 'add', path: 'spec/replicas', value: 1 }]],
  ])('refuses %s with 400', (_, patch) => {
    const error = thrown(() => applyPatch({ spec: { replicas: 1 } }, patch, 'json'));

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).reason).toBe('BadRequest');
  });

  it('leaves the target unchanged', () => {
    const target = deployment();

    applyPatch(
      target,
      [
        { op: 'remove', path: '/spec/template/spec/containers/1' },
        { op: 'add', path: '/spec/template/spec/containers/0/args/-', value: '--debug' },
      ],
      'json',
    );

    expect(target).toEqual(deployment());
  });
});

describe('strategic merge patch', () => {
  const containersOf = (object: unknown) =>
    (object as ReturnType<typeof deployment>).spec.template.spec.containers;

  it('merges containers by name, keeping the others and the fields left out', () => {
    const out = applyPatch(
      deployment(),
      {
        spec: {
          template: {
            spec: {
              containers: [{ name: 'web', resources: { limits: { memory: '512Mi' } } }],
            },
          },
        },
      },
      'strategic',
    );

    const [web, sidecar] = containersOf(out);
    expect(containersOf(out)).toHaveLength(2);
    expect(web?.image).toBe('nginx:1.27');
    expect(web?.resources).toEqual({ limits: { memory: '512Mi', cpu: '1' } });
    expect(sidecar).toEqual({ name: 'sidecar', image: 'envoy:1.31' });
  });

  it('appends a container whose name is new', () => {
    const out = applyPatch(
      deployment(),
      { spec: { template: { spec: { containers: [{ name: 'logs', image: 'fluent-bit:3' }] } } } },
      'strategic',
    );

    expect(containersOf(out).map((c) => c.name)).toEqual(['web', 'sidecar', 'logs']);
  });

  it('merges env by name: changes one variable, adds another, keeps the rest', () => {
    const out = applyPatch(
      deployment(),
      {
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: 'web',
                  env: [
                    { name: 'LOG', value: 'debug' },
                    { name: 'NEW', value: '1' },
                  ],
                },
              ],
            },
          },
        },
      },
      'strategic',
    );

    expect(containersOf(out)[0]?.env).toEqual([
      { name: 'MODE', value: 'prod' },
      { name: 'LOG', value: 'debug' },
      { name: 'NEW', value: '1' },
    ]);
  });

  it('merges ports by containerPort', () => {
    const out = applyPatch(
      deployment(),
      {
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: 'web',
                  ports: [
                    { containerPort: 8080, protocol: 'TCP' },
                    { containerPort: 9090, name: 'metrics' },
                  ],
                },
              ],
            },
          },
        },
      },
      'strategic',
    );

    expect(containersOf(out)[0]?.ports).toEqual([
      { containerPort: 8080, name: 'http', protocol: 'TCP' },
      { containerPort: 9090, name: 'metrics' },
    ]);
  });

  it('replaces lists that have no merge key', () => {
    const out = applyPatch(
      deployment(),
      { spec: { template: { spec: { containers: [{ name: 'web', args: ['--debug'] }] } } } },
      'strategic',
    );

    expect(containersOf(out)[0]?.args).toEqual(['--debug']);
  });

  it('removes a list element marked $patch: delete', () => {
    const out = applyPatch(
      deployment(),
      {
        spec: {
          template: {
            spec: {
              containers: [
                { name: 'sidecar', $patch: 'delete' },
                { name: 'web', env: [{ name: 'MODE', $patch: 'delete' }] },
              ],
            },
          },
        },
      },
      'strategic',
    );

    expect(containersOf(out).map((c) => c.name)).toEqual(['web']);
    expect(containersOf(out)[0]?.env).toEqual([{ name: 'LOG', value: 'info' }]);
  });

  it('removes a map marked $patch: delete', () => {
    const out = applyPatch(
      deployment(),
      { spec: { template: { spec: { securityContext: { $patch: 'delete' } } } } },
      'strategic',
    ) as ReturnType<typeof deployment>;

    expect(out.spec.template.spec).not.toHaveProperty('securityContext');
    expect(containersOf(out)).toHaveLength(2);
  });

  it('replaces a map marked $patch: replace instead of merging into it', () => {
    const out = applyPatch(
      deployment(),
      {
        spec: {
          template: {
            spec: {
              containers: [
                { name: 'web', resources: { $patch: 'replace', limits: { memory: '1Gi' } } },
              ],
            },
          },
        },
      },
      'strategic',
    );

    expect(containersOf(out)[0]?.resources).toEqual({ limits: { memory: '1Gi' } });
  });

  it('replaces a list that holds a $patch: replace element', () => {
    const out = applyPatch(
      deployment(),
      {
        spec: {
          template: {
            spec: {
              containers: [
                { name: 'web', env: [{ name: 'ONLY', value: '1' }, { $patch: 'replace' }] },
              ],
            },
          },
        },
      },
      'strategic',
    );

    expect(containersOf(out)[0]?.env).toEqual([{ name: 'ONLY', value: '1' }]);
  });

  it('follows $setElementOrder: merges by name, then orders the list as the patch gives it', () => {
    const out = applyPatch(
      deployment(),
      {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'web' }],
              containers: [{ name: 'web', image: 'nginx:1.28' }],
            },
          },
        },
      },
      'strategic',
    ) as ReturnType<typeof deployment>;

    expect(containersOf(out).map((c) => `${c.name}=${c.image}`)).toEqual([
      'sidecar=envoy:1.31',
      'web=nginx:1.28',
    ]);
    expect(Object.keys(out.spec.template.spec).filter((key) => key.startsWith('$'))).toEqual([]);
    expect(out.spec.template.spec.securityContext).toEqual({ runAsNonRoot: true });
  });

  it('removes values named by $deleteFromPrimitiveList', () => {
    const target = { metadata: { name: 'a', finalizers: ['a.io/x', 'b.io/y', 'c.io/z'] } };

    const out = applyPatch(
      target,
      { metadata: { '$deleteFromPrimitiveList/finalizers': ['b.io/y'] } },
      'strategic',
    );

    expect(out).toEqual({ metadata: { name: 'a', finalizers: ['a.io/x', 'c.io/z'] } });
  });

  it('merges metadata.ownerReferences by uid', () => {
    const owner = (uid: string) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: uid, uid });
    const target = { metadata: { name: 'p', ownerReferences: [owner('a')] } };

    const out = applyPatch(target, { metadata: { ownerReferences: [owner('b')] } }, 'strategic');

    expect(out).toEqual({ metadata: { name: 'p', ownerReferences: [owner('a'), owner('b')] } });
  });

  it('deletes a key set to null and merges plain maps', () => {
    const out = applyPatch(
      deployment(),
      { metadata: { labels: { tier: null, team: 'web' } }, spec: { replicas: 4 } },
      'strategic',
    ) as ReturnType<typeof deployment>;

    expect(out.metadata.labels).toEqual({ app: 'web', team: 'web' });
    expect(out.spec.replicas).toBe(4);
  });

  it('leaves the target unchanged', () => {
    const target = deployment();

    applyPatch(
      target,
      {
        spec: {
          template: {
            spec: {
              containers: [
                { name: 'web', env: [{ name: 'LOG', value: 'debug' }], image: 'nginx:2' },
                { name: 'sidecar', $patch: 'delete' },
              ],
            },
          },
        },
      },
      'strategic',
    );

    expect(target).toEqual(deployment());
  });

  it('refuses a patch that is not a JSON object with 400', () => {
    const error = thrown(() => applyPatch(deployment(), 'replicas: 3', 'strategic'));

    expect((error as ApiError).status).toBe(400);
  });
});

describe("strategic merge patch by the schema's patch strategies", () => {
  const deployments = schemaOf('apps/v1', 'Deployment');
  const services = schemaOf('v1', 'Service');
  const nodes = schemaOf('v1', 'Node');
  const podSpecPatch = (spec: object) => ({ spec: { template: { spec } } });

  it("merges a Service's ports by port, not by containerPort", () => {
    const service = {
      spec: {
        ports: [
          { name: 'http', port: 80, targetPort: 8080 },
          { name: 'metrics', port: 9090, targetPort: 9090 },
        ],
      },
    };

    const out = applyPatch(
      service,
      { spec: { ports: [{ port: 80, targetPort: 8081 }] } },
      'strategic',
      services,
    ) as typeof service;

    expect(out.spec.ports).toEqual([
      { name: 'http', port: 80, targetPort: 8081 },
      { name: 'metrics', port: 9090, targetPort: 9090 },
    ]);
  });

  it('replaces tolerations, which have no merge key', () => {
    const target = podSpecPatch({
      tolerations: [
        { key: 'a', operator: 'Exists' },
        { key: 'b', operator: 'Exists' },
      ],
    });

    const out = applyPatch(
      target,
      podSpecPatch({ tolerations: [{ key: 'a', operator: 'Equal', value: 'x' }] }),
      'strategic',
      deployments,
    );

    expect(out).toEqual(
      podSpecPatch({ tolerations: [{ key: 'a', operator: 'Equal', value: 'x' }] }),
    );
  });

  it("replaces a node's taints, which have no merge key", () => {
    const node = { spec: { taints: [{ key: 'a', effect: 'NoSchedule' }] } };

    const out = applyPatch(
      node,
      { spec: { taints: [{ key: 'b', effect: 'NoExecute' }] } },
      'strategic',
      nodes,
    );

    expect(out).toEqual({ spec: { taints: [{ key: 'b', effect: 'NoExecute' }] } });
  });

  it('merges volumeMounts by mountPath and volumes by name', () => {
    const target = podSpecPatch({
      volumes: [{ name: 'data', emptyDir: {} }],
      containers: [{ name: 'web', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
    });

    const out = applyPatch(
      target,
      podSpecPatch({
        volumes: [{ name: 'cache', emptyDir: {} }],
        containers: [{ name: 'web', volumeMounts: [{ name: 'cache', mountPath: '/data' }] }],
      }),
      'strategic',
      deployments,
    );

    expect(out).toEqual(
      podSpecPatch({
        volumes: [
          { name: 'data', emptyDir: {} },
          { name: 'cache', emptyDir: {} },
        ],
        containers: [{ name: 'web', volumeMounts: [{ name: 'cache', mountPath: '/data' }] }],
      }),
    );
  });

  it('adds to metadata.finalizers as a set, since their strategy is merge', () => {
    const target = { metadata: { name: 'a', finalizers: ['a.io/x'] } };

    const out = applyPatch(
      target,
      { metadata: { finalizers: ['b.io/y', 'a.io/x'] } },
      'strategic',
      deployments,
    );

    expect(out).toEqual({ metadata: { name: 'a', finalizers: ['a.io/x', 'b.io/y'] } });
  });

  it('clears the fields $retainKeys does not list', () => {
    const target = {
      spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%' } } },
    };

    const out = applyPatch(
      target,
      { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
      'strategic',
      deployments,
    );

    expect(out).toEqual({ spec: { strategy: { type: 'Recreate' } } });
  });

  it('merges the env of a container it adds by the schema, leaving no directive behind', () => {
    const out = applyPatch(
      podSpecPatch({ containers: [] }),
      podSpecPatch({ containers: [{ name: 'new', env: [{ name: 'A', $patch: 'delete' }] }] }),
      'strategic',
      deployments,
    );

    expect(out).toEqual(podSpecPatch({ containers: [{ name: 'new', env: [] }] }));
  });
});

describe('patchTypeOf', () => {
  it.each([
    ['application/merge-patch+json', 'merge'],
    ['application/json-patch+json', 'json'],
    ['application/strategic-merge-patch+json', 'strategic'],
    ['application/strategic-merge-patch+json; charset=utf-8', 'strategic'],
    ['application/merge-patch+json;charset=UTF-8', 'merge'],
  ])('reads %s as %s', (contentType, type) => {
    expect(patchTypeOf(contentType)).toBe(type);
  });

  it.each([
    ['application/json'],
    ['application/apply-patch+yaml'],
    ['text/plain'],
    [''],
    [undefined],
  ])('knows no patch type for %s', (contentType) => {
    expect(patchTypeOf(contentType)).toBeUndefined();
  });
});

describe('keys named like Object.prototype', () => {
  it('never reach the prototype every object shares, through any patch type', () => {
    const current = { metadata: { name: 'x' }, data: { a: '1' } };

    const into = () =>
      applyPatch(current, [{ op: 'add', path: '/__proto__/polluted', value: 'y' }], 'json');
    const json = applyPatch(
      current,
      [{ op: 'add', path: '/__proto__', value: { polluted: 'y' } }],
      'json',
    );
    const merge = applyPatch(current, JSON.parse('{"__proto__":{"polluted":"y"}}'), 'merge');
    const strategic = applyPatch(
      current,
      JSON.parse('{"data":{"__proto__":{"polluted":"y"}}}'),
      'strategic',
    );

    expect(into).toThrow('the server rejected our request due to an error in our request');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(json)).toBe(Object.prototype);
    expect(Object.hasOwn(json as object, '__proto__')).toBe(true);
    expect(Object.hasOwn(merge as object, '__proto__')).toBe(true);
    expect(Object.hasOwn((strategic as { data: object }).data, '__proto__')).toBe(true);
  });
});
