import type {
  V1Deployment,
  V2HorizontalPodAutoscaler,
  V2HorizontalPodAutoscalerCondition,
} from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { emptySnapshot } from '../snapshot.ts';
import { analyzeAutoscalers } from './autoscalers.ts';

const NS = 'catalog';

function hpa(
  conditions: V2HorizontalPodAutoscalerCondition[],
  current = 6,
  desired = 6,
): V2HorizontalPodAutoscaler {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'catalog-api', namespace: NS },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'catalog-api' },
      minReplicas: 2,
      maxReplicas: 6,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
      ],
    },
    status: {
      currentReplicas: current,
      desiredReplicas: desired,
      currentMetrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', current: { averageUtilization: 360, averageValue: '900m' } },
        },
      ],
      conditions,
    },
  };
}

const able = {
  type: 'AbleToScale',
  status: 'True',
  reason: 'ReadyForNewScale',
  message: 'recommended size matches current size',
};
const active = {
  type: 'ScalingActive',
  status: 'True',
  reason: 'ValidMetricFound',
  message:
    'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)',
};

const deployment = (requests?: Record<string, string>): V1Deployment => ({
  metadata: { name: 'catalog-api', namespace: NS },
  spec: {
    selector: { matchLabels: { app: 'catalog-api' } },
    template: {
      spec: {
        containers: [
          { name: 'api', image: 'catalog:1.22.0', resources: requests ? { requests } : {} },
        ],
      },
    },
  },
});

describe('autoscalers', () => {
  it('say one held at its maximum, with its target and the utilization it sees', () => {
    const limited = {
      type: 'ScalingLimited',
      status: 'True',
      reason: 'TooManyReplicas',
      message: 'the desired replica count is more than the maximum replica count',
    };

    const [finding] = analyzeAutoscalers({
      ...emptySnapshot(),
      hpas: [hpa([able, active, limited])],
    });

    expect(finding).toMatchObject({
      rule: 'hpa/at-max',
      severity: 'warning',
      confidence: 'certain',
    });
    expect(finding?.evidence).toContain('targets: cpu 70% utilization; current: cpu 360%');
  });

  it('find nothing for one within its range', () => {
    const fine = {
      type: 'ScalingLimited',
      status: 'False',
      reason: 'DesiredWithinRange',
      message: 'the desired count is within the acceptable range',
    };

    expect(
      analyzeAutoscalers({ ...emptySnapshot(), hpas: [hpa([able, active, fine], 3, 3)] }),
    ).toEqual([]);
  });

  it('name the container without a request when a utilization target cannot be computed', () => {
    const failing = {
      type: 'ScalingActive',
      status: 'False',
      reason: 'FailedGetResourceMetric',
      message:
        'the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container api of Pod catalog-api-5d8f7-x2x9k',
    };

    const [finding] = analyzeAutoscalers({
      ...emptySnapshot(),
      hpas: [hpa([able, failing])],
      deployments: [deployment()],
    });

    expect(finding).toMatchObject({ rule: 'hpa/missing-requests', confidence: 'certain' });
    expect(finding?.cause).toBe(
      'it scales on cpu utilization, which is usage over the request, and container api sets no cpu request',
    );
    expect(finding?.evidence).toContain(
      'Deployment catalog-api spec.template.spec.containers[api].resources.requests.cpu: (unset)',
    );
  });

  it('point at the metrics API when it returns nothing', () => {
    const failing = {
      type: 'ScalingActive',
      status: 'False',
      reason: 'FailedGetResourceMetric',
      message:
        'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)',
    };

    const [finding] = analyzeAutoscalers({
      ...emptySnapshot(),
      hpas: [hpa([able, failing])],
      deployments: [deployment({ cpu: '250m' })],
    });

    expect(finding).toMatchObject({ rule: 'hpa/metrics-unavailable', confidence: 'likely' });
    expect(finding?.cause).toContain(
      'is metrics-server (or the metrics adapter) installed and running?',
    );
  });

  it('say a target it cannot find', () => {
    const cannot = {
      type: 'AbleToScale',
      status: 'False',
      reason: 'FailedGetScale',
      message:
        'the HPA controller was unable to get the target\'s current scale: deployments/scale.apps "catalog-api" not found',
    };

    const [finding] = analyzeAutoscalers({ ...emptySnapshot(), hpas: [hpa([cannot])] });

    expect(finding?.rule).toBe('hpa/target-missing');
  });
});
