import { describe, expect, it } from 'vitest';
import { findResource, type ResourceType } from './catalog.ts';
import type { KObject } from './store.ts';
import { fieldProblems } from './validate-fields.ts';

const type = (group: string, version: string, plural: string) =>
  findResource(group, version, plural) as ResourceType;

function object(kind: string, extra: Record<string, unknown>): KObject {
  return { apiVersion: 'v1', kind, metadata: { name: 'x' }, ...extra } as KObject;
}

describe('the API server field checks', () => {
  it('refuses label keys and values a real cluster refuses, and takes the ordinary ones', () => {
    const bad = object('ConfigMap', {});
    bad.metadata.labels = { 'a b': 'x', app: 'v'.repeat(64), 'example.com/team': 'pay ments' };
    const good = object('ConfigMap', {});
    good.metadata.labels = { 'app.kubernetes.io/name': 'cart', tier: '', 'a_b.c-d': 'v1.2_x' };

    const problems = fieldProblems(type('', 'v1', 'configmaps'), bad);

    expect(problems).toHaveLength(3);
    expect(problems[0]).toContain('metadata.labels: Invalid value: "a b": name part must consist');
    expect(problems[1]).toContain('must be no more than 63 characters');
    expect(problems[2]).toContain('"pay ments": a valid label must be an empty string');
    expect(fieldProblems(type('', 'v1', 'configmaps'), good)).toEqual([]);
  });

  it('refuses a second container of the same name and ports out of range', () => {
    const pod = object('Pod', {
      spec: {
        containers: [
          { name: 'app', image: 'a', ports: [{ containerPort: 70000 }] },
          { name: 'app', image: 'b' },
        ],
      },
    });
    const service = object('Service', { spec: { ports: [{ port: 80 }, { port: 99999 }] } });

    expect(fieldProblems(type('', 'v1', 'pods'), pod)).toEqual([
      'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[1].name: Duplicate value: "app"',
    ]);
    expect(fieldProblems(type('', 'v1', 'services'), service)).toEqual([
      'spec.ports[1].port: Invalid value: 99999: must be between 1 and 65535, inclusive',
    ]);
  });

  it('refuses ConfigMap keys outside the allowed characters and data over 1 MiB', () => {
    const keys = object('ConfigMap', { data: { 'a/b': '1', 'ok.key_1-x': '2' } });
    const big = object('ConfigMap', { data: { big: 'x'.repeat(1024 * 1024) } });

    expect(fieldProblems(type('', 'v1', 'configmaps'), keys)).toEqual([
      expect.stringContaining('data[a/b]: Invalid value: "a/b": a valid config key'),
    ]);
    expect(fieldProblems(type('', 'v1', 'configmaps'), big)).toEqual([
      '[]: Too long: must have at most 1048576 bytes',
    ]);
  });
});

describe('the zero structs that null list items decode to', () => {
  const pods = type('', 'v1', 'pods');

  it('refuses a null port, env entry and volume mount with what the server says of each', () => {
    const pod = object('Pod', {
      spec: {
        containers: [{ name: 'app', image: 'a', ports: [{}], env: [{}], volumeMounts: [{}] }],
      },
    });

    expect(fieldProblems(pods, pod)).toEqual([
      'spec.containers[0].ports[0].containerPort: Required value',
      'spec.containers[0].env[0].name: Required value',
      'spec.containers[0].env[0].name: Invalid value: "": environment variable name must be non-empty',
      'spec.containers[0].volumeMounts[0].name: Required value',
      'spec.containers[0].volumeMounts[0].name: Not found: ""',
      'spec.containers[0].volumeMounts[0].mountPath: Required value',
    ]);
  });

  it('refuses a null volume for its missing source and name, in a template too', () => {
    const deployments = type('apps', 'v1', 'deployments');
    const deployment = object('Deployment', {
      spec: { template: { spec: { containers: [{ name: 'a', image: 'a' }], volumes: [{}] } } },
    });

    expect(fieldProblems(deployments, deployment)).toEqual([
      'spec.template.spec.volumes[0]: Required value: must specify a volume type',
      'spec.template.spec.volumes[0].name: Required value',
    ]);
  });

  it('takes a mount of a volume the pod declares', () => {
    const pod = object('Pod', {
      spec: {
        containers: [
          {
            name: 'app',
            image: 'a',
            ports: [{ containerPort: 80 }],
            env: [{ name: 'A' }],
            volumeMounts: [{ name: 'v', mountPath: '/v' }],
          },
        ],
        volumes: [{ name: 'v', emptyDir: {} }],
      },
    });

    expect(fieldProblems(pods, pod)).toEqual([]);
  });
});
