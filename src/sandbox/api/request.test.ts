import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { findResource, type ResourceType } from './catalog.ts';
import { checkName, objectFromBody, readBody, type Target } from './request.ts';
import { ApiError, type KObject } from './store.ts';

const target = (group: string, version: string, plural: string): Target => ({
  type: findResource(group, version, plural) as ResourceType,
  namespace: 'x',
  name: undefined,
  sub: undefined,
});

function request(body: Buffer | string, contentType: string): IncomingMessage {
  const stream = Readable.from([Buffer.from(body)]) as unknown as IncomingMessage;
  stream.headers = { 'content-type': contentType };
  return stream;
}

async function refusal(run: () => unknown): Promise<ApiError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('nothing was thrown');
}

describe('a body of another kind than the URL names', () => {
  it('is refused as the decoder fails to convert it, with 400', async () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } };
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } };

    const toConfigMaps = await refusal(() =>
      objectFromBody(secret, target('', 'v1', 'configmaps')),
    );
    const toDeployments = await refusal(() =>
      objectFromBody(pod, target('apps', 'v1', 'deployments')),
    );

    expect([toConfigMaps.status, toConfigMaps.reason]).toEqual([400, 'BadRequest']);
    expect(toConfigMaps.message).toBe(
      'Secret in version "v1" cannot be handled as a ConfigMap: converting (v1.Secret) to (core.ConfigMap): unknown conversion',
    );
    expect(toDeployments.message).toBe(
      'Pod in version "v1" cannot be handled as a Deployment: converting (v1.Pod) to (apps.Deployment): unknown conversion',
    );
  });

  it('names a kind no version registers', async () => {
    const error = await refusal(() =>
      objectFromBody({ kind: 'Gizmo', metadata: { name: 'g' } }, target('', 'v1', 'configmaps')),
    );

    expect(error.message).toBe(
      'Gizmo in version "v1" cannot be handled as a ConfigMap: no kind "Gizmo" is registered for version "v1" in scheme "k8s.io/kubernetes/pkg/api/legacyscheme/scheme.go:30"',
    );
  });

  it("takes a body without a kind, or of the URL's kind", () => {
    const plain = objectFromBody({ metadata: { name: 'c' } }, target('', 'v1', 'configmaps'));

    expect(plain.kind).toBe('ConfigMap');
    expect(() =>
      objectFromBody(
        { kind: 'ConfigMap', metadata: { name: 'c' } },
        target('', 'v1', 'configmaps'),
      ),
    ).not.toThrow();
  });
});

describe('checkName', () => {
  const object = (metadata: unknown) => ({ metadata }) as KObject;

  it('refuses an object left without a name, or with another name or namespace', async () => {
    const none = await refusal(() => checkName(object(undefined), 'web', 'x'));
    const other = await refusal(() => checkName(object({ name: 'api' }), 'web', 'x'));
    const elsewhere = await refusal(() =>
      checkName(object({ name: 'web', namespace: 'y' }), 'web', 'x'),
    );

    expect(none.message).toBe(
      'the name of the object (web based on URL) was undeterminable: name must be provided',
    );
    expect(other.message).toBe(
      'the name of the object (api) does not match the name on the URL (web)',
    );
    expect(elsewhere.message).toBe(
      'the namespace of the object (y) does not match the namespace on the request (x)',
    );
    expect(none.status).toBe(400);
  });
});

describe('readBody', () => {
  it('refuses protobuf that does not decode with 400, summarising the bytes', async () => {
    const error = await refusal(() =>
      readBody(request('garbage', 'application/vnd.kubernetes.protobuf'), false, 'ConfigMap'),
    );

    expect([error.status, error.reason]).toEqual([400, 'BadRequest']);
    expect(error.message).toBe(
      'the object provided is unrecognized (must be of type ConfigMap): provided data does not appear to be a protobuf message, expected prefix [107 56 115 0] (67617262616765)',
    );
  });

  it('names the kind of a protobuf envelope whose object does not decode', async () => {
    const meta = Buffer.from([0x0a, 0x02, 0x76, 0x31, 0x12, 0x03, 0x50, 0x6f, 0x64]);
    const raw = Buffer.from([0x0a, 0x05, 0x0a]);
    const body = Buffer.concat([
      Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x0a, meta.length]),
      meta,
      Buffer.from([0x12, raw.length]),
      raw,
    ]);

    const error = await refusal(() =>
      readBody(request(body, 'application/vnd.kubernetes.protobuf'), false, 'Pod'),
    );

    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^Pod in version "v1" cannot be handled as a Pod: /);
  });

  it('reads a lone surrogate escape as U+FFFD', async () => {
    const body = await readBody(request('{"data":{"k":"\\ud800"}}', 'application/json'));

    expect(body).toEqual({ data: { k: '\ufffd' } });
  });
});
