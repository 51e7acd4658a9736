import { describe, expect, it } from 'vitest';
import { judgeManifestChange } from './judge-manifest.ts';

const deployment = (memory: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web${extra}
          resources:
            limits:
              memory: ${memory}
`;

describe('judging a manifest change as a patch to the objects it declares', () => {
  it('lists every field it changes and reaches the namespace it deploys to', () => {
    const judged = judgeManifestChange(
      'apps/web.yaml',
      deployment('128Mi'),
      deployment('256Mi'),
      'shop',
    );

    expect(judged).toEqual({
      changes: [
        {
          path: 'Deployment web spec.template.spec.containers[web].resources.limits.memory',
          from: '128Mi',
          to: '256Mi',
        },
      ],
      object: { kind: 'Deployment', name: 'web' },
      namespace: 'shop',
    });
    expect(
      judgeManifestChange('a.yaml', deployment('1Gi'), deployment('2Gi'), undefined).namespace,
    ).toBe('*');
  });

  it('refuses what no tier allows, YAML that is not objects, and a change of nothing', () => {
    const privileged = deployment('128Mi', '\n          securityContext: { privileged: true }');
    const rbac = 'kind: ClusterRoleBinding\nmetadata: { name: admins }\nsubjects: []\n';

    expect(() => judgeManifestChange('a.yaml', deployment('128Mi'), privileged, 'shop')).toThrow(
      /forbidden whatever the tier: Deployment web: .*privileged/,
    );
    expect(() => judgeManifestChange('r.yaml', undefined, rbac, undefined)).toThrow(/RBAC objects/);
    expect(() => judgeManifestChange('a.yaml', undefined, 'a: [1', 'shop')).toThrow(
      /not valid YAML/,
    );
    expect(() => judgeManifestChange('a.yaml', undefined, 'just: data\n', 'shop')).toThrow(
      /without kind and name/,
    );
    expect(() =>
      judgeManifestChange('a.yaml', deployment('1Gi'), deployment('1Gi'), 'shop'),
    ).toThrow(/changes no object's fields/);
    expect(() =>
      judgeManifestChange(
        'a.yaml',
        undefined,
        `${deployment('1Gi')}---\n${deployment('2Gi')}`,
        'x',
      ),
    ).toThrow(/declares Deployment web twice/);
  });

  it('judges an object the change removes too', () => {
    const two = `${deployment('1Gi')}---\nkind: Secret\nmetadata: { name: db }\n`;
    expect(() => judgeManifestChange('a.yaml', two, deployment('1Gi'), 'shop')).toThrow(
      /Secrets are never/,
    );
  });
});
