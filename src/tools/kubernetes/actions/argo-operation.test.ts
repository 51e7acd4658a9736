import { describe, expect, it } from 'vitest';
import type { KubeAction } from './action.ts';
import { markerOf, OPERATION_MARKER, operationSet } from './argo-operation.ts';

const operation = {
  sync: { revision: 'abc' },
  initiatedBy: { username: 'coxswain' },
  info: [{ name: OPERATION_MARKER, value: 'm-1' }],
};

const action: KubeAction = {
  type: 'argocd-sync',
  verb: 'sync',
  target: {
    cluster: 'prod',
    namespace: 'argocd',
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    name: 'shop',
    uid: 'u-1',
    resourceVersion: '7',
  },
  change: { method: 'patch', patchType: 'merge', body: { operation } },
  summary: 'sync Argo CD application argocd/shop',
  changes: [],
  diff: '',
  digest: '0'.repeat(64),
};

const app = (fields: object) => ({ metadata: { name: 'shop' }, ...fields });

describe("an Argo CD operation's marker", () => {
  it('is read from the operation the action sets, and only from an operation', () => {
    expect(markerOf(action)).toBe('m-1');
    expect(markerOf({ ...action, change: { method: 'delete' } })).toBeUndefined();
    const patch = { method: 'patch' as const, patchType: 'merge' as const, body: { spec: {} } };
    expect(markerOf({ ...action, change: patch })).toBeUndefined();
  });

  it('tells the operation was set, whether it waits, runs or has ended', () => {
    expect(operationSet(app({ operation }), 'm-1')).toBe(true);
    expect(
      operationSet(app({ status: { operationState: { operation, phase: 'Succeeded' } } }), 'm-1'),
    ).toBe(true);
    expect(
      operationSet(app({ status: { operationState: { operation, phase: 'Succeeded' } } }), 'm-2'),
    ).toBe(false);
    expect(operationSet(app({}), 'm-1')).toBe(false);
  });
});
