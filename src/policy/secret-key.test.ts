import { describe, expect, it } from 'vitest';
import { isHarmlessValue, isSecretKey, keyWords, namesASecret } from './secret-key.ts';

describe('isSecretKey', () => {
  it.each([
    'password',
    'DB_PASSWORD',
    'PGPASSWORD',
    'passwd',
    'pass',
    'pwd',
    'secret',
    'client_secret',
    'SECRET_KEY_BASE',
    'token',
    'accessToken',
    'X-Vault-Token',
    '_authToken',
    'csrftoken',
    'api_key',
    'apiKey',
    'X-API-Key',
    'tls.key',
    'AccountKey',
    'credentials',
    'auth',
    'Authorization',
    'Cookie',
    'Set-Cookie',
    'session',
    'JSESSIONID',
    'private',
    'private_key',
    'dsn',
    'SENTRY_DSN',
    'db_connection',
    'ConnectionStrings__Default',
    '--db-password',
    'example.com/api-token',
    'client-key-data',
    '.dockerconfigjson',
    '.dockercfg',
    'WEBHOOK_HMAC',
    'KEY',
    'PIN',
    'sim_pin',
  ])('%s names a secret', (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  it.each([
    'key',
    'key_count',
    'topologyKey',
    'cache_key',
    'public_key',
    'secretName',
    'secretKeyRef',
    'sessionAffinity',
    'session_timeout',
    'password_file',
    '--password-stdin',
    'token_ttl',
    'tokenizer',
    'max_tokens',
    'keycloak',
    'authz-proxy',
    'auth_url',
    'connection',
    'SharedAccessKeyName',
    'LOG_LEVEL',
    'name',
    'client-certificate-data',
    'certificate-authority-data',
  ])('%s does not', (key) => {
    expect(isSecretKey(key)).toBe(false);
  });

  it('splits keys into words however they are written', () => {
    expect(keyWords('X-API-Key')).toEqual(['x', 'api', 'key']);
    expect(keyWords('secretKeyRef')).toEqual(['secret', 'key', 'ref']);
    expect(keyWords('vault.hashicorp.com/agent-inject-token')).toEqual([
      'vault',
      'hashicorp',
      'com',
      'agent',
      'inject',
      'token',
    ]);
  });
});

describe('isHarmlessValue', () => {
  it.each([
    '',
    'true',
    'false',
    'null',
    '$DB_PASSWORD',
    '$(API_TOKEN)',
    '****',
    '[redacted]',
    'enabled',
    'Disabled',
  ])('%s is left alone under a secret key', (value) => {
    expect(isHarmlessValue(value)).toBe(true);
  });

  it('knows a diff of hidden values, and nothing that shows one', () => {
    expect(isHarmlessValue('(unset) → [redacted; changed]')).toBe(true);
    expect(isHarmlessValue('(unset) → true')).toBe(true);
    expect(isHarmlessValue('hunter2 → [redacted; changed]')).toBe(false);
    expect(isHarmlessValue('hunter2')).toBe(false);
  });
});

describe('namesASecret', () => {
  it.each([
    ['existingSecret', 'db-creds'],
    ['passwordSecret', 'pg-app.auth'],
    ['credentialsSecret', 'aws-creds'],
    ['secret', 'webhook-signing'],
  ])('%s: %s names a Kubernetes Secret, which stays readable', (key, value) => {
    expect(namesASecret(key, value)).toBe(true);
    expect(isHarmlessValue(value, key)).toBe(true);
  });

  it.each([
    ['client_secret', 'my-oauth-client'],
    ['JWT_SECRET', 'team-shared-key'],
    ['existingSecret', 'db-creds-7f9c2b1d4k'],
    ['secret', 'hunter2'],
    ['secret', 'Hunter2-xyz'],
    ['password', 'db-creds'],
    ['existingSecret', 'db'],
  ])('%s: %s may be the secret itself', (key, value) => {
    expect(namesASecret(key, value)).toBe(false);
  });
});
