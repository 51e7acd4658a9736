import { describe, expect, it } from 'vitest';
import { findResource, type ResourceType } from './catalog.ts';
import { keepStatusRules } from './status-rules.ts';
import type { KObject } from './store.ts';

const deployments = findResource('apps', 'v1', 'deployments') as ResourceType;
const pods = findResource('', 'v1', 'pods') as ResourceType;
const applications = findResource('argoproj.io', 'v1alpha1', 'applications') as ResourceType;

function object(kind: string, replicas: number, ready: number, labels: Record<string, string>) {
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name: 'web', labels, annotations: { note: String(replicas) } },
    spec: { replicas },
    status: { readyReplicas: ready },
  } as KObject;
}

const target = (type: ResourceType, sub?: string) => ({
  type,
  namespace: 'default',
  name: 'web',
  sub,
});

describe('keepStatusRules', () => {
  it('keeps the stored status on a write to the main resource', () => {
    const current = object('Deployment', 1, 1, { app: 'web' });
    const next = object('Deployment', 3, 9, { app: 'web' });

    const out = keepStatusRules(target(deployments), next, current);

    expect(out.spec).toEqual({ replicas: 3 });
    expect(out.status).toEqual({ readyReplicas: 1 });
  });

  it("keeps the stored spec and a workload's labels on a write to status, but takes annotations", () => {
    const current = object('Deployment', 1, 1, { app: 'web' });
    const next = object('Deployment', 3, 9, { app: 'other' });

    const out = keepStatusRules(target(deployments, 'status'), next, current);

    expect(out.spec).toEqual({ replicas: 1 });
    expect(out.status).toEqual({ readyReplicas: 9 });
    expect(out.metadata.labels).toEqual({ app: 'web' });
    expect(out.metadata.annotations).toEqual({ note: '3' });
  });

  it("lets a pod's labels change through status but not its owners", () => {
    const current = { ...object('Pod', 1, 1, { app: 'web' }), apiVersion: 'v1' };
    current.metadata.ownerReferences = [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1' },
    ];
    const next = { ...object('Pod', 1, 2, { app: 'other' }), apiVersion: 'v1' };

    const out = keepStatusRules(target(pods, 'status'), next, current);

    expect(out.metadata.labels).toEqual({ app: 'other' });
    expect(out.metadata.ownerReferences).toEqual(current.metadata.ownerReferences);
  });

  it('lets a custom resource without a status subresource write its status anywhere', () => {
    const current = object('Application', 1, 1, {});
    const next = object('Application', 1, 5, {});

    expect(keepStatusRules(target(applications), next, current).status).toEqual({
      readyReplicas: 5,
    });
  });
});
