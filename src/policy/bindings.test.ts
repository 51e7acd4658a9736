import { describe, expect, it } from 'vitest';
import { Binding, Identity } from '../config/policy-schema.ts';
import { bindingFor, globMatches, listsApprover, mayApprove, mayRun } from './bindings.ts';

const NOBODY: Identity[] = [];

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
    expect(mayApprove(payments, { id: 'slack:U0LEAD' }, 'slack:U0DEV', NOBODY)).toEqual({
      allowed: true,
    });
    expect(
      mayApprove(
        payments,
        { id: 'slack:U0ONCALL', memberOf: ['slack:group:S0SRE'] },
        'slack:U0DEV',
        NOBODY,
      ),
    ).toEqual({
      allowed: true,
    });
    expect(
      mayApprove(
        payments,
        { id: 'discord:999999', memberOf: ['discord:role:123456'] },
        'alert:abc',
        NOBODY,
      ),
    ).toEqual({
      allowed: true,
    });
  });

  it('refuses people who are not approvers', () => {
    expect(
      mayApprove(
        payments,
        { id: 'slack:U0DEV', memberOf: ['slack:group:S0DEVS'] },
        'slack:U0LEAD',
        NOBODY,
      ),
    ).toEqual({
      allowed: false,
      reason: 'you are not an approver for this channel',
    });
    expect(mayApprove(undefined, { id: 'slack:U0LEAD' }, 'slack:U0DEV', NOBODY).allowed).toBe(
      false,
    );
  });

  it('refuses self-approval unless the binding allows it', () => {
    const selfOk = Binding.parse({ ...payments, allowSelfApproval: true });

    expect(mayApprove(payments, { id: 'slack:U0LEAD' }, 'slack:U0LEAD', NOBODY)).toEqual({
      allowed: false,
      reason: 'you asked for this change; someone else must approve it',
    });
    expect(mayApprove(selfOk, { id: 'slack:U0LEAD' }, 'slack:U0LEAD', NOBODY)).toEqual({
      allowed: true,
    });
  });
});

describe('mayApprove across one person’s accounts', () => {
  const people = [
    Identity.parse({ name: 'dana', ids: ['slack:U0DANA', 'web:dana', 'discord:4242'] }),
    Identity.parse({ name: 'lee', ids: ['slack:U0LEAD', 'web:lee'] }),
  ];
  const web = Binding.parse({
    channel: 'web:ops',
    clusters: ['prod'],
    maxTier: 'confirm',
    approvers: ['slack:U0DANA', 'slack:U0LEAD', 'slack:group:S0SRE'],
  });

  it('lets a person approve under another of their ids', () => {
    expect(mayApprove(web, { id: 'web:dana' }, 'slack:U0LEAD', people)).toEqual({ allowed: true });
    expect(mayApprove(web, { id: 'discord:4242' }, 'web:lee', people)).toEqual({ allowed: true });
  });

  it('refuses self-approval under another id of the person who asked', () => {
    expect(mayApprove(web, { id: 'web:dana' }, 'slack:U0DANA', people)).toEqual({
      allowed: false,
      reason: 'you asked for this change; someone else must approve it',
    });
    expect(mayApprove(web, { id: 'slack:U0LEAD' }, 'web:lee', people).allowed).toBe(false);
    expect(
      mayApprove(
        Binding.parse({ ...web, allowSelfApproval: true }),
        { id: 'web:dana' },
        'slack:U0DANA',
        people,
      ),
    ).toEqual({ allowed: true });
  });

  it('does not join ids that no person lists together', () => {
    expect(mayApprove(web, { id: 'web:dana' }, 'slack:U0DANA', NOBODY)).toMatchObject({
      reason: 'you are not an approver for this channel',
    });
    expect(mayApprove(web, { id: 'web:sam' }, 'slack:U0DANA', people).allowed).toBe(false);
    expect(mayApprove(web, { id: 'web:lee' }, 'slack:U0DANA', people)).toEqual({ allowed: true });
  });

  it('counts groups only as the clicking platform reports them', () => {
    const sre = Identity.parse({ name: 'sam', ids: ['slack:U0SAM', 'web:sam'] });

    expect(listsApprover(web, { id: 'slack:U0SAM', memberOf: ['slack:group:S0SRE'] }, [sre])).toBe(
      true,
    );
    expect(listsApprover(web, { id: 'web:sam' }, [sre])).toBe(false);
    expect(listsApprover(undefined, { id: 'web:dana' }, people)).toBe(false);
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
