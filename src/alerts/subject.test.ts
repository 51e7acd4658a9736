import { describe, expect, it } from 'vitest';
import { subjectOf } from './subject.ts';

describe('what an alert is about', () => {
  it('names the workload: by its own label, or the pod without the suffixes its owners add', () => {
    expect(subjectOf({ namespace: 'shop', deployment: 'web' })).toBe('shop/deployment/web');
    expect(subjectOf({ cluster: 'prod', namespace: 'shop', pod: 'web-7d9f8b6c5d-x2k4q' })).toBe(
      'prod/shop/pod/web',
    );
    expect(subjectOf({ namespace: 'shop', pod: 'db-0' })).toBe('shop/pod/db');
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
