import { expect, it } from 'vitest';
import { loadConfig } from '../config/index.ts';
import { CoxswainError } from '../errors.ts';
import { checkWebExposure } from './check-web-exposure.ts';

const config = (env: Record<string, string>) =>
  loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', ...env });

it('serves without tokens on a loopback address only', () => {
  for (const host of ['127.0.0.1', '127.0.1.1', '::1', 'localhost'])
    expect(() => checkWebExposure(config({ HOST: host }))).not.toThrow();

  expect(() => checkWebExposure(config({ HOST: '0.0.0.0' }))).toThrow(CoxswainError);
  expect(() => checkWebExposure(config({ HOST: '::' }))).toThrow(
    /set DASHBOARD_TOKENS \(name:token,…\) so that people sign in, or HOST=127\.0\.0\.1/,
  );
});

it('serves anywhere once people sign in', () => {
  expect(() =>
    checkWebExposure(config({ HOST: '0.0.0.0', DASHBOARD_TOKENS: 'kim:kim-token-0123456789' })),
  ).not.toThrow();
});
