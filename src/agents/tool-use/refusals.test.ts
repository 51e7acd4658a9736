import { describe, expect, it } from 'vitest';
import { Autonomy, DEFAULT_AUTONOMY } from '../../config/policy-schema.ts';
import type { KubeAction } from '../../tools/kubernetes/actions/action.ts';
import { scopeRefusal, tierRefusal } from './refusals.ts';

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

    expect(tierRefusal(action('patch', 'Deployment'), { autonomy, maxTier: 'confirm' })).toBe(
      'patch deployment shop/cart: forbidden by the autonomy policy; it cannot be proposed',
    );
    expect(
      tierRefusal(action('patch', 'ConfigMap'), { autonomy, maxTier: 'confirm' }),
    ).toBeUndefined();
  });

  it('refuses a confirm-tier proposal in a channel whose highest tier is safe', () => {
    expect(
      tierRefusal(action('scale', 'Deployment'), { autonomy: DEFAULT_AUTONOMY, maxTier: 'safe' }),
    ).toContain('may only run safe');
    expect(
      tierRefusal(action('scale', 'Deployment'), {
        autonomy: DEFAULT_AUTONOMY,
        maxTier: 'confirm',
      }),
    ).toBeUndefined();
  });
});

describe('scopeRefusal', () => {
  const run = { cluster: 'prod', namespaces: ['shop'] };

  it('lets a call inside the binding run, and any call where the binding covers everything', () => {
    expect(scopeRefusal('list_pods', { namespaces: ['shop'] }, run)).toBeUndefined();
    expect(scopeRefusal('nodes', { namespaces: [] }, run)).toBeUndefined();
    expect(
      scopeRefusal('list_pods', { namespaces: 'all' }, { cluster: 'prod', namespaces: ['*'] }),
    ).toBeUndefined();
  });

  it('refuses a call outside the binding, saying what the channel may see', () => {
    expect(scopeRefusal('list_pods', { namespaces: ['kube-system'] }, run)).toBe(
      'namespace kube-system is outside what this channel may see (shop)',
    );
    expect(scopeRefusal('list_pods', { namespaces: 'all' }, run)).toBe(
      'list_pods needs a namespace here: this channel may see shop',
    );
    expect(
      scopeRefusal(
        'describe',
        { namespaces: 'all', reason: 'describing a node shows pods of every namespace' },
        run,
      ),
    ).toBe('describing a node shows pods of every namespace; this channel may see shop');
  });
});
