import { describe, expect, it } from 'vitest';
import { placeOf, typedInputs } from './start-run.ts';

const workflow = {
  name: 'rollback-app',
  inputs: {
    app: { type: 'string' as const, required: true },
    revision: { type: 'number' as const, required: false, default: 0 },
    dry_run: { type: 'boolean' as const, required: false },
  },
};

describe("a run's inputs", () => {
  it('types what chat gives as text, and fills in defaults', () => {
    expect(typedInputs(workflow, { app: 'orders-api', revision: '3', dry_run: 'yes' })).toEqual({
      ok: true,
      inputs: { app: 'orders-api', revision: 3, dry_run: true },
    });
    expect(typedInputs(workflow, { app: 'orders-api', revision: '' })).toEqual({
      ok: true,
      inputs: { app: 'orders-api', revision: 0 },
    });
  });

  it("reads only what was given: an input named like an object's own property is not given", () => {
    const inherited = {
      name: 'w',
      inputs: {
        constructor: { type: 'string' as const, required: true },
        toString: { type: 'string' as const, required: false, default: 'kept' },
      },
    };
    expect(typedInputs(inherited, {})).toEqual({
      ok: false,
      error: 'constructor is required (string)',
    });
  });

  it('names a missing input, a value of the wrong type and an input it does not have', () => {
    expect(typedInputs(workflow, { revision: 'three' })).toEqual({
      ok: false,
      error: 'app is required (string); revision must be a number, not "three"',
    });
    expect(typedInputs(workflow, { app: 'a', color: 'red' })).toEqual({
      ok: false,
      error: 'it has no input color (inputs: app, revision, dry_run)',
    });
  });
});

describe('where a run reports and what it may touch', () => {
  const binding = {
    channel: 'web:ops',
    clusters: ['prod'],
    namespaces: ['shop-*'],
    maxTier: 'confirm' as const,
    approvers: [],
    allowSelfApproval: false,
  };
  const deps = {
    bindings: [binding],
    routes: [{ match: { team: 'shop' }, channels: ['web:ops'], continue: false }],
    defaultCluster: 'prod',
  };

  it("takes a person's channel and its binding", () => {
    expect(
      placeOf(
        {
          kind: 'workflow',
          workflow: 'w',
          trigger: 'manual',
          inputs: {},
          channel: 'web:ops',
          requester: 'web:dana',
        },
        deps,
      ),
    ).toEqual({
      channel: 'web:ops',
      requester: 'web:dana',
      cluster: 'prod',
      namespaces: ['shop-*'],
      maxTier: 'confirm',
    });
  });

  it("routes an alert's run by its labels; one no route sends to a bound channel posts nowhere and changes nothing", () => {
    const alert = { labels: { alertname: 'X', team: 'shop' } };
    expect(
      placeOf(
        {
          kind: 'workflow',
          workflow: 'w',
          trigger: 'alert',
          inputs: {},
          alert,
          requester: 'alert:1',
        },
        deps,
      ),
    ).toMatchObject({ channel: 'web:ops', namespaces: ['shop-*'], maxTier: 'confirm' });
    expect(
      placeOf(
        {
          kind: 'workflow',
          workflow: 'w',
          trigger: 'schedule',
          inputs: {},
          requester: 'schedule:w',
        },
        deps,
      ),
    ).toEqual({
      requester: 'schedule:w',
      cluster: 'prod',
      namespaces: ['*'],
      maxTier: 'safe',
    });
  });

  it('refuses a person in a channel without a binding', () => {
    expect(
      placeOf(
        {
          kind: 'workflow',
          workflow: 'w',
          trigger: 'manual',
          inputs: {},
          channel: 'web:random',
          requester: 'web:dana',
        },
        deps,
      ),
    ).toBe('this channel (web:random) has no binding, so I cannot run workflows here');
  });
});
