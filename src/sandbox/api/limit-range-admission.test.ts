import { describe, expect, it } from 'vitest';
import { findResource, type ResourceType } from './catalog.ts';
import { applyLimitRanges, defaultLimitRange } from './limit-range-admission.ts';
import { type KObject, ObjectStore } from './store.ts';

const LIMIT_RANGES = findResource('', 'v1', 'limitranges') as ResourceType;

function rangeWith(limit: Record<string, unknown>): KObject {
  const range: KObject = {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: 'lr', namespace: 'team' },
    spec: { limits: [{ type: 'Container', ...limit }] },
  };
  defaultLimitRange(range);
  return range;
}

function pod(resources: Record<string, unknown> = {}): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'app', namespace: 'team' },
    spec: { containers: [{ name: 'app', image: 'x', resources }] },
  };
}

describe('LimitRanger', () => {
  it('defaults a range per resource: limits from max, requests from the default or the min', () => {
    const range = rangeWith({ max: { cpu: '500m' }, min: { memory: '64Mi' } });

    expect((range.spec as { limits: unknown[] }).limits[0]).toMatchObject({
      default: { cpu: '500m' },
      defaultRequest: { cpu: '500m', memory: '64Mi' },
    });
  });

  it("fills a container's missing requests and limits and says so on the pod", () => {
    const store = new ObjectStore();
    store.create(LIMIT_RANGES, rangeWith({ default: { cpu: '300m' } }));
    const created = pod({ requests: { cpu: '100m' } });

    applyLimitRanges(store, created);

    expect(
      (created.spec as { containers: { resources: unknown }[] }).containers[0]?.resources,
    ).toEqual({
      requests: { cpu: '100m' },
      limits: { cpu: '300m' },
    });
    expect(created.metadata.annotations?.['kubernetes.io/limit-ranger']).toBe(
      'LimitRanger plugin set: cpu limit for container app',
    );
  });

  it('refuses a container beyond the max or below the min with the plugin’s 403', () => {
    const store = new ObjectStore();
    store.create(LIMIT_RANGES, rangeWith({ max: { cpu: '500m' }, min: { memory: '64Mi' } }));

    const refused = () =>
      applyLimitRanges(store, pod({ limits: { cpu: '1' }, requests: { memory: '32Mi' } }));

    expect(refused).toThrow(
      'pods "app" is forbidden: [maximum cpu usage per Container is 500m, but limit is 1, minimum memory usage per Container is 64Mi, but request is 32Mi]',
    );
  });
});
