import { describe, expect, it } from 'vitest';
import { changeDigest, viewChange } from './diff.ts';

function objectDiff(label: string, before: { kind?: string }, after: unknown): string {
  return viewChange(label, before.kind ?? 'Deployment', before, after).diff;
}

const LABEL = 'deployment shop/cart';

function deployment(overrides: { replicas?: number; image?: string; token?: string } = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'cart',
      namespace: 'shop',
      uid: '7f9c2b1e-0000-4000-8000-000000000001',
      resourceVersion: '1200',
      generation: 4,
      creationTimestamp: '2026-11-01T10:00:00Z',
      labels: { app: 'cart' },
      managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update' }],
    },
    spec: {
      replicas: overrides.replicas ?? 2,
      selector: { matchLabels: { app: 'cart' } },
      template: {
        metadata: { labels: { app: 'cart' } },
        spec: {
          containers: [
            {
              name: 'cart',
              image: overrides.image ?? 'ghcr.io/example/shop-cart:2.7.0',
              env: [
                { name: 'CART_TTL', valueFrom: { configMapKeyRef: { name: 'cart', key: 'ttl' } } },
                { name: 'API_TOKEN', value: overrides.token ?? 'tok-4f9a7c2e11' },
              ],
            },
          ],
        },
      },
    },
    status: { replicas: 2, readyReplicas: 2, observedGeneration: 4 },
  };
}

function body(diff: string): string[] {
  return diff.split('\n').slice(2);
}

describe('objectDiff', () => {
  it('says there is no change when the objects are the same', () => {
    const diff = objectDiff(LABEL, deployment(), deployment());

    expect(diff).toBe(
      [
        '--- deployment shop/cart (live)',
        '+++ deployment shop/cart (after the change, server dry run)',
        '(no change)',
      ].join('\n'),
    );
  });

  it('shows a changed line as - then +, with three lines of context and a hunk header', () => {
    const diff = objectDiff(LABEL, deployment(), deployment({ replicas: 3 }));

    const lines = body(diff);
    expect(lines[0]).toMatch(/^@@ -\d+ \+\d+ @@$/);
    const removed = lines.indexOf('-  replicas: 2');
    expect(removed).toBeGreaterThan(0);
    expect(lines[removed + 1]).toBe('+  replicas: 3');
    expect(lines.filter((l) => l.startsWith('-') || l.startsWith('+'))).toHaveLength(2);
    expect(lines.slice(1, removed)).toHaveLength(3);
    expect(lines.slice(removed + 2)).toHaveLength(3);
    expect(lines.slice(1, removed).every((l) => l.startsWith(' '))).toBe(true);
  });

  it('ignores status, resourceVersion, generation, managedFields, uid and creationTimestamp', () => {
    const after = deployment();
    after.metadata.resourceVersion = '1300';
    after.metadata.generation = 5;
    after.metadata.uid = 'another-uid';
    after.metadata.creationTimestamp = '2026-11-02T10:00:00Z';
    after.metadata.managedFields = [{ manager: 'coxswain', operation: 'Update' }];
    after.status = { replicas: 3, readyReplicas: 1, observedGeneration: 5 };

    const diff = objectDiff(LABEL, deployment(), after);

    expect(body(diff)).toEqual(['(no change)']);
  });

  it('leaves the ignored fields out of the context lines too', () => {
    const diff = objectDiff(LABEL, deployment(), deployment({ replicas: 3 }));

    expect(diff).not.toContain('resourceVersion');
    expect(diff).not.toContain('managedFields');
    expect(diff).not.toContain('readyReplicas');
    expect(diff).not.toContain('7f9c2b1e');
  });

  it('redacts env values in the diff, keeping their names and references', () => {
    const diff = objectDiff(
      LABEL,
      deployment(),
      deployment({ image: 'ghcr.io/example/shop-cart:2.7.1' }),
    );

    expect(diff).toContain('-          image: ghcr.io/example/shop-cart:2.7.0');
    expect(diff).toContain('+          image: ghcr.io/example/shop-cart:2.7.1');
    expect(diff).toContain('- name: API_TOKEN');
    expect(diff).toContain('value: "[redacted]"');
    expect(diff).not.toContain('tok-4f9a7c2e11');
  });

  it('never shows either value when an env value itself changes', () => {
    const diff = objectDiff(LABEL, deployment(), deployment({ token: 'tok-new-88c1d0' }));

    expect(diff).not.toContain('tok-4f9a7c2e11');
    expect(diff).not.toContain('tok-new-88c1d0');
  });

  it('still shows that an env value changed, so nobody approves an invisible change', () => {
    const diff = objectDiff(LABEL, deployment(), deployment({ token: 'tok-new-88c1d0' }));

    expect(body(diff)).not.toEqual(['(no change)']);
    expect(body(diff).some((l) => l.startsWith('+') && l.includes('[redacted; changed]'))).toBe(
      true,
    );
    expect(diff).not.toContain('tok-new-88c1d0');
  });

  it('has a deletion header and no body for a delete', () => {
    const diff = objectDiff('pod shop/cart-7d9f8-x2k4q', { kind: 'Pod' }, undefined);

    expect(diff).toBe(
      [
        '--- pod shop/cart-7d9f8-x2k4q (live)',
        '+++ pod shop/cart-7d9f8-x2k4q (deleted; the server accepted a dry-run delete)',
      ].join('\n'),
    );
  });

  it('makes separate hunks for changes far apart', () => {
    const after = deployment({ replicas: 3, image: 'ghcr.io/example/shop-cart:2.7.1' });

    const diff = objectDiff(LABEL, deployment(), after);

    expect(body(diff).filter((l) => l.startsWith('@@'))).toHaveLength(2);
  });

  it('cuts a long diff after 1,000 lines and says how many were left out', () => {
    const before = {
      kind: 'ConfigMap',
      metadata: { name: 'big' },
      data: {} as Record<string, string>,
    };
    const after = {
      kind: 'ConfigMap',
      metadata: { name: 'big' },
      data: {} as Record<string, string>,
    };
    for (let i = 0; i < 600; i++) {
      before.data[`key-${String(i).padStart(3, '0')}`] = `old-${i}`;
      after.data[`key-${String(i).padStart(3, '0')}`] = `new-${i}`;
    }

    const diff = objectDiff('configmap default/big', before, after);

    const lines = body(diff);
    expect(lines).toHaveLength(1_001);
    expect(lines[1_000]).toMatch(/^… \d+ more diff lines$/);
    expect(diff).not.toContain('old-');
    expect(diff).not.toContain('new-');
  });

  it('does not change the objects it is given', () => {
    const before = deployment();
    const after = deployment({ replicas: 3 });

    objectDiff(LABEL, before, after);

    expect(before).toEqual(deployment());
    expect(after).toEqual(deployment({ replicas: 3 }));
  });
});

describe('changeDigest', () => {
  it('is the same for the same change, whatever moved elsewhere in the object', () => {
    const before = deployment();
    const moved = {
      ...deployment(),
      metadata: { ...deployment().metadata, labels: { app: 'cart', team: 'shop' } },
    };
    const status = { ...deployment(), status: { replicas: 1 } };

    const digest = changeDigest(before, deployment({ replicas: 3 }));

    expect(changeDigest(moved, { ...moved, spec: deployment({ replicas: 3 }).spec })).toBe(digest);
    expect(changeDigest(status, { ...status, spec: deployment({ replicas: 3 }).spec })).toBe(
      digest,
    );
    expect(changeDigest(before, deployment({ replicas: 4 }))).not.toBe(digest);
  });

  it('sees changes the display hides: redacted values, and lines past the cut', () => {
    const many = (suffix: string) => ({
      ...deployment(),
      // Keys sort alphabetically in the YAML: `zzz` comes last, past the displayed lines.
      data: {
        ...Object.fromEntries(Array.from({ length: 1_200 }, (_, i) => [`k${i}`, 'v'])),
        zzz: suffix,
      },
    });

    expect(changeDigest(deployment(), deployment({ token: 'tok-a' }))).not.toBe(
      changeDigest(deployment(), deployment({ token: 'tok-b' })),
    );
    expect(objectDiff(LABEL, deployment(), many('x'))).toBe(
      objectDiff(LABEL, deployment(), many('y')),
    );
    expect(changeDigest(deployment(), many('x'))).not.toBe(changeDigest(deployment(), many('y')));
  });

  it('tells apart the same change made to two identical-looking items', () => {
    const pod = (images: string[]) => ({
      kind: 'Pod',
      spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) },
    });

    expect(changeDigest(pod(['a', 'a', 'a']), pod(['a', 'b', 'a']))).not.toBe(
      changeDigest(pod(['a', 'a', 'a']), pod(['a', 'a', 'b'])),
    );
  });
});
