import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { leaderOf, loadConfig } from './load.ts';

const BASE = { REDIS_URL: 'redis://127.0.0.1:6379' };

function refusal(source: Record<string, string>): string {
  try {
    loadConfig(source);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('LEADER_LEASE', () => {
  it('elects no leader when unset', () => {
    expect(loadConfig(BASE).leader).toBeUndefined();
  });

  it('reads namespace/name, a 15 s default, and POD_NAME as the identity', () => {
    const config = loadConfig({ ...BASE, LEADER_LEASE: 'ops/coxswain-bot', POD_NAME: 'bot-7f9c' });

    expect(config.leader).toEqual({
      namespace: 'ops',
      name: 'coxswain-bot',
      durationSeconds: 15,
      identity: 'bot-7f9c',
      inCluster: false,
    });
  });

  it("takes the pod's namespace for a bare name, and the host and pid without POD_NAME", () => {
    const dir = mkdtempSync(join(tmpdir(), 'coxswain-sa-'));
    const namespaceFile = join(dir, 'namespace');
    writeFileSync(namespaceFile, 'chatops\n');
    const env = { LEADER_LEASE: 'coxswain-bot', LEADER_LEASE_SECONDS: 4, POD_NAME: undefined };

    const inPod = leaderOf(env, { KUBERNETES_SERVICE_HOST: '10.96.0.1' }, namespaceFile);
    const outside = leaderOf(env, {}, join(dir, 'missing'));

    expect(inPod).toMatchObject({ namespace: 'chatops', durationSeconds: 4, inCluster: true });
    expect(outside).toMatchObject({ namespace: 'default', inCluster: false });
    expect(outside?.identity).toBe(`${hostname()}_${process.pid}`);
  });

  it('refuses a bad name, a duration out of range, and a duration without a Lease', () => {
    expect(refusal({ ...BASE, LEADER_LEASE: 'Ops/Bot' })).toContain(
      'LEADER_LEASE: must be a Lease name or namespace/name',
    );
    expect(refusal({ ...BASE, LEADER_LEASE: 'a/b/c' })).toContain('LEADER_LEASE:');
    expect(refusal({ ...BASE, LEADER_LEASE: 'bot', LEADER_LEASE_SECONDS: '2' })).toContain(
      'LEADER_LEASE_SECONDS: must be between 3 and 300',
    );
    expect(refusal({ ...BASE, LEADER_LEASE: 'bot', LEADER_LEASE_SECONDS: '1.5' })).toContain(
      'LEADER_LEASE_SECONDS: must be a whole number',
    );
    expect(refusal({ ...BASE, LEADER_LEASE_SECONDS: '10' })).toContain(
      'LEADER_LEASE_SECONDS: is set but LEADER_LEASE is not',
    );
  });
});
