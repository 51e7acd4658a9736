import { describe, expect, it } from 'vitest';
import { normalize, type PodSample, recommend } from './hpa-replicas.ts';

const pods = (usage: (number | undefined)[], request = 100): PodSample[] =>
  usage.map((u, i) => ({ pod: `web-${i}`, usage: u, request }));

describe('the autoscaler replica calculation', () => {
  it('scales to ceil(current × usage ratio) against requests', () => {
    const result = recommend('cpu', { kind: 'Utilization', percent: 50 }, 2, pods([90, 110]));

    expect(result).toEqual({ replicas: 4, utilization: 100, averageValue: 100 });
  });

  it('keeps the count within the 10% tolerance', () => {
    const result = recommend('cpu', { kind: 'Utilization', percent: 50 }, 3, pods([54, 54, 54]));

    expect(result).toMatchObject({ replicas: 3, utilization: 54 });
  });

  it('scales down by the same formula', () => {
    const result = recommend(
      'cpu',
      { kind: 'Utilization', percent: 80 },
      4,
      pods([20, 20, 20, 20]),
    );

    expect(result).toMatchObject({ replicas: 1, utilization: 20 });
  });

  it('reads an AverageValue target per pod', () => {
    const result = recommend('memory', { kind: 'AverageValue', value: 100 }, 2, pods([300, 300]));

    expect(result).toMatchObject({ replicas: 6, averageValue: 300 });
  });

  it('does not let pods without metrics push a scale-up further', () => {
    const result = recommend(
      'cpu',
      { kind: 'Utilization', percent: 50 },
      3,
      pods([100, 100, undefined]),
    );

    // With the silent pod counted at zero usage: 200 / 300 = 66% of request, ratio 1.33, ceil(4).
    expect(result).toMatchObject({ replicas: 4 });
  });

  it('names the container without a request', () => {
    const samples: PodSample[] = [{ pod: 'web-abc', usage: 10, request: { missingIn: 'app' } }];

    const result = recommend('cpu', { kind: 'Utilization', percent: 50 }, 1, samples);

    expect(result).toEqual({ error: 'missing request for cpu in container app of Pod web-abc' });
  });

  it.each([
    [20, 1, { replicas: 5, limited: 'ScaleUpLimit' }],
    [9, 3, { replicas: 5, limited: 'TooManyReplicas' }],
    [1, 3, { replicas: 2, limited: 'TooFewReplicas' }],
    [4, 3, { replicas: 4, limited: undefined }],
  ])('normalizes %i from %i within 2..5 to %j', (desired, current, expected) => {
    const result = normalize(desired, current, { minReplicas: 2, maxReplicas: 5 });

    expect({ replicas: result.replicas, limited: result.limited?.reason }).toEqual(expected);
  });
});
