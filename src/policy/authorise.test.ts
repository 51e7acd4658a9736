import { describe, expect, it } from 'vitest';
import { Autonomy, Binding, Identity } from '../config/policy-schema.ts';
import { authorise } from './authorise.ts';

const autonomy = Autonomy.parse({ forbidden: ['delete namespace'] });
const people = [Identity.parse({ name: 'lee', ids: ['slack:U0LEAD', 'web:lee'] })];
const payments = Binding.parse({
  channel: 'slack:C0PAY',
  clusters: ['prod'],
  namespaces: ['payments', 'shop-*'],
  maxTier: 'confirm',
  approvers: ['slack:U0LEAD', 'slack:group:S0SRE'],
});
const readOnly = Binding.parse({ channel: 'web:general', clusters: ['prod'] });
const bindings = [payments, readOnly];
const clusters = ['prod', 'staging'];

const restart = {
  summary: 'Restart deployment payments/api',
  verb: 'restart',
  target: { kind: 'Deployment', cluster: 'prod', namespace: 'payments' },
};
const dropNamespace = {
  summary: 'Delete namespace payments',
  verb: 'delete',
  target: { kind: 'Namespace', cluster: 'prod' },
};

describe('authorise.command', () => {
  it('allows a skill in the bound scope', () => {
    const answer = authorise.command(
      { channel: 'slack:C0PAY', command: { name: 'status' } },
      { bindings, clusters },
    );

    expect(answer).toEqual({
      allowed: true,
      cluster: 'prod',
      namespaces: ['payments', 'shop-*'],
    });
  });

  it('refuses an unbound channel, naming it and the clusters', () => {
    const answer = authorise.command(
      { channel: 'slack:C0NONE', command: { name: 'status' } },
      { bindings, clusters },
    );

    expect(answer).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('this channel (slack:C0NONE) has no binding'),
    });
    expect(answer).toMatchObject({ reason: expect.stringContaining('(prod, staging)') });
  });
});

describe('authorise.ask', () => {
  it('allows the binding’s first cluster when none is named', () => {
    expect(authorise.ask({ channel: 'slack:C0PAY', cluster: undefined }, { bindings })).toEqual({
      allowed: true,
      cluster: 'prod',
      namespaces: ['payments', 'shop-*'],
    });
  });

  it('refuses an unbound channel and a cluster outside the binding', () => {
    expect(authorise.ask({ channel: 'slack:C0NONE', cluster: undefined }, { bindings })).toEqual({
      allowed: false,
      headline: 'I cannot answer questions here',
      reason:
        'this channel (slack:C0NONE) has no binding, so I can only answer help here. An operator can add one to the config file (COXSWAIN_CONFIG) under bindings:.',
    });
    expect(authorise.ask({ channel: 'slack:C0PAY', cluster: 'staging' }, { bindings })).toEqual({
      allowed: false,
      headline: 'I cannot run that on cluster staging',
      reason: 'this channel is bound to prod',
    });
  });
});

describe('authorise.workflowNamespace', () => {
  it('allows a bound namespace, and leaves an unbound channel to asking', () => {
    expect(
      authorise.workflowNamespace({ channel: 'slack:C0PAY', namespace: 'shop-eu' }, { bindings }),
    ).toEqual({ allowed: true });
    expect(
      authorise.workflowNamespace(
        { channel: 'slack:C0NONE', namespace: 'kube-system' },
        { bindings },
      ),
    ).toEqual({ allowed: true });
  });

  it('refuses a namespace outside the binding', () => {
    expect(
      authorise.workflowNamespace(
        { channel: 'slack:C0PAY', namespace: 'kube-system' },
        { bindings },
      ),
    ).toEqual({
      allowed: false,
      reason: 'this channel is not bound to namespace kube-system (bound: payments, shop-*)',
    });
  });
});

describe('authorise.stillBound', () => {
  it('gives the binding’s scope now, and a run with no channel its own', () => {
    expect(
      authorise.stillBound(
        { channel: 'slack:C0PAY', cluster: 'prod', namespaces: ['old'] },
        { bindings },
      ),
    ).toEqual({
      allowed: true,
      cluster: 'prod',
      namespaces: ['payments', 'shop-*'],
      maxTier: 'confirm',
    });
    expect(
      authorise.stillBound(
        { channel: undefined, cluster: 'prod', namespaces: ['a'] },
        { bindings },
      ),
    ).toEqual({ allowed: true, cluster: 'prod', namespaces: ['a'], maxTier: 'confirm' });
  });

  it('keeps a run queued for one namespace (an alert’s investigation) to it', () => {
    expect(
      authorise.stillBound(
        { channel: 'slack:C0PAY', cluster: 'prod', namespaces: ['shop-eu'] },
        { bindings },
      ),
    ).toMatchObject({ allowed: true, namespaces: ['shop-eu'] });
  });

  it('refuses a channel no longer bound to the cluster', () => {
    expect(
      authorise.stillBound(
        { channel: 'slack:C0PAY', cluster: 'staging', namespaces: ['payments'] },
        { bindings },
      ),
    ).toEqual({
      allowed: false,
      reason:
        'This channel is no longer bound to that cluster, so I stopped. An operator can bind it in the config file.',
    });
  });
});

describe('authorise.read', () => {
  const run = { cluster: 'prod', namespaces: ['payments', 'shop-*'] };

  it('allows a read in a namespace the run may see, and anything with *', () => {
    expect(authorise.read({ tool: 'get', scope: { namespaces: ['shop-eu'] } }, run)).toEqual({
      allowed: true,
    });
    expect(
      authorise.read(
        { tool: 'get', scope: { namespaces: 'all' } },
        { cluster: 'prod', namespaces: ['*'] },
      ),
    ).toEqual({ allowed: true });
  });

  it('refuses another cluster, a cluster-wide read and a namespace outside', () => {
    expect(
      authorise.read({ tool: 'get', scope: { cluster: 'staging', namespaces: ['payments'] } }, run),
    ).toEqual({ allowed: false, reason: 'get reaches cluster staging; this run is on prod' });
    expect(authorise.read({ tool: 'get', scope: { namespaces: 'all' } }, run)).toEqual({
      allowed: false,
      reason: 'get needs a namespace here: this channel may see payments, shop-*',
    });
    expect(authorise.read({ tool: 'get', scope: { namespaces: ['kube-system'] } }, run)).toEqual({
      allowed: false,
      reason: 'namespace kube-system is outside what this channel may see (payments, shop-*)',
    });
  });
});

describe('authorise.propose', () => {
  it('allows an action within the channel’s tier, saying its tier', () => {
    expect(authorise.propose({ action: restart }, { autonomy, maxTier: 'confirm' })).toEqual({
      allowed: true,
      tier: 'confirm',
    });
  });

  it('refuses a forbidden action and one above the channel’s tier', () => {
    expect(authorise.propose({ action: dropNamespace }, { autonomy, maxTier: 'confirm' })).toEqual({
      allowed: false,
      reason: 'Delete namespace payments: forbidden by the autonomy policy; it cannot be proposed',
    });
    expect(authorise.propose({ action: restart }, { autonomy, maxTier: 'safe' })).toEqual({
      allowed: false,
      reason:
        'Restart deployment payments/api: this channel may only run safe (read-only) actions, so it cannot be proposed here',
    });
  });
});

describe('authorise.offer', () => {
  it('allows a fix the binding reaches', () => {
    expect(
      authorise.offer({ channel: 'slack:C0PAY', action: restart }, { bindings, autonomy }),
    ).toEqual({ allowed: true, tier: 'confirm' });
  });

  it('refuses one above the tier or outside the binding', () => {
    expect(
      authorise.offer({ channel: 'web:general', action: restart }, { bindings, autonomy }),
    ).toEqual({ allowed: false, reason: 'this channel may only run safe (read-only) actions' });
    expect(
      authorise.offer(
        {
          channel: 'slack:C0PAY',
          action: { ...restart, target: { ...restart.target, namespace: 'x' } },
        },
        { bindings, autonomy },
      ),
    ).toEqual({ allowed: false, reason: 'this channel is not bound to namespace x' });
  });
});

describe('authorise.approver', () => {
  it('allows a person the channel lists under any of their ids', () => {
    expect(
      authorise.approver(
        { channel: 'slack:C0PAY', person: { id: 'web:lee' } },
        { bindings, people },
      ),
    ).toEqual({ allowed: true });
  });

  it('refuses anyone else', () => {
    expect(
      authorise.approver(
        { channel: 'slack:C0PAY', person: { id: 'web:sam' } },
        { bindings, people },
      ),
    ).toEqual({
      allowed: false,
      reason: 'you are not an approver for the channel of this proposal',
    });
  });
});

describe('authorise.decide', () => {
  const card = { channel: 'slack:C0PAY', requester: 'slack:U0ASK' } as const;

  it('allows an approver, and the asker to withdraw their own proposal', () => {
    expect(
      authorise.decide(
        {
          ...card,
          verdict: 'approve',
          person: { id: 'slack:U9', memberOf: ['slack:group:S0SRE'] },
        },
        { bindings, people },
      ),
    ).toEqual({ allowed: true });
    expect(
      authorise.decide(
        { ...card, verdict: 'reject', person: { id: 'slack:U0ASK' } },
        { bindings, people },
      ),
    ).toEqual({ allowed: true });
  });

  it('refuses a non-approver and self-approval under another id', () => {
    expect(
      authorise.decide(
        { ...card, verdict: 'approve', person: { id: 'slack:U9' } },
        { bindings, people },
      ),
    ).toEqual({ allowed: false, reason: 'you are not an approver for this channel' });
    expect(
      authorise.decide(
        { ...card, requester: 'web:lee', verdict: 'approve', person: { id: 'slack:U0LEAD' } },
        { bindings, people },
      ),
    ).toEqual({
      allowed: false,
      reason: 'you asked for this change; someone else must approve it',
    });
  });
});

describe('authorise.execute', () => {
  const approved = {
    channel: 'slack:C0PAY',
    requester: 'slack:U0ASK',
    decidedBy: 'slack:U0LEAD',
    decidedVia: [],
    action: restart,
  } as const;

  it('allows an approval that still holds', () => {
    expect(authorise.execute(approved, { bindings, people, autonomy })).toEqual({ allowed: true });
  });

  it('refuses an undecided card, a binding that no longer reaches, an approver no longer listed', () => {
    expect(
      authorise.execute({ ...approved, decidedBy: undefined }, { bindings, people, autonomy }),
    ).toEqual({ allowed: false, reason: 'nobody approved it' });
    expect(authorise.execute(approved, { bindings: [readOnly], people, autonomy })).toEqual({
      allowed: false,
      reason:
        'no longer allowed: this channel has no binding: an operator must bind it to clusters and namespaces first',
    });
    expect(
      authorise.execute(approved, { bindings: [{ ...payments, approvers: [] }], people, autonomy }),
    ).toEqual({
      allowed: false,
      reason: 'the approval no longer holds: you are not an approver for this channel',
    });
  });
});

describe('authorise.suspend', () => {
  it('allows an approver of any channel, by any of their ids', () => {
    expect(authorise.suspend({ person: { id: 'web:lee' } }, { bindings, people })).toEqual({
      allowed: true,
    });
  });

  it('refuses someone no channel lists', () => {
    expect(authorise.suspend({ person: { id: 'web:sam' } }, { bindings, people })).toEqual({
      allowed: false,
      reason: 'only an approver of some channel may suspend or resume writes',
    });
  });
});

describe('authorise.feedback', () => {
  it('allows anyone in a bound channel, approver or not', () => {
    expect(authorise.feedback({ channel: 'web:general' }, { bindings })).toEqual({
      allowed: true,
    });
  });

  it('refuses a channel that is not bound', () => {
    expect(authorise.feedback({ channel: 'slack:C0ELSE' }, { bindings })).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('not bound'),
    });
  });
});
