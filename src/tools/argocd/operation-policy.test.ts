import { describe, expect, it } from 'vitest';
import { escalations } from '../../policy/escalation.ts';
import { redactText } from '../../policy/redact.ts';
import { Application } from './application.ts';
import { statusText } from './read-tools.ts';

/**
 * What a sync or rollback proposal, or a generic patch of an Application, may still set: fields
 * of `operation` that decide where from and how the application deploys, and the sync policy
 * that decides what Argo CD deletes and how the destination namespace is labelled.
 */
const app = { kind: 'Application', name: 'shop', namespace: 'argocd' };
const leaf = (parts: string[], after: unknown) => ({
  parts: parts.map((key) => ({ key })),
  before: undefined,
  after,
});

describe('an Argo CD operation set by a sync or rollback proposal', () => {
  it.each([
    ['another repository', ['operation', 'sync', 'source', 'repoURL'], 'https://evil.example/x'],
    ['another folder', ['operation', 'sync', 'source', 'path'], 'apps/billing'],
    ['several sources', ['operation', 'sync', 'sources'], [{ repoURL: 'https://evil.example' }]],
    ['inline manifests', ['operation', 'sync', 'manifests'], ['kind: ClusterRoleBinding']],
    ['Replace=true', ['operation', 'sync', 'syncOptions'], ['Replace=true']],
    ['a forged initiator', ['operation', 'initiatedBy', 'automated'], true],
  ])('may not carry %s', (_what, parts, after) => {
    expect(escalations(app, [leaf(parts, after)], undefined, { argoOperation: true })).not.toEqual(
      [],
    );
  });
});

describe('a generic patch of an Application', () => {
  it.each([
    [
      'the destination namespace’s Pod Security label',
      [
        'spec',
        'syncPolicy',
        'managedNamespaceMetadata',
        'labels',
        'pod-security.kubernetes.io/enforce',
      ],
      'privileged',
    ],
    ['automated pruning', ['spec', 'syncPolicy', 'automated', 'prune'], true],
    ['Replace=true on every sync', ['spec', 'syncPolicy', 'syncOptions'], ['Replace=true']],
  ])('may not change %s', (_what, parts, after) => {
    expect(escalations(app, [leaf(parts, after)])).not.toEqual([]);
  });
});

describe("an application's repository URL", () => {
  it('never shows the credentials it carries', () => {
    const parsed = Application.parse({
      metadata: { name: 'shop', namespace: 'argocd' },
      spec: {
        source: {
          repoURL: 'https://deploy:glpat-Zk3h9Qw2@git.example.com/team/gitops.git',
          path: 'apps/shop',
        },
      },
    });

    expect(redactText(statusText(parsed))).not.toContain('glpat-Zk3h9Qw2');
  });
});
