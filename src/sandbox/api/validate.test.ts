import { describe, expect, it } from 'vitest';
import { findResource, type ResourceType } from './catalog.ts';
import { ApiError, type KObject } from './store.ts';
import { validate } from './validate.ts';

const deployments = findResource('apps', 'v1', 'deployments') as ResourceType;

function refusal(object: KObject): ApiError {
  try {
    validate(deployments, object);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected the object to be refused');
}

describe('validate', () => {
  it('lists each problem as a cause with its field and reason', () => {
    const error = refusal({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: -1,
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web' }] } },
      },
    });

    expect(error.status).toBe(422);
    expect(error.reason).toBe('Invalid');
    expect(error.details?.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.replicas',
        message: 'Invalid value: -1: must be greater than or equal to 0',
      },
      { reason: 'FieldValueRequired', field: 'spec.selector', message: 'Required value' },
      {
        reason: 'FieldValueRequired',
        field: 'spec.template.spec.containers[0].image',
        message: 'Required value',
      },
    ]);
    expect(error.message).toMatch(
      /^Deployment\.apps "web" is invalid: spec\.replicas: Invalid value/,
    );
  });
});
