import { describe, expect, it } from 'vitest';
import { patchManifest } from './patch-manifest.ts';

const FILE = `# The payments API, deployed by Argo CD.
apiVersion: v1
kind: Service
metadata: { name: payments-api, namespace: payments }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: payments-api
  namespace: payments
spec:
  replicas: 2 # two for the night shift
  template:
    spec:
      containers:
        - name: sidecar
          image: envoy:1
        - name: api
          image: ghcr.io/example/payments-api:1.8.2
          resources:
            requests: { cpu: 250m, memory: 256Mi }
            limits: { memory: 256Mi }
`;

describe('a cluster change made to the manifest that declares the object', () => {
  it('merges a strategic patch into the named container, keeping comments and the other documents', () => {
    const out = patchManifest(FILE, 1, {
      method: 'patch',
      patchType: 'strategic',
      body: {
        spec: {
          template: {
            spec: { containers: [{ name: 'api', resources: { limits: { memory: '512Mi' } } }] },
          },
        },
      },
    });

    expect(out).toContain('# The payments API, deployed by Argo CD.');
    expect(out).toContain('replicas: 2 # two for the night shift');
    expect(out).toContain('limits: { memory: 512Mi }');
    expect(out).toContain('requests: { cpu: 250m, memory: 256Mi }');
    expect(out).toContain('image: envoy:1');
    expect(out.split('\n').filter((l) => l.includes('memory')).length).toBe(2);
  });

  it('sets and removes fields with a merge patch', () => {
    const out = patchManifest(FILE, 1, {
      method: 'patch',
      patchType: 'merge',
      body: { spec: { replicas: 4 }, metadata: { namespace: null, labels: { tier: 'web' } } },
    });

    expect(out).toContain('replicas: 4 # two for the night shift');
    expect(out).not.toMatch(/^ {2}namespace: payments$/m);
    expect(out).toMatch(/labels:\n\s+tier: web/);
  });

  it('refuses what a manifest cannot take', () => {
    expect(() => patchManifest(FILE, 1, { method: 'patch', patchType: 'json', body: [] })).toThrow(
      /only merge and strategic/,
    );
    expect(() => patchManifest(FILE, 1, { method: 'delete' })).toThrow(/only merge and strategic/);
    expect(() => patchManifest(FILE, 5, { method: 'patch', patchType: 'merge', body: {} })).toThrow(
      /no object at document 6/,
    );
  });
});
