import { expect, it } from 'vitest';
import type { ClusterSnapshot } from './status-store.ts';
import { statusView } from './status-view.ts';

const snapshot: ClusterSnapshot = {
  cluster: 'prod',
  at: '2026-12-06T10:00:00.000Z',
  health: {
    cluster: 'prod',
    nodes: [{ name: 'node-1', ready: true, conditions: [], cordoned: false }],
    namespaces: {
      'team-a': {
        pods: { ok: 2, total: 3 },
        deployments: { ok: 1, total: 2 },
        problems: ['1 CrashLoopBackOff (web-7d9)'],
      },
      'team-b': {
        pods: { ok: 4, total: 5 },
        deployments: { ok: 2, total: 2 },
        problems: ['1 CreateContainerConfigError (billing-5c1), DB_PASSWORD: Winter2026!'],
      },
    },
  },
};

it('shows only the namespaces the person is bound to, in problems and totals', () => {
  const view = statusView(snapshot, ['team-a']);

  const text = JSON.stringify(view.message);
  expect(view.message?.headline).toBe('Cluster prod: 1 namespace with problems');
  expect(view.message?.fields).toContainEqual({ label: 'Pods healthy', value: '2/3' });
  expect(view.message?.fields).toContainEqual({ label: 'Deployments available', value: '1/2' });
  expect(text).toContain('team-a: 1 CrashLoopBackOff (web-7d9)');
  expect(text).not.toContain('team-b');
  expect(text).not.toContain('billing');
  expect(view.message?.buttons).toEqual([]);
});

it('takes globs, and redacts what the cluster said', () => {
  const view = statusView(snapshot, ['team-*']);

  const text = JSON.stringify(view.message);
  expect(view.message?.fields).toContainEqual({ label: 'Pods healthy', value: '6/8' });
  expect(text).toContain('team-b: 1 CreateContainerConfigError (billing-5c1)');
  expect(text).not.toContain('Winter2026!');
});
