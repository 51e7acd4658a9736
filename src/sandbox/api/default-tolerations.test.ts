import { describe, expect, it } from 'vitest';
import { addDefaultTolerations } from './default-tolerations.ts';
import type { KObject } from './store.ts';

function pod(tolerations?: unknown[]): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: { containers: [], ...(tolerations === undefined ? {} : { tolerations }) },
  } as KObject;
}

const notReady = {
  key: 'node.kubernetes.io/not-ready',
  operator: 'Exists',
  effect: 'NoExecute',
  tolerationSeconds: 300,
};
const unreachable = { ...notReady, key: 'node.kubernetes.io/unreachable' };

describe('DefaultTolerationSeconds', () => {
  it('gives a pod five minutes on a not-ready or unreachable node', () => {
    const p = pod();

    addDefaultTolerations(p);

    expect((p.spec as { tolerations: unknown[] }).tolerations).toEqual([notReady, unreachable]);
  });

  it('keeps a toleration the pod has and adds only the one it lacks', () => {
    const own = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' };
    const p = pod([
      { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' },
      own,
    ]);

    addDefaultTolerations(p);

    expect((p.spec as { tolerations: unknown[] }).tolerations).toEqual([
      { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' },
      own,
      unreachable,
    ]);
  });

  it('adds nothing to a pod that tolerates every taint', () => {
    const p = pod([{ operator: 'Exists' }]);

    addDefaultTolerations(p);

    expect((p.spec as { tolerations: unknown[] }).tolerations).toEqual([{ operator: 'Exists' }]);
  });
});
