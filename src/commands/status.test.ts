import { describe, expect, it } from 'vitest';
import { type ClusterHealth, renderStatus } from './status.ts';

type NodeHealth = ClusterHealth['nodes'][number];

const node = (overrides: Partial<NodeHealth> = {}): NodeHealth => ({
  name: 'worker-1',
  ready: true,
  conditions: [],
  cordoned: false,
  ...overrides,
});

const health = (nodes: NodeHealth[], problems: string[] = []): ClusterHealth => ({
  cluster: 'prod',
  nodes,
  namespaces: {
    shop: { pods: { ok: 3, total: 3 }, deployments: { ok: 1, total: 1 }, problems },
  },
});

describe('the status headline', () => {
  it('says healthy when every node is Ready, without conditions, and no namespace has problems', () => {
    const status = renderStatus(health([node(), node({ name: 'worker-2' })]), ['*']);

    expect(status.message.headline).toBe('Cluster prod: healthy');
    expect(status.message.tone).toBe('resolved');
    expect(status.problemNodes).toEqual([]);
  });

  it('does not say healthy while a Ready node reports DiskPressure', () => {
    const status = renderStatus(
      health([node(), node({ name: 'worker-2', conditions: ['DiskPressure'] })]),
      ['*'],
    );

    expect(status.message.headline).toBe('Cluster prod: 1 node with problems');
    expect(status.message.tone).toBe('warning');
    expect(status.problemNodes).toEqual(['worker-2']);
    expect(status.message.sections?.[0]?.code).toMatch(/worker-2\s+Ready\s+DiskPressure/);
  });

  it.each([
    ['memory pressure', { conditions: ['MemoryPressure'] }],
    ['PID pressure', { conditions: ['PIDPressure'] }],
    ['NotReady', { ready: false }],
    ['cordoned', { cordoned: true }],
  ])('does not say healthy with a node under %s', (_, overrides) => {
    const status = renderStatus(health([node(overrides)]), ['*']);

    expect(status.message.headline).toBe('Cluster prod: 1 node with problems');
    expect(status.problemNodes).toEqual(['worker-1']);
  });

  it('counts namespaces and nodes with problems together', () => {
    const status = renderStatus(
      health(
        [node({ conditions: ['DiskPressure'] }), node({ name: 'worker-2', cordoned: true })],
        ['1 CrashLoopBackOff (web-7d9)'],
      ),
      ['*'],
    );

    expect(status.message.headline).toBe(
      'Cluster prod: 1 namespace with problems, 2 nodes with problems',
    );
    expect(status.problemNamespaces).toEqual(['shop']);
  });

  it('keeps saying how many namespaces have problems when the nodes are fine', () => {
    const status = renderStatus(health([node()], ['1 CrashLoopBackOff (web-7d9)']), ['*']);

    expect(status.message.headline).toBe('Cluster prod: 1 namespace with problems');
  });
});
