import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeObject, WireFormatError } from './decode-object.ts';

/** Bodies captured from kubectl 1.32's typed clients, decoded into what their JSON would say. */
const FIXTURES = join(import.meta.dirname, '../../../../test/fixtures/sandbox');

function fixture(name: string): Buffer {
  return readFileSync(join(FIXTURES, name));
}

/** A tiny encoder for hand-made messages: tag, then a varint or length-delimited bytes. */
function varint(value: bigint): number[] {
  let v = BigInt.asUintN(64, value);
  const out: number[] = [];
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v === 0n ? byte : byte | 0x80);
  } while (v !== 0n);
  return out;
}
function num(field: number, value: bigint): number[] {
  return [...varint(BigInt(field << 3)), ...varint(value)];
}
function bytes(field: number, value: number[] | string): number[] {
  const data = typeof value === 'string' ? [...Buffer.from(value)] : value;
  return [...varint(BigInt((field << 3) | 2)), ...varint(BigInt(data.length)), ...data];
}
function envelope(apiVersion: string, kind: string, raw: number[]): Buffer {
  const typeMeta = [...bytes(1, apiVersion), ...bytes(2, kind)];
  return Buffer.from([0x6b, 0x38, 0x73, 0x00, ...bytes(1, typeMeta), ...bytes(2, raw)]);
}

describe('decodeObject', () => {
  it('decodes kubectl create namespace', () => {
    expect(decodeObject(fixture('create-namespace.pb'))).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'x1' },
      spec: {},
    });
  });

  it('decodes kubectl create deployment with its pod template', () => {
    const object = decodeObject(fixture('create-deployment.pb'));

    expect(object).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd1', labels: { app: 'd1' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'd1' } },
        template: {
          metadata: { labels: { app: 'd1' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx', resources: {} }] },
        },
        strategy: {},
      },
    });
  });

  it('decodes a secret’s data as base64, as in JSON', () => {
    const object = decodeObject(fixture('create-secret.pb'));

    expect(object.data).toEqual({ a: Buffer.from('b').toString('base64') });
    expect(object.kind).toBe('Secret');
  });

  it('decodes config maps, jobs and access reviews', () => {
    expect(decodeObject(fixture('create-configmap.pb')).data).toEqual({ a: 'b' });
    expect(decodeObject(fixture('create-job.pb')).spec).toEqual({
      template: {
        metadata: {},
        spec: {
          containers: [{ name: 'j1', image: 'busybox', resources: {} }],
          restartPolicy: 'Never',
        },
      },
    });
    expect(decodeObject(fixture('self-subject-access-review.pb')).spec).toEqual({
      resourceAttributes: { namespace: 'default', verb: 'create', resource: 'pods' },
    });
  });

  it('decodes the DeleteOptions kubectl drain sends with each pod deletion', () => {
    expect(decodeObject(fixture('drain-delete-options.pb'))).toEqual({
      apiVersion: 'v1',
      kind: 'DeleteOptions',
    });
  });

  it('keeps a zero set through a pointer and drops zeros the encoder writes for unset fields', () => {
    const spec = [...num(1, 0n), ...num(5, 0n)]; // replicas (*int32) 0, minReadySeconds 0
    const body = envelope('apps/v1', 'Deployment', [
      ...bytes(1, bytes(1, 'web')),
      ...bytes(2, spec),
    ]);

    expect(decodeObject(body).spec).toEqual({ replicas: 0 });
  });

  it('reads negative numbers, int-or-strings and quantities', () => {
    const port = [
      ...bytes(1, 'http'),
      ...num(3, 80n),
      ...bytes(4, [...num(1, 1n), ...bytes(3, 'web')]),
    ];
    const service = envelope('v1', 'Service', [...bytes(2, bytes(1, port))]);
    const probe = [...num(4, -1n)]; // periodSeconds, sign-extended
    const limits = bytes(1, [...bytes(1, 'memory'), ...bytes(2, bytes(1, '64Mi'))]);
    const container = [...bytes(1, 'app'), ...bytes(8, limits), ...bytes(10, probe)];
    const pod = envelope('v1', 'Pod', [...bytes(2, bytes(2, container))]);

    expect(decodeObject(service).spec).toEqual({
      ports: [{ name: 'http', port: 80, targetPort: 'web' }],
    });
    expect(decodeObject(pod).spec).toEqual({
      containers: [
        {
          name: 'app',
          resources: { limits: { memory: '64Mi' } },
          livenessProbe: { periodSeconds: -1 },
        },
      ],
    });
  });

  it('refuses a body without the magic number or of a kind it has no table for', () => {
    expect(() => decodeObject(Buffer.from('{"kind":"Pod"}'))).toThrow(WireFormatError);
    expect(() => decodeObject(envelope('example.com/v1', 'Widget', []))).toThrow(
      /no protobuf decoding for example.com\/v1, Kind=Widget/,
    );
  });
});

describe('map keys', () => {
  it('keeps a data key __proto__ as an own key, touching no prototype', () => {
    const entry = [...bytes(1, '__proto__'), ...bytes(2, 'lit')];
    const configMap = [...bytes(1, bytes(1, 'c')), ...bytes(2, entry)];

    const object = decodeObject(envelope('v1', 'ConfigMap', configMap)) as { data: object };

    expect(Object.hasOwn(object.data, '__proto__')).toBe(true);
    expect(JSON.stringify(object.data)).toBe('{"__proto__":"lit"}');
    expect(Object.getPrototypeOf(object.data)).toBe(Object.prototype);
  });
});
