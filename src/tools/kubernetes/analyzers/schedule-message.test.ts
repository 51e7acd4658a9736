import { describe, expect, it } from 'vitest';
import { parseSchedulerMessage } from './schedule-message.ts';

describe('the scheduler message', () => {
  it('splits into each filter with the nodes it excluded, leaving out preemption', () => {
    const parsed = parseSchedulerMessage(
      '0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.',
    );

    expect(parsed).toEqual({
      total: 3,
      reasons: [
        { nodes: 1, text: 'Insufficient cpu', kind: 'insufficient', subject: 'cpu' },
        {
          nodes: 2,
          text: 'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }',
          kind: 'taint',
          subject: 'node-role.kubernetes.io/control-plane:',
        },
      ],
    });
  });

  it('reads the pod-wide claim reason, selectors, cordons and the older taint wording', () => {
    const kinds = (message: string) =>
      parseSchedulerMessage(message)?.reasons.map((r) => [r.nodes, r.kind]);

    expect(
      kinds(
        '0/4 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.',
      ),
    ).toEqual([[4, 'unbound-claim']]);
    expect(
      kinds(
        "0/5 nodes are available: 1 node(s) were unschedulable, 2 node(s) didn't match Pod's node affinity/selector, 2 node(s) had taint {dedicated: gpu}, that the pod didn't tolerate.",
      ),
    ).toEqual([
      [1, 'unschedulable-node'],
      [2, 'node-selector'],
      [2, 'taint'],
    ]);
    expect(kinds('0/2 nodes are available: 2 Too many pods.')).toEqual([[2, 'too-many-pods']]);
    expect(kinds('0/2 nodes are available: 2 node(s) had volume node affinity conflict.')).toEqual([
      [2, 'volume-node-affinity'],
    ]);
  });

  it('is undefined for text that is not a scheduler verdict', () => {
    expect(parseSchedulerMessage(undefined)).toBeUndefined();
    expect(
      parseSchedulerMessage('running PreBind plugin "VolumeBinding": binding volumes: timed out'),
    ).toBeUndefined();
  });
});
