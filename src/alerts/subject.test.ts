import { describe, expect, it } from 'vitest';
import { subjectOf } from './subject.ts';

describe('what an alert is about', () => {
  it('names the workload: by its own label, or the pod without the suffixes its owners add', () => {
    expect(subjectOf({ namespace: 'shop', deployment: 'web' })).toBe('shop/workload/web');
    expect(subjectOf({ cluster: 'prod', namespace: 'shop', pod: 'web-7d9f8b6c5d-x2k4q' })).toBe(
      'prod/shop/workload/web',
    );
    expect(subjectOf({ namespace: 'shop', pod: 'db-0' })).toBe('shop/workload/db');
  });

  it('makes the alerts of one workload one subject, whatever they say', () => {
    const crash = subjectOf({
      alertname: 'KubePodCrashLooping',
      namespace: 'shop',
      pod: 'web-7d9f8b6c5d-aaaaa',
    });
    const notReady = subjectOf({
      alertname: 'KubePodNotReady',
      namespace: 'shop',
      pod: 'web-7d9f8b6c5d-bbbbb',
    });

    expect(crash).toBe(notReady);
  });

  it("makes a pod's alerts and its owner's alerts one subject", () => {
    // kube-prometheus's alerts as one OOM-killed deployment raises them: the crash loop and the
    // memory alert name its pod, the replicas mismatch names the deployment.
    const crash = subjectOf({
      alertname: 'KubePodCrashLooping',
      namespace: 'shop',
      pod: 'cart-8gx8x7ztfj-wsfbd',
      container: 'cart',
    });
    const memory = subjectOf({
      alertname: 'KubeContainerMemoryNearLimit',
      namespace: 'shop',
      pod: 'cart-8gx8x7ztfj-k2m4p',
      container: 'cart',
    });
    const mismatch = subjectOf({
      alertname: 'KubeDeploymentReplicasMismatch',
      namespace: 'shop',
      deployment: 'cart',
    });
    const statefulSet = subjectOf({
      alertname: 'KubeStatefulSetReplicasMismatch',
      namespace: 'shop',
      statefulset: 'db',
    });

    expect(new Set([crash, memory, mismatch])).toEqual(new Set(['shop/workload/cart']));
    expect(statefulSet).toBe(subjectOf({ namespace: 'shop', pod: 'db-1' }));
  });

  it('names a node, else the namespace, else nothing', () => {
    expect(subjectOf({ node: 'worker-3' })).toBe('node/worker-3');
    expect(subjectOf({ namespace: 'shop', alertname: 'QuotaAlmostFull' })).toBe('shop');
    expect(subjectOf({ alertname: 'Watchdog' })).toBeUndefined();
  });

  it('keeps a label holding a slash from spelling another subject', () => {
    expect(subjectOf({ namespace: 'prod/deployment/api' })).not.toBe(
      subjectOf({ namespace: 'prod', deployment: 'api' }),
    );
    expect(subjectOf({ namespace: 'eu/payments' })).not.toBe(
      subjectOf({ cluster: 'eu', namespace: 'payments' }),
    );
  });
});
