import { describe, expect, it } from 'vitest';
import { ApiError } from '../store.ts';
import { ADMIN, authenticate, impersonatedUser, impersonationOf } from './authenticate.ts';
import { TokenIssuer } from './tokens.ts';

const claims = {
  namespace: 'ops',
  name: 'bot',
  uid: 'u-1',
  audiences: ['https://kubernetes.default.svc.cluster.local'],
};

describe('TokenIssuer', () => {
  it('verifies its own tokens until they expire', () => {
    const issuer = new TokenIssuer();
    const token = issuer.issue({ ...claims, expiresAt: 2_000_000 }, 1_000_000);

    expect(issuer.verify(token, 1_500_000)).toMatchObject({
      namespace: 'ops',
      name: 'bot',
      uid: 'u-1',
    });
    expect(issuer.verify(token, 2_000_000)).toBeUndefined();
  });

  it('refuses a token another issuer signed, or one altered', () => {
    const token = new TokenIssuer().issue({ ...claims, expiresAt: 2_000_000 }, 1_000_000);
    const [header, , signature] = token.split('.');
    const forged = `${header}.${Buffer.from('{"exp":9999999999}').toString('base64url')}.${signature}`;

    expect(new TokenIssuer().verify(token, 1_000_000)).toBeUndefined();
    expect(new TokenIssuer().verify(forged, 1_000_000)).toBeUndefined();
    expect(new TokenIssuer().verify('not-a-token', 1_000_000)).toBeUndefined();
  });
});

describe('authenticate', () => {
  it('takes a request without credentials as the administrator', () => {
    expect(authenticate({}, () => undefined)).toEqual({ user: ADMIN, kubeconfigUser: true });
  });

  it('takes a good token as its ServiceAccount with the ServiceAccount groups', () => {
    const requester = authenticate({ authorization: 'Bearer abc' }, () => ({
      ...claims,
      expiresAt: 1,
    }));

    expect(requester.user).toEqual({
      name: 'system:serviceaccount:ops:bot',
      uid: 'u-1',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:ops', 'system:authenticated'],
    });
  });

  it('refuses an unknown token with 401', () => {
    const refuse = () => authenticate({ authorization: 'Bearer abc' }, () => undefined);

    expect(refuse).toThrow(ApiError);
    expect(refuse).toThrow('Unauthorized');
  });
});

describe('impersonation', () => {
  it('acts as the user with the groups asked and system:authenticated', () => {
    const asked = impersonationOf({ 'impersonate-user': 'bob', 'impersonate-group': 'a, b' });

    expect(asked).toEqual({ user: 'bob', groups: ['a', 'b'], extra: {} });
    expect(impersonatedUser(asked as NonNullable<typeof asked>)).toEqual({
      name: 'bob',
      groups: ['a', 'b', 'system:authenticated'],
    });
  });

  it('gives an impersonated ServiceAccount its groups when none are asked', () => {
    const user = impersonatedUser({ user: 'system:serviceaccount:ops:bot', groups: [], extra: {} });

    expect(user.groups).toEqual([
      'system:serviceaccounts',
      'system:serviceaccounts:ops',
      'system:authenticated',
    ]);
  });

  it('asks nothing without the headers', () => {
    expect(impersonationOf({})).toBeUndefined();
  });

  it('reads an empty Impersonate-User as no impersonation', () => {
    expect(impersonationOf({ 'impersonate-user': '' })).toBeUndefined();
  });

  it('reads Impersonate-Extra-* headers by their lowercased, percent-decoded key', () => {
    const asked = impersonationOf({
      'impersonate-user': 'bob',
      'impersonate-extra-scopes': 'view, edit',
      'impersonate-extra-example.com%2fteam': 'ops',
    });

    expect(asked?.extra).toEqual({ scopes: ['view', 'edit'], 'example.com/team': ['ops'] });
    expect(impersonatedUser(asked as NonNullable<typeof asked>).extra).toEqual(asked?.extra);
  });
});
