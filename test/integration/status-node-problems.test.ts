import { describe, expect, it } from 'vitest';
import { clusterStatus } from '../../src/commands/status.ts';
import { useSandbox } from '../support/sandbox.ts';

/**
 * `status` on a cluster whose namespaces are all well but one node is under memory pressure and
 * another stopped posting its status: the headline says so, to every channel, since nodes are
 * shared by every namespace.
 */
const sandbox = useSandbox(['healthy', 'node-memory-pressure', 'node-not-ready']);

describe('status with node problems', () => {
  it('does not call the cluster healthy, even to a channel whose namespace is well', async () => {
    const status = await clusterStatus(sandbox.cluster, ['shop']);

    expect(status.problemNamespaces).toEqual([]);
    expect(status.problemNodes.sort()).toEqual(['sandbox-worker3', 'sandbox-worker4']);
    expect(status.message.headline).toBe('Cluster sandbox: 2 nodes with problems');
    expect(status.message.tone).toBe('warning');
  });
});
