import { describe, expect, it } from 'vitest';
import type { AppSpec, AppStatus } from './application.ts';
import { withCondition, withHistory } from './application.ts';
import { autoSync } from './auto-sync.ts';
import type { Comparison } from './comparison.ts';

const REV = 'a'.repeat(40);
const OLD = 'b'.repeat(40);
const T0 = Date.parse('2026-03-02T10:00:00Z');

const drifted: Comparison = {
  sync: 'OutOfSync',
  health: { status: 'Healthy' },
  resources: [
    {
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
      namespace: 'shop',
      name: 'cart',
      status: 'OutOfSync',
    },
  ],
  extra: [],
  drift: new Map([['apps/Deployment/shop/cart', [{ path: 'spec.replicas', desired: 3, live: 2 }]]]),
};
const synced: Comparison = { ...drifted, sync: 'Synced', drift: new Map() };

const spec = (syncPolicy: NonNullable<AppSpec['syncPolicy']>): AppSpec => ({ syncPolicy });
const last = (revision: string, phase: 'Succeeded' | 'Failed', count?: number): AppStatus => ({
  operationState: {
    operation: {
      sync: { revision, ...(count === undefined ? {} : { selfHealAttemptsCount: count }) },
      initiatedBy: { automated: true },
    },
    phase,
    message: '',
    startedAt: new Date(T0).toISOString(),
    finishedAt: new Date(T0 + 1000).toISOString(),
    syncResult: { revision, source: {}, resources: [] },
  },
});

describe('the automated sync policy', () => {
  it('leaves a manual application, or a Synced one, alone', () => {
    expect(autoSync(spec({}), {}, REV, drifted, T0).kind).toBe('none');
    expect(autoSync(spec({ automated: {} }), {}, REV, synced, T0).kind).toBe('none');
  });

  it('syncs to a revision it has not synced yet, as an automated operation', () => {
    const decision = autoSync(
      spec({ automated: { prune: true } }),
      last(OLD, 'Succeeded'),
      REV,
      drifted,
      T0 + 60_000,
    );

    expect(decision).toEqual({
      kind: 'sync',
      operation: { sync: { revision: REV, prune: true }, initiatedBy: { automated: true } },
      message: `Initiated automated sync to '${REV}'`,
    });
  });

  it('does not try a failed revision again, nor revert drift without self-heal', () => {
    expect(
      autoSync(spec({ automated: {} }), last(REV, 'Failed'), REV, drifted, T0 + 60_000).kind,
    ).toBe('none');
    expect(
      autoSync(spec({ automated: {} }), last(REV, 'Succeeded'), REV, drifted, T0 + 60_000).kind,
    ).toBe('none');
  });

  it('self-heals drift on the same revision after the self-heal timeout, counting the attempts', () => {
    const policy = spec({ automated: { selfHeal: true } });

    const early = autoSync(policy, last(REV, 'Succeeded', 2), REV, drifted, T0 + 2000);
    const later = autoSync(policy, last(REV, 'Succeeded', 2), REV, drifted, T0 + 6000);

    expect(early).toEqual({ kind: 'wait', until: T0 + 6000 });
    expect(later).toMatchObject({
      kind: 'sync',
      operation: { sync: { revision: REV, prune: false, selfHealAttemptsCount: 3 } },
      message: `Initiated automated sync to '${REV}' to self-heal: apps/Deployment shop/cart (spec.replicas)`,
    });
  });
});

describe('history and conditions', () => {
  it('numbers deployments from 0 and keeps the last ten', () => {
    let history = withHistory(undefined, {
      revision: 'r0',
      deployedAt: 't',
      deployStartedAt: 't',
      source: {},
    });
    for (let i = 1; i < 12; i++)
      history = withHistory(history, {
        revision: `r${i}`,
        deployedAt: 't',
        deployStartedAt: 't',
        source: {},
      });

    expect(history).toHaveLength(10);
    expect(history.map((h) => h.id)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('keeps a condition’s transition time while its message holds, and removes it when cleared', () => {
    const set = withCondition(undefined, 'SyncError', 'refused', 't1');
    const again = withCondition(set, 'SyncError', 'refused', 't2');
    const changed = withCondition(again, 'SyncError', 'refused again', 't3');

    expect(again).toEqual([{ type: 'SyncError', message: 'refused', lastTransitionTime: 't1' }]);
    expect(changed[0]?.lastTransitionTime).toBe('t3');
    expect(withCondition(changed, 'SyncError', undefined, 't4')).toEqual([]);
  });
});
