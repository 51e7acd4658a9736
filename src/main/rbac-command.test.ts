import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { rbacManifest } from './rbac-command.ts';

function configFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'coxswain-rbac-')), 'coxswain.yaml');
  writeFileSync(path, text);
  return path;
}

const BINDING = `bindings:
  - { channel: web:ops, clusters: [prod], namespaces: [shop], maxTier: confirm, approvers: [web:dana] }
`;

const subjects = (text: string) =>
  parseAllDocuments(text)
    .map((d) => d.toJS())
    .filter((o) => o?.kind === 'RoleBinding')
    .map((o) => o.subjects);

describe('coxswain rbac', () => {
  it('grants the account the cluster writes as, and says how to print it again', () => {
    const path = configFile(
      `clusters:\n  - { name: prod, inCluster: true, writeAs: "system:serviceaccount:ops:bot-writer" }\n${BINDING}`,
    );

    const text = rbacManifest(['--config', path]);

    expect(subjects(text)).toEqual([
      [{ kind: 'ServiceAccount', name: 'bot-writer', namespace: 'ops' }],
    ]);
    expect(text).toContain('#   coxswain rbac --config coxswain.yaml\n');
  });

  it('takes the file from COXSWAIN_CONFIG, and the account from the flags when there is no writeAs', () => {
    const path = configFile(`clusters:\n  - { name: prod, inCluster: true }\n${BINDING}`);

    const text = rbacManifest(['--service-account', 'w', '--namespace', 'bots'], path);

    expect(subjects(text)).toEqual([[{ kind: 'ServiceAccount', name: 'w', namespace: 'bots' }]]);
    expect(text).toContain(
      'coxswain rbac --config coxswain.yaml --namespace bots --service-account w',
    );
    expect(subjects(rbacManifest([], path))).toEqual([
      [{ kind: 'ServiceAccount', name: 'coxswain-writer', namespace: 'coxswain' }],
    ]);
  });

  it('reads the bindings of the one cluster, default, when the file lists none', () => {
    const path = configFile(BINDING.replace('[prod]', '[default]'));

    const text = rbacManifest(['--config', path]);

    expect(subjects(text)).toHaveLength(1);
    expect(text).toContain('Writes to cluster default go as');
  });

  it.each([
    [[], undefined, 'name the config file with --config FILE or COXSWAIN_CONFIG'],
    [['--cluster', 'staging'], 'file', 'the config file has no cluster staging (clusters: prod)'],
    [
      ['--service-account', 'other'],
      'file',
      'the cluster writes as system:serviceaccount:ops:bot-writer (writeAs in the config file)',
    ],
    [['--bogus'], 'file', "Unknown option '--bogus'"],
  ])('refuses %j', (args, file, message) => {
    const path = configFile(
      `clusters:\n  - { name: prod, inCluster: true, writeAs: "system:serviceaccount:ops:bot-writer" }\n${BINDING}`,
    );

    expect(() => rbacManifest(args, file === undefined ? undefined : path)).toThrow(message);
  });
});
