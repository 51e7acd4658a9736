import { describe, expect, it } from 'vitest';
import { recordUpdate } from './managed-fields.ts';
import { applyConfiguration } from './server-side-apply.ts';
import { ApiError, type KObject } from './store.ts';

const NOW = new Date('2026-12-01T10:00:00.000Z');

function configMap(data: Record<string, string>, labels?: Record<string, string>): KObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'settings', namespace: 'default', ...(labels ? { labels } : {}) },
    data,
  };
}

function conflictOf(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected a conflict');
}

describe('applyConfiguration', () => {
  it('records the applied fields as FieldsV1, maps with their own member', () => {
    const created = applyConfiguration(
      undefined,
      configMap({ a: '1' }, { team: 'x' }),
      'ops',
      false,
      NOW,
    );

    expect(created.metadata.managedFields).toEqual([
      {
        manager: 'ops',
        operation: 'Apply',
        apiVersion: 'v1',
        time: '2026-12-01T10:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:data': { '.': {}, 'f:a': {} },
          'f:metadata': { 'f:labels': { '.': {}, 'f:team': {} } },
        },
      },
    ]);
  });

  it('refuses to change a field another applier set, naming it, unless forced', () => {
    const live = applyConfiguration(undefined, configMap({ a: '1', b: '2' }), 'ops', false, NOW);

    const error = conflictOf(() =>
      applyConfiguration(live, configMap({ a: '9' }), 'other', false, NOW),
    );
    const forced = applyConfiguration(live, configMap({ a: '9' }), 'other', true, NOW);

    expect(error.status).toBe(409);
    expect(error.reason).toBe('Conflict');
    expect(error.message).toBe('Apply failed with 1 conflict: conflict with "ops": .data.a');
    expect(forced.data).toEqual({ a: '9', b: '2' });
    const ops = forced.metadata.managedFields?.find(
      (f) => (f as { manager: string }).manager === 'ops',
    );
    expect(ops).toMatchObject({ fieldsV1: { 'f:data': { '.': {}, 'f:b': {} } } });
  });

  it('shares a field applied with the same value and names an updater with its API version', () => {
    const created = configMap({ a: '1' });
    created.metadata.managedFields = recordUpdate(undefined, created, 'kubectl-create', NOW);

    const shared = applyConfiguration(created, configMap({ a: '1' }), 'ops', false, NOW);
    const error = conflictOf(() =>
      applyConfiguration(created, configMap({ a: '2' }), 'ops', false, NOW),
    );

    expect(shared.metadata.managedFields).toHaveLength(2);
    expect(error.message).toBe(
      'Apply failed with 1 conflict: conflict with "kubectl-create" using v1: .data.a',
    );
  });

  it('removes what the same manager applied before and no longer applies', () => {
    const live = applyConfiguration(undefined, configMap({ a: '1', b: '2' }), 'ops', false, NOW);

    const next = applyConfiguration(live, configMap({ a: '1' }), 'ops', false, NOW);

    expect(next.data).toEqual({ a: '1' });
  });

  it('merges containers by name and lists both conflicts of one manager', () => {
    const deployment = (image: string, replicas: number): KObject => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas, template: { spec: { containers: [{ name: 'app', image }] } } },
    });
    const live = deployment('nginx:1', 1);
    live.metadata.managedFields = recordUpdate(undefined, live, 'kubectl-create', NOW);

    const error = conflictOf(() =>
      applyConfiguration(live, deployment('nginx:2', 3), 'ops', false, NOW),
    );

    expect(error.message).toBe(
      'Apply failed with 2 conflicts: conflicts with "kubectl-create" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name="app"].image',
    );
  });
});

describe('recordUpdate', () => {
  it('gives an updater the fields it changed and takes them from their previous owner', () => {
    const before = configMap({ a: '1', b: '2' });
    before.metadata.managedFields = recordUpdate(undefined, before, 'creator', NOW);
    const after = configMap({ a: '1', b: '3' });

    const entries = recordUpdate(before, after, 'editor', NOW);

    expect(entries.map((e) => [e.manager, e.fieldsV1])).toEqual([
      ['creator', { 'f:data': { '.': {}, 'f:a': {} } }],
      ['editor', { 'f:data': { 'f:b': {} } }],
    ]);
  });
});
