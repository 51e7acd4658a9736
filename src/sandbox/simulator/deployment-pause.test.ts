import { describe, expect, it } from 'vitest';
import type { KObject } from '../api/store.ts';
import { pauseTransition } from './deployment-pause.ts';

function deployment(paused: boolean, reason: string): KObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', generation: 4 },
    spec: { paused },
    status: { conditions: [{ type: 'Progressing', status: 'True', reason, message: '' }] },
  };
}

const now = new Date('2026-01-01T00:00:00Z');

describe('pausing a deployment', () => {
  it('says DeploymentPaused with status Unknown when paused', () => {
    const change = pauseTransition(deployment(true, 'NewReplicaSetAvailable'), now);

    expect(change?.resumed).toBe(false);
    expect(change?.status.conditions?.[0]).toMatchObject({
      type: 'Progressing',
      status: 'Unknown',
      reason: 'DeploymentPaused',
      message: 'Deployment is paused',
    });
    expect(change?.status.observedGeneration).toBe(4);
  });

  it('says DeploymentResumed when resumed', () => {
    const change = pauseTransition(deployment(false, 'DeploymentPaused'), now);

    expect(change?.resumed).toBe(true);
    expect(change?.status.conditions?.[0]?.reason).toBe('DeploymentResumed');
  });

  it('changes nothing when the pause is already said, or the rollout timed out', () => {
    expect(pauseTransition(deployment(true, 'DeploymentPaused'), now)).toBeUndefined();
    expect(pauseTransition(deployment(true, 'ProgressDeadlineExceeded'), now)).toBeUndefined();
  });
});
