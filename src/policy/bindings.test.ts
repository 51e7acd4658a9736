import { describe, expect, it } from 'vitest';
import { bindingFor, globMatches, mayApprove, mayRun } from './bindings.ts';
import { Binding } from './schema.ts';

const payments = Binding.parse({
  channel: 'slack:C0123ABCD',
  clusters: ['prod'],
  namespaces: ['payments', 'shop-*'],
  maxTier: 'confirm',
  approvers: ['slack:U0LEAD', 'slack:group:S0SRE', 'discord:role:123456'],
});
const readOnly = Binding.parse({ channel: 'web:general', clusters: ['prod'] });

describe('mayRun', () => {
  it('allows what the binding covers', () => {
    expect(mayRun(payments, { cluster: 'prod', namespace: 'payments' }, 'confirm')).toEqual({
      allowed: true,
    });
    expect(mayRun(payments, { cluster: 'prod', namespace: 'shop-eu' }, 'safe')).toEqual({
      allowed: true,
    });
  });

  it('says why it refuses', () => {
    expect(mayRun(undefined, { cluster: 'prod' }, 'safe')).toMatchObject({
      reason: expect.stringContaining('no binding'),
    });
    expect(mayRun(payments, { cluster: 'staging', namespace: 'payments' }, 'safe')).toMatchObject({
      reason: 'this channel is not bound to cluster staging',
    });
    expect(mayRun(payments, { cluster: 'prod', namespace: 'kube-system' }, 'safe')).toMatchObject({
      reason: 'this channel is not bound to namespace kube-system',
    });
    expect(mayRun(readOnly, { cluster: 'prod', namespace: 'payments' }, 'confirm')).toMatchObject({
      reason: 'this channel may only run safe (read-only) actions',
    });
    expect(mayRun(payments, { cluster: 'prod', namespace: 'payments' }, 'forbidden')).toMatchObject(
      {
        reason: 'this action is forbidden by the autonomy policy',
      },
    );
  });

  it('gives a binding without namespaces every namespace and only safe actions', () => {
    expect(readOnly.namespaces).toEqual(['*']);
    expect(readOnly.maxTier).toBe('safe');
    expect(mayRun(readOnly, { cluster: 'prod', namespace: 'anything' }, 'safe')).toEqual({
      allowed: true,
    });
  });
});

describe('mayApprove', () => {
  it('accepts approvers by user id, Slack group or Discord role', () => {
    expect(mayApprove(payments, { id: 'slack:U0LEAD' }, 'slack:U0DEV')).toEqual({ allowed: true });
    expect(
      mayApprove(
        payments,
        { id: 'slack:U0ONCALL', memberOf: ['slack:group:S0SRE'] },
        'slack:U0DEV',
      ),
    ).toEqual({
      allowed: true,
    });
    expect(
      mayApprove(
        payments,
        { id: 'discord:999999', memberOf: ['discord:role:123456'] },
        'alert:abc',
      ),
    ).toEqual({
      allowed: true,
    });
  });

  it('refuses people who are not approvers', () => {
    expect(
      mayApprove(payments, { id: 'slack:U0DEV', memberOf: ['slack:group:S0DEVS'] }, 'slack:U0LEAD'),
    ).toEqual({
      allowed: false,
      reason: 'you are not an approver for this channel',
    });
    expect(mayApprove(undefined, { id: 'slack:U0LEAD' }, 'slack:U0DEV').allowed).toBe(false);
  });

  it('refuses self-approval unless the binding allows it', () => {
    const selfOk = Binding.parse({ ...payments, allowSelfApproval: true });

    expect(mayApprove(payments, { id: 'slack:U0LEAD' }, 'slack:U0LEAD')).toEqual({
      allowed: false,
      reason: 'you asked for this change; someone else must approve it',
    });
    expect(mayApprove(selfOk, { id: 'slack:U0LEAD' }, 'slack:U0LEAD')).toEqual({ allowed: true });
  });
});

it('finds a channel binding by exact channel', () => {
  expect(bindingFor('slack:C0123ABCD', [readOnly, payments])).toBe(payments);
  expect(bindingFor('slack:C0OTHER', [readOnly, payments])).toBeUndefined();
});

it('matches namespace globs whole', () => {
  expect(globMatches('shop-*', 'shop-eu')).toBe(true);
  expect(globMatches('shop-*', 'myshop-eu')).toBe(false);
  expect(globMatches('team-?', 'team-a')).toBe(true);
  expect(globMatches('team-?', 'team-ab')).toBe(false);
  expect(globMatches('payments', 'payments-canary')).toBe(false);
});

it('refuses approver refs it cannot check', () => {
  expect(
    Binding.safeParse({ channel: 'web:x', clusters: ['prod'], approvers: ['U0LEAD'] }).success,
  ).toBe(false);
});
