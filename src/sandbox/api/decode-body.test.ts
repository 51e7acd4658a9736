import { describe, expect, it } from 'vitest';
import { findResource, type ResourceType } from './catalog.ts';
import { decodeObject, decodePatched, fieldValidationOf } from './decode-body.ts';
import { ApiError, type KObject } from './store.ts';

function thrown(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected an ApiError, but nothing was thrown');
}

const configMaps = findResource('', 'v1', 'configmaps') as ResourceType;
const secrets = findResource('', 'v1', 'secrets') as ResourceType;
const deployments = findResource('apps', 'v1', 'deployments') as ResourceType;
const applications = findResource('argoproj.io', 'v1alpha1', 'applications') as ResourceType;

const configMap = (extra: Record<string, unknown> = {}): KObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cm' },
  data: { a: '1' },
  ...extra,
});

describe('fieldValidationOf', () => {
  it('warns when the request names no validation, as the server defaults', () => {
    expect(fieldValidationOf(new URLSearchParams(''), 'CreateOptions')).toBe('Warn');
  });

  it("refuses a value it does not know with 422 on the request's options", () => {
    const error = thrown(() =>
      fieldValidationOf(new URLSearchParams('fieldValidation=Loose'), 'PatchOptions'),
    );

    expect(error.status).toBe(422);
    expect(error.message).toBe(
      'PatchOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "Loose": supported values: "Ignore", "Strict", "Warn"',
    );
  });
});

describe('decodeObject', () => {
  it('refuses unknown fields under Strict with every path in the message', () => {
    const error = thrown(() =>
      decodeObject(configMaps, configMap({ datas: {}, spec: {} }), 'Strict', []),
    );

    expect(error.status).toBe(400);
    expect(error.reason).toBe('BadRequest');
    expect(error.message).toBe(
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "datas", unknown field "spec"',
    );
  });

  it('warns about unknown fields under Warn and drops them', () => {
    const warnings: string[] = [];

    const out = decodeObject(configMaps, configMap({ datas: {} }), 'Warn', warnings);

    expect(warnings).toEqual(['unknown field "datas"']);
    expect(out).not.toHaveProperty('datas');
  });

  it('drops unknown fields silently under Ignore', () => {
    const warnings: string[] = [];

    const out = decodeObject(configMaps, configMap({ datas: {} }), 'Ignore', warnings);

    expect(warnings).toEqual([]);
    expect(out).not.toHaveProperty('datas');
  });

  it("keeps a custom resource's fields, having no schema for them", () => {
    const app = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'a' },
      anything: 1,
    };

    expect(decodeObject(applications, app, 'Strict', [])).toEqual(app);
  });

  it("folds a secret's stringData into base64 data, over data's own key", () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { user: 'YWRtaW4=', password: 'b2xk' },
      stringData: { password: 'hunter2' },
    };

    const out = decodeObject(secrets, secret, 'Strict', []);

    expect(out).not.toHaveProperty('stringData');
    expect(out.data).toEqual({ user: 'YWRtaW4=', password: 'aHVudGVyMg==' });
  });
});

describe('decodePatched', () => {
  const current: KObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { replicas: 1, legacy: true },
  };

  it('refuses only the unknown fields the patch brought, sorted', () => {
    const patched = { ...current, spec: { replicas: 1, legacy: true, zeta: 1, alpha: 2 } };

    const error = thrown(() => decodePatched(deployments, patched, current, {}, 'Strict', []));

    expect(error.message).toBe(
      'strict decoding error: unknown field "spec.alpha", unknown field "spec.zeta"',
    );
  });

  it('refuses a wrong type as the converter does, quoting the patch', () => {
    const patch = { spec: { replicas: 'two' } };
    const patched = { ...current, spec: { replicas: 'two' } };

    const error = thrown(() => decodePatched(deployments, patched, current, patch, 'Strict', []));

    expect(error.status).toBe(422);
    expect(error.details).toEqual({
      causes: [
        {
          reason: 'FieldValueInvalid',
          field: 'patch',
          message: 'Invalid value: "map[spec:map[replicas:two]]": unrecognized type: int32',
        },
      ],
    });
  });
});

describe('a Secret key __proto__', () => {
  it('is folded from stringData into data as an own key', () => {
    const secrets = findResource('', 'v1', 'secrets') as ResourceType;
    const body = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: JSON.parse('{"__proto__":"eA==","a":"eA=="}'),
      stringData: JSON.parse('{"__proto__":"y"}'),
    } as KObject;

    const out = decodeObject(secrets, body, 'Strict', []);

    expect(JSON.stringify(out.data)).toBe('{"__proto__":"eQ==","a":"eA=="}');
    expect(({} as Record<string, unknown>).y).toBeUndefined();
  });
});
