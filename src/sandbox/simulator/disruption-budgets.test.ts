import { describe, expect, it } from 'vitest';
import type { KObject } from '../api/store.ts';
import { budgetCounts, scaled } from './disruption-budgets.ts';

function pod(name: string, ready: boolean, deleting = false): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

const pods = [pod('a', true), pod('b', true), pod('c', false), pod('d', true, true)];

describe('a disruption budget', () => {
  it('with an integer minAvailable expects the pods it selects and counts the ready ones', () => {
    const counts = budgetCounts({ minAvailable: 2 }, pods, 5, {});

    expect(counts).toEqual({ expectedPods: 4, desiredHealthy: 2, currentHealthy: 2 });
  });

  it('with maxUnavailable expects what the controllers want', () => {
    const counts = budgetCounts({ maxUnavailable: '25%' }, pods, 4, {});

    expect(counts).toEqual({ expectedPods: 4, desiredHealthy: 3, currentHealthy: 2 });
  });

  it('does not count a pod it let be evicted as healthy', () => {
    const counts = budgetCounts({ minAvailable: 1 }, pods, 4, { a: '2026-01-01T00:00:00Z' });

    expect(counts.currentHealthy).toBe(1);
  });

  it('rounds a percentage up', () => {
    expect(scaled('50%', 3)).toBe(2);
    expect(scaled(1, 3)).toBe(1);
  });
});
