import { describe, expect, it } from 'vitest';
import { Autonomy } from '../../config/policy-schema.ts';
import type { KubeAction } from '../../tools/kubernetes/actions/action.ts';
import { tierRefusal } from './kube-tools.ts';

const action = (verb: string, kind: string): KubeAction => ({
  type: 'patch',
  verb,
  target: {
    cluster: 'prod',
    namespace: 'shop',
    apiVersion: 'apps/v1',
    kind,
    name: 'cart',
    uid: 'u',
    resourceVersion: '1',
  },
  change: { method: 'patch', patchType: 'merge', body: {} },
  summary: `${verb} ${kind.toLowerCase()} shop/cart`,
  changes: [],
  diff: '',
  digest: '0'.repeat(64),
});

describe('tierRefusal', () => {
  it('judges the verb with the target kind, so a forbidden "verb kind" is refused', () => {
    const autonomy = Autonomy.parse({ forbidden: ['drain', 'patch deployment'] });

    expect(tierRefusal(action('patch', 'Deployment'), { autonomy })).toBe(
      'patch deployment shop/cart: forbidden by the autonomy policy; it cannot be proposed',
    );
    expect(tierRefusal(action('patch', 'ConfigMap'), { autonomy })).toBeUndefined();
  });

  it('refuses a confirm-tier proposal in a channel whose highest tier is safe', () => {
    expect(tierRefusal(action('scale', 'Deployment'), { maxTier: 'safe' })).toContain(
      'may only run safe',
    );
    expect(tierRefusal(action('scale', 'Deployment'), { maxTier: 'confirm' })).toBeUndefined();
  });
});
