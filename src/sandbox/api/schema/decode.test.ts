import { describe, expect, it } from 'vitest';
import { DecodeError, decode } from './decode.ts';
import { schemaOf } from './index.ts';

/** The decoding error `run` throws, so that its message can be checked. */
function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof DecodeError) return error.message;
    throw error;
  }
  throw new Error('expected a decoding error, but nothing was thrown');
}

const deployments = schemaOf('apps/v1', 'Deployment');
const pods = schemaOf('v1', 'Pod');
const secrets = schemaOf('v1', 'Secret');
if (deployments === undefined || pods === undefined || secrets === undefined)
  throw new Error('the served kinds need schemas');

function deployment(spec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }],
        },
      },
      ...spec,
    },
  };
}

function podTemplate(containers: unknown) {
  return deployment({
    template: { metadata: { labels: { app: 'web' } }, spec: { containers } },
  });
}

describe('decode: wrong JSON types, worded as the Go decoder words them', () => {
  it.each([
    [
      'a string selector',
      deployment({ selector: 'app=web' }),
      'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.selector of type v1.LabelSelector',
    ],
    [
      'replicas as a word',
      deployment({ replicas: 'two' }),
      'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
    ],
    [
      'a fractional replica count',
      deployment({ replicas: 1.5 }),
      'json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32',
    ],
    [
      'containers as an object',
      podTemplate({ name: 'web', image: 'nginx' }),
      'json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container',
    ],
    [
      'a containerPort as a string',
      podTemplate([{ name: 'web', image: 'nginx', ports: [{ containerPort: '80' }] }]),
      'json: cannot unmarshal string into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32',
    ],
    [
      'ports as an object',
      podTemplate([{ name: 'web', image: 'nginx', ports: { containerPort: 80 } }]),
      'json: cannot unmarshal object into Go struct field Container.spec.template.spec.containers.ports of type []v1.ContainerPort',
    ],
    [
      'status.conditions as an object',
      { ...deployment(), status: { conditions: { type: 'Available' } } },
      'json: cannot unmarshal object into Go struct field DeploymentStatus.status.conditions of type []v1.DeploymentCondition',
    ],
  ])('refuses %s', (_, body, message) => {
    expect(failure(() => decode(deployments, body))).toBe(message);
  });

  it('refuses a label value that is not a string', () => {
    const body = { ...deployment(), metadata: { name: 'web', labels: { tier: 1 } } };

    expect(failure(() => decode(deployments, body))).toBe(
      'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string',
    );
  });

  it("refuses a quantity that is not one, with the quantity parser's message", () => {
    const body = podTemplate([
      { name: 'web', image: 'nginx', resources: { limits: { memory: '1 gigabyte' } } },
    ]);

    expect(failure(() => decode(deployments, body))).toMatch(/^quantities must match/);
  });

  it('accepts quantities as strings or numbers and int-or-strings as either', () => {
    const body = deployment({
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } },
      template: {
        spec: {
          containers: [
            { name: 'web', image: 'nginx', resources: { limits: { cpu: 0.5, memory: '1Gi' } } },
          ],
        },
      },
    });

    expect(decode(deployments, body).unknown).toEqual([]);
  });

  it.each([
    ['abc', 0],
    ['abcd!', 4],
    ['ab=d', 2],
    ['abcdefg', 4],
  ])('refuses secret data %s as base64 corrupt at byte %d', (value, at) => {
    const body = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: value } };

    expect(failure(() => decode(secrets, body))).toBe(`illegal base64 data at input byte ${at}`);
  });

  it('accepts padded and unpadded-length base64 secret data', () => {
    const body = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { a: 'aGVsbG8=', b: 'aGk=', c: 'aGV5' },
    };

    expect(decode(secrets, body).value.data).toEqual({ a: 'aGVsbG8=', b: 'aGk=', c: 'aGV5' });
  });
});

describe('decode: unknown fields', () => {
  it('reports them by path with list indices, in the order sent, and drops them', () => {
    const body = {
      ...podTemplate([{ name: 'web', image: 'nginx', limits: { cpu: '1' } }]),
      spec: {
        ...podTemplate([{ name: 'web', image: 'nginx', limits: { cpu: '1' } }]).spec,
        foo: 1,
      },
    };

    const { value, unknown } = decode(deployments, body);

    expect(unknown).toEqual(['spec.template.spec.containers[0].limits', 'spec.foo']);
    expect(JSON.stringify(value)).not.toMatch(/"limits"|"foo"/);
  });

  it('keeps whatever is inside an open object (affinity, volume sources)', () => {
    const body = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: {
        containers: [{ name: 'c', image: 'busybox' }],
        affinity: { nodeAffinity: { anything: { goes: true } } },
        volumes: [{ name: 'v', configMap: { name: 'cm', whatever: 1 } }],
      },
    };

    const { value, unknown } = decode(pods, body);

    expect(unknown).toEqual([]);
    expect(value).toEqual(body);
  });

  it('drops nulls, as Go leaves such fields at their zero value', () => {
    const body = { ...deployment(), metadata: { name: 'web', creationTimestamp: null } };

    expect(decode(deployments, body).value.metadata).toEqual({ name: 'web' });
  });
});
