import { describe, expect, it } from 'vitest';
import { basicCredentials, displayUrl, hideSecrets, secretsOf } from './secrets.ts';

describe('keeping the GitOps credentials out of every text', () => {
  const settings = {
    repo: 'https://deployer:s3cr%40tpass@git.example.com/acme/deploy.git',
    forge: { token: 'gto_4f9a2b7c1d' },
  };

  it('hides the forge token, its basic-auth form and the password in the repository URL', () => {
    const secrets = secretsOf(settings);
    const text = [
      'fatal: could not read from https://deployer:s3cr%40tpass@git.example.com/acme/deploy.git',
      'token gto_4f9a2b7c1d refused',
      `Authorization: Basic ${basicCredentials('gto_4f9a2b7c1d')}`,
      'password was s3cr@tpass',
    ].join('\n');

    const shown = hideSecrets(text, secrets);

    expect(shown).not.toContain('gto_4f9a2b7c1d');
    expect(shown).not.toContain('s3cr');
    expect(shown).not.toContain(basicCredentials('gto_4f9a2b7c1d'));
    expect(shown).toContain('git.example.com/acme/deploy.git');
  });

  it('shows a repository URL without its user information', () => {
    expect(displayUrl('https://x-access-token:abc123@github.com/acme/deploy.git')).toBe(
      'https://[redacted]@github.com/acme/deploy.git',
    );
    expect(displayUrl('/srv/git/deploy.git')).toBe('/srv/git/deploy.git');
  });

  it('takes a token given as the URL user name as a secret too', () => {
    const secrets = secretsOf({
      repo: 'https://ghp_tokenonly99@github.com/a/b',
      forge: { token: 'tok-1234' },
    });

    expect(hideSecrets('ghp_tokenonly99 and tok-1234', secrets)).toBe('[redacted] and [redacted]');
  });
});
