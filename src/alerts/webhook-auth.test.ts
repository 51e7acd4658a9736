import { describe, expect, it } from 'vitest';
import { challenge, isAuthorized, requireWebhookAuth, type WebhookAuth } from './webhook-auth.ts';

const TOKEN = 'a-long-enough-token-1234';
const basicHeader = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('isAuthorized', () => {
  it('lets everything in only when left open on purpose', () => {
    const open: WebhookAuth = { token: undefined, basic: undefined, open: true };
    const unset: WebhookAuth = { token: undefined, basic: undefined, open: false };

    expect(isAuthorized(undefined, open)).toBe(true);
    expect(isAuthorized(undefined, unset)).toBe(false);
    expect(isAuthorized('Bearer anything-at-all-here', unset)).toBe(false);
  });

  describe('with a bearer token', () => {
    const auth: WebhookAuth = { token: TOKEN, basic: undefined, open: false };

    it('accepts the token', () => {
      expect(isAuthorized(`Bearer ${TOKEN}`, auth)).toBe(true);
      expect(isAuthorized(`bearer ${TOKEN}`, auth)).toBe(true);
    });

    it('refuses a missing, wrong, truncated or extended token', () => {
      expect(isAuthorized(undefined, auth)).toBe(false);
      expect(isAuthorized('Bearer wrong-token-of-some-length', auth)).toBe(false);
      expect(isAuthorized(`Bearer ${TOKEN.slice(0, -1)}`, auth)).toBe(false);
      expect(isAuthorized(`Bearer ${TOKEN}x`, auth)).toBe(false);
      expect(isAuthorized(TOKEN, auth)).toBe(false);
    });

    it('refuses basic credentials when only a token is configured', () => {
      expect(isAuthorized(basicHeader('user', TOKEN), auth)).toBe(false);
    });
  });

  describe('with basic credentials', () => {
    const auth: WebhookAuth = {
      token: undefined,
      basic: { username: 'alertmanager', password: 'p:ss word' },
      open: false,
    };

    it('accepts the right pair, with a colon in the password', () => {
      expect(isAuthorized(basicHeader('alertmanager', 'p:ss word'), auth)).toBe(true);
    });

    it('refuses a wrong user or password', () => {
      expect(isAuthorized(basicHeader('alertmanager', 'nope'), auth)).toBe(false);
      expect(isAuthorized(basicHeader('someone', 'p:ss word'), auth)).toBe(false);
      expect(isAuthorized('Basic bm9jb2xvbg==', auth)).toBe(false);
      expect(isAuthorized(`Bearer ${TOKEN}`, auth)).toBe(false);
    });

    it('asks for basic credentials in the challenge', () => {
      expect(challenge(auth)).toEqual({ 'www-authenticate': 'Basic realm="coxswain"' });
    });
  });

  it('accepts either scheme when both are configured', () => {
    const auth: WebhookAuth = {
      token: TOKEN,
      basic: { username: 'am', password: 'pw' },
      open: false,
    };

    expect(isAuthorized(`Bearer ${TOKEN}`, auth)).toBe(true);
    expect(isAuthorized(basicHeader('am', 'pw'), auth)).toBe(true);
    expect(isAuthorized(basicHeader('am', 'no'), auth)).toBe(false);
  });
});

describe('requireWebhookAuth', () => {
  it('refuses a webhook with no credentials, saying what to set', () => {
    const unset: WebhookAuth = { token: undefined, basic: undefined, open: false };

    expect(() => requireWebhookAuth(unset)).toThrow(
      /set ALERTMANAGER_TOKEN.*ALERTMANAGER_AUTH=none/,
    );
  });

  it('accepts a token, basic credentials, or open on purpose', () => {
    const basic = { username: 'am', password: 'pw' };

    expect(() => requireWebhookAuth({ token: TOKEN, basic: undefined, open: false })).not.toThrow();
    expect(() => requireWebhookAuth({ token: undefined, basic, open: false })).not.toThrow();
    expect(() =>
      requireWebhookAuth({ token: undefined, basic: undefined, open: true }),
    ).not.toThrow();
  });
});
