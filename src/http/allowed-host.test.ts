import { expect, it } from 'vitest';
import { isAllowedHost } from './allowed-host.ts';

it('accepts IP addresses and localhost with or without a port', () => {
  for (const host of [
    '127.0.0.1:8080',
    '127.0.0.1',
    '[::1]:8080',
    '10.0.3.7:8080',
    'localhost:8080',
    'LOCALHOST',
  ]) {
    expect(isAllowedHost(host, [])).toBe(true);
  }
});

it('accepts other names only when configured', () => {
  expect(isAllowedHost('coxswain.example.com', [])).toBe(false);
  expect(isAllowedHost('evil.example:8080', ['coxswain.example.com'])).toBe(false);
  expect(isAllowedHost('Coxswain.Example.com:443', ['coxswain.example.com'])).toBe(true);
});

it('refuses a missing Host', () => {
  expect(isAllowedHost(undefined, [])).toBe(false);
  expect(isAllowedHost('', [])).toBe(false);
});
