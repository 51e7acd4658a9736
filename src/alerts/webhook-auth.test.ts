import { describe, expect, it } from 'vitest';
import { challenge, isAuthorized, type WebhookAuth } from './webhook-auth.ts';

const TOKEN = 'a-long-enough-token-1234';
const basicHeader = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('isAuthorized', () => {
  it('lets everything in when nothing is configured', () => {
    const open: WebhookAuth = { token: undefined, basic: undefined };

    expect(isAuthorized(undefined, open)).toBe(true);
  });

  describe('with a bearer token', () => {
    const auth: WebhookAuth = { token: TOKEN, basic: undefined };

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
    const auth: WebhookAuth = { token: TOKEN, basic: { username: 'am', password: 'pw' } };

    expect(isAuthorized(`Bearer ${TOKEN}`, auth)).toBe(true);
    expect(isAuthorized(basicHeader('am', 'pw'), auth)).toBe(true);
    expect(isAuthorized(basicHeader('am', 'no'), auth)).toBe(false);
  });
});
