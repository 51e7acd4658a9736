import type { V1ContainerStatus } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { crashed, pod, status } from '../../../../test/support/pod-shapes.ts';
import { emptySnapshot } from '../snapshot.ts';
import { analyze } from './index.ts';

describe('faults the analyzers must not miss', () => {
  it('sees a container that keeps failing, though each run lasts long enough that the kubelet never backs off', () => {
    // A run over 10 minutes resets the kubelet's back-off: no CrashLoopBackOff, no BackOff
    // event, only the restarts and the last run's failure.
    const failing: V1ContainerStatus = status({
      restartCount: 500,
      ready: false,
      state: { running: { startedAt: new Date('2026-12-07T10:04:50Z') } },
      lastState: {
        terminated: {
          exitCode: 1,
          reason: 'Error',
          startedAt: new Date('2026-12-07T09:50:00Z'),
          finishedAt: new Date('2026-12-07T10:04:40Z'),
        },
      },
    });

    const found = analyze(
      { ...emptySnapshot(), pods: [pod({ statuses: [failing] })] },
      new Date('2026-12-07T10:05:00Z'),
    );

    expect(found.map((f) => f.object.kind)).toContain('Pod');
  });

  it('reads a termination message that is not a string without throwing', () => {
    const odd = crashed(1);
    const terminated = odd.lastState?.terminated as { message?: unknown };
    terminated.message = 5;

    expect(() => analyze({ ...emptySnapshot(), pods: [pod({ statuses: [odd] })] })).not.toThrow();
  });
});
