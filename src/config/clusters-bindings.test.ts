import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CoxswainError } from '../errors.ts';
import { loadClusterConfig, loadConfig } from './load.ts';

const BASE = { REDIS_URL: 'redis://127.0.0.1:6379' };

function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'coxswain-config-'));
  const path = join(dir, 'coxswain.yaml');
  writeFileSync(path, text);
  return path;
}

function refusal(text: string): string {
  try {
    loadConfig({ ...BASE, COXSWAIN_CONFIG: configFile(text) });
  } catch (error) {
    expect((error as CoxswainError).code).toBe('config_invalid');
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

/** The example, with the platforms this build has (web) in place of Slack and Discord. */
const EXAMPLE = `
clusters:
  - name: prod
    context: prod-admin
  - name: staging
    kubeconfig: kube/staging.yaml
  - name: local
    inCluster: true
bindings:
  - channel: web:ops
    clusters: [prod]
    namespaces: ["payments", "shop-*"]
    maxTier: confirm
    approvers: [slack:U0LEAD, slack:group:S0SRE, discord:role:1234]
    allowSelfApproval: false
autonomy:
  safe: [get, describe, logs, list, top, diff]
  confirm: [delete pod, patch, edit, scale, rollout, apply, sync, silence, commit]
  forbidden: ["delete *", patch node, drain, cordon, reset]
routes:
  - match: { severity: critical }
    channels: [web:oncall]
`;

describe('clusters, bindings and autonomy in the config file', () => {
  it('reads the documented shape, with kubeconfig paths relative to the file', () => {
    const path = configFile(EXAMPLE);

    const config = loadConfig({ ...BASE, COXSWAIN_CONFIG: path });

    expect(config.clusters).toEqual([
      { name: 'prod', context: 'prod-admin' },
      { name: 'staging', kubeconfig: join(dirname(path), 'kube/staging.yaml') },
      { name: 'local', inCluster: true },
    ]);
    expect(config.bindings[0]).toEqual({
      channel: 'web:ops',
      clusters: ['prod'],
      namespaces: ['payments', 'shop-*'],
      maxTier: 'confirm',
      approvers: ['slack:U0LEAD', 'slack:group:S0SRE', 'discord:role:1234'],
      allowSelfApproval: false,
    });
    expect(config.autonomy.forbidden).toContain('delete *');
    expect(Object.isFrozen(config.bindings[0])).toBe(true);
  });

  it('reads people, each with their accounts on every platform', () => {
    const path = configFile(
      'people:\n  - name: dana\n    ids: [slack:U0DANA, discord:4242, web:dana]\n  - { name: lee, ids: [web:lee] }\n',
    );

    const config = loadConfig({ ...BASE, COXSWAIN_CONFIG: path });

    expect(config.people).toEqual([
      { name: 'dana', ids: ['slack:U0DANA', 'discord:4242', 'web:dana'] },
      { name: 'lee', ids: ['web:lee'] },
    ]);
    expect(loadConfig(BASE).people).toEqual([]);
  });

  it('defaults to no clusters (the current context), no bindings and the seed autonomy', () => {
    const config = loadConfig(BASE);

    expect(config.clusters).toEqual([]);
    expect(config.bindings).toEqual([]);
    expect(config.autonomy).toEqual({
      safe: ['get', 'describe', 'logs', 'list', 'top', 'diff'],
      confirm: [
        'delete pod',
        'patch',
        'edit',
        'scale',
        'rollout',
        'apply',
        'sync',
        'silence',
        'commit',
      ],
      forbidden: ['delete *', 'patch node', 'drain', 'cordon', 'reset'],
    });
  });

  it('reads the user a cluster writes as: a ServiceAccount or a plain user', () => {
    const config = loadConfig({
      ...BASE,
      COXSWAIN_CONFIG: configFile(
        'clusters:\n  - { name: a, inCluster: true, writeAs: "system:serviceaccount:coxswain:coxswain-writer" }\n  - { name: b, writeAs: coxswain-writer@example.com }\n',
      ),
    });

    expect(config.clusters.map((c) => c.writeAs)).toEqual([
      'system:serviceaccount:coxswain:coxswain-writer',
      'coxswain-writer@example.com',
    ]);
  });

  it('takes channels on every platform in a worker, which is handed no chat token (the bot checks them)', () => {
    const file = configFile(
      'bindings:\n  - { channel: slack:C0OPS, clusters: [default] }\n  - { channel: discord:123, clusters: [default] }\nroutes:\n  - { channels: [slack:C0OPS] }\n',
    );

    const worker = loadConfig({ ...BASE, COXSWAIN_CONFIG: file }, { chat: false });

    expect(worker.bindings.map((b) => b.channel)).toEqual(['slack:C0OPS', 'discord:123']);
    expect(worker.slack).toBeUndefined();
    expect(() => loadConfig({ ...BASE, COXSWAIN_CONFIG: file })).toThrow('slack is not configured');
  });

  it('lets a binding name the default cluster when the file lists none', () => {
    const config = loadConfig({
      ...BASE,
      COXSWAIN_CONFIG: configFile('bindings:\n  - { channel: web:ops, clusters: [default] }\n'),
    });

    expect(config.bindings[0]).toMatchObject({ clusters: ['default'], maxTier: 'safe' });
  });

  it.each([
    [
      'bindings:\n  - { channel: web:ops, clusters: [prod] }\n',
      'bindings[0].clusters[0]: no cluster named prod (clusters: default)',
    ],
    ['clusters: [{ name: a }, { name: a }]\n', 'clusters[1].name: a is listed twice'],
    [
      'bindings:\n  - { channel: web:ops, clusters: [default] }\n  - { channel: web:ops, clusters: [default] }\n',
      'bindings[1].channel: web:ops is bound twice',
    ],
    [
      'bindings:\n  - { channel: slack:C0OPS, clusters: [default] }\n',
      'bindings[0].channel: slack is not configured',
    ],
    [
      'clusters: [{ name: a, inCluster: true, context: x }]\n',
      'inCluster cannot be combined with context or kubeconfig',
    ],
    ['clusters: [{ name: Prod }]\n', 'clusters[0].name: must be a lower-case name'],
    ['clusters: [{ name: a, timeoutSeconds: 0 }]\n', 'clusters[0].timeoutSeconds'],
    [
      'clusters: [{ name: a, writeAs: "system:masters" }]\n',
      'clusters[0].writeAs: must be a Kubernetes user name such as system:serviceaccount:coxswain:coxswain-writer',
    ],
    [
      'clusters: [{ name: a, writeAs: "system:serviceaccount:Coxswain:w" }]\n',
      'clusters[0].writeAs',
    ],
    ['clusters: [{ name: a, writeAs: "writer bot" }]\n', 'clusters[0].writeAs'],
    [
      'bindings:\n  - { channel: web:ops, clusters: [default], maxTier: forbidden }\n',
      'bindings[0].maxTier: must be safe or confirm',
    ],
    [
      'bindings:\n  - { channel: web:ops, clusters: [default], approvers: [bob] }\n',
      'bindings[0].approvers[0]',
    ],
    ['autonomy: { safe: ["get pods!"] }\n', 'autonomy.safe[0]'],
    [
      'people:\n  - { name: dana, ids: [web:dana] }\n  - { name: dana, ids: [web:dana2] }\n',
      'people[1].name: dana is listed twice',
    ],
    [
      'people:\n  - { name: dana, ids: [slack:U0DANA, web:dana] }\n  - { name: lee, ids: [web:lee, slack:U0DANA] }\n',
      "people[1].ids[1]: slack:U0DANA is already dana's",
    ],
    [
      'people:\n  - { name: sre, ids: [slack:group:S0SRE] }\n',
      'people[0].ids[0]: must be slack:USER',
    ],
    ['people:\n  - { name: dana, ids: [] }\n', 'people[0].ids: must list at least one id'],
  ])('refuses %j naming the path', (text, message) => {
    expect(refusal(text)).toContain(message);
  });

  it('loads the cluster settings alone, without Redis, for the CLI', () => {
    const path = configFile(EXAMPLE);

    const config = loadClusterConfig({ COXSWAIN_CONFIG: path });

    expect(config.clusters.map((c) => c.name)).toEqual(['prod', 'staging', 'local']);
    expect(config.bindings).toHaveLength(1);
    expect(() =>
      loadClusterConfig({ COXSWAIN_CONFIG: join(dirname(path), 'missing.yaml') }),
    ).toThrow(CoxswainError);
    expect(
      loadClusterConfig({ PROMETHEUS_URL: 'http://127.0.0.1:9090/', ALERTMANAGER_URL: '' }).metrics,
    ).toEqual({ prometheusUrl: 'http://127.0.0.1:9090', alertmanagerUrl: undefined });
    expect(() => loadClusterConfig({ ALERTMANAGER_URL: 'ftp://am' })).toThrow(
      'ALERTMANAGER_URL: must be an http(s) URL',
    );
  });
});
