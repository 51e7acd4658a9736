import { describe, expect, it } from 'vitest';
import { Autonomy, DEFAULT_AUTONOMY, WorkflowAutonomy } from '../config/policy-schema.ts';
import { tierOf } from './tiers.ts';

describe('tierOf with the default policy', () => {
  it.each([
    ['get', undefined, 'safe'],
    ['describe', 'Pod', 'safe'],
    ['logs', 'Pod', 'safe'],
    ['list', undefined, 'safe'],
    ['top', 'Node', 'safe'],
    ['diff', undefined, 'safe'],
    ['delete', 'Pod', 'confirm'],
    ['patch', 'Deployment', 'confirm'],
    ['edit', undefined, 'confirm'],
    ['scale', 'Deployment', 'confirm'],
    ['rollout', 'Deployment', 'confirm'],
    ['apply', undefined, 'confirm'],
    ['drain', 'Node', 'forbidden'],
    ['cordon', 'Node', 'forbidden'],
    ['delete', 'Node', 'forbidden'],
    ['reset', undefined, 'forbidden'],
    ['exec', 'Pod', 'confirm'],
    ['delete', 'Deployment', 'forbidden'],
    ['delete', 'ConfigMap', 'forbidden'],
    ['delete', 'Namespace', 'forbidden'],
    ['patch', 'Node', 'forbidden'],
    ['sync', 'Application', 'confirm'],
  ] as const)('%s %s is %s', (verb, kind, tier) => {
    expect(tierOf(kind === undefined ? { verb } : { verb, kind }, DEFAULT_AUTONOMY)).toBe(tier);
  });
});

describe('workflow overrides', () => {
  const workflow = WorkflowAutonomy.parse({
    auto_approve: ['rollout', 'delete node', 'drain'],
    always_confirm: ['logs'],
  });

  it('lower confirm to safe for the actions they name', () => {
    expect(tierOf({ verb: 'rollout', kind: 'Deployment' }, DEFAULT_AUTONOMY, workflow)).toBe(
      'safe',
    );
    expect(tierOf({ verb: 'scale', kind: 'Deployment' }, DEFAULT_AUTONOMY, workflow)).toBe(
      'confirm',
    );
  });

  it('raise safe to confirm for the actions they name', () => {
    expect(tierOf({ verb: 'logs', kind: 'Pod' }, DEFAULT_AUTONOMY, workflow)).toBe('confirm');
  });

  it('can never unlock a forbidden action', () => {
    expect(tierOf({ verb: 'delete', kind: 'Node' }, DEFAULT_AUTONOMY, workflow)).toBe('forbidden');
    expect(tierOf({ verb: 'drain', kind: 'Node' }, DEFAULT_AUTONOMY, workflow)).toBe('forbidden');
  });
});

describe('Autonomy from config', () => {
  it('applies the seed defaults for what is left out', () => {
    const autonomy = Autonomy.parse({ confirm: ['delete', 'patch', 'scale'] });

    expect(autonomy.safe).toContain('logs');
    expect(tierOf({ verb: 'rollout' }, autonomy)).toBe('confirm');
    expect(tierOf({ verb: 'drain' }, autonomy)).toBe('forbidden');
  });

  it('lets an operator forbid more', () => {
    const autonomy = Autonomy.parse({
      forbidden: ['drain', 'cordon', 'delete node', 'reset', 'delete'],
    });

    expect(tierOf({ verb: 'delete', kind: 'Pod' }, autonomy)).toBe('forbidden');
  });

  it('reads `verb *` as every kind that no tier names with that verb', () => {
    const autonomy = Autonomy.parse({
      confirm: ['delete pod', 'delete job'],
      forbidden: ['delete *'],
    });

    expect(tierOf({ verb: 'delete', kind: 'Job' }, autonomy)).toBe('confirm');
    expect(tierOf({ verb: 'delete', kind: 'Pod' }, autonomy)).toBe('confirm');
    expect(tierOf({ verb: 'delete', kind: 'StatefulSet' }, autonomy)).toBe('forbidden');
    expect(tierOf({ verb: 'delete' }, autonomy)).toBe('forbidden');
  });

  it('lets always_confirm win over auto_approve for the kind it names', () => {
    const workflow = WorkflowAutonomy.parse({
      auto_approve: ['scale'],
      always_confirm: ['scale statefulset'],
    });

    expect(tierOf({ verb: 'scale', kind: 'Deployment' }, DEFAULT_AUTONOMY, workflow)).toBe('safe');
    expect(tierOf({ verb: 'scale', kind: 'StatefulSet' }, DEFAULT_AUTONOMY, workflow)).toBe(
      'confirm',
    );
  });

  it('lets no workflow unlock what `verb *` forbids', () => {
    const workflow = WorkflowAutonomy.parse({ auto_approve: ['delete deployment', 'delete'] });

    expect(tierOf({ verb: 'delete', kind: 'Deployment' }, DEFAULT_AUTONOMY, workflow)).toBe(
      'forbidden',
    );
  });

  it('applies the stricter tier when a verb is in two', () => {
    const autonomy = Autonomy.parse({ safe: ['get', 'scale'] });

    expect(tierOf({ verb: 'scale', kind: 'Deployment' }, autonomy)).toBe('confirm');
  });
});
