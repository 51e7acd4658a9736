import { describe, expect, it } from 'vitest';
import { statusOfNewPod } from './pod-qos.ts';
import type { KObject } from './store.ts';

const pod = (resources: Record<string, Record<string, string>>) =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web' },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27', resources }] },
    status: { phase: 'Running', podIP: '10.0.0.9' },
  }) as KObject;

describe('the status the API server gives a new pod', () => {
  it('is Pending with the QoS class of its resources, whatever status was sent', () => {
    const bare = statusOfNewPod(pod({}));
    const burstable = statusOfNewPod(pod({ requests: { cpu: '100m' } }));
    const guaranteed = statusOfNewPod(pod({ limits: { cpu: '1', memory: '1Gi' } }));

    expect(bare).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
    expect(burstable).toEqual({ phase: 'Pending', qosClass: 'Burstable' });
    expect(guaranteed).toEqual({ phase: 'Pending', qosClass: 'Guaranteed' });
  });
});
