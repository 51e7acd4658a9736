import { describe, expect, it } from 'vitest';
import { declaredObjects, findDeclarations, isManifestPath } from './manifests.ts';

const multi = [
  'apiVersion: v1',
  'kind: Service',
  'metadata:',
  '  name: web',
  '  namespace: shop',
  '---',
  '# the deployment',
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: web',
  '  namespace: shop',
  'spec:',
  '  replicas: 2',
  '',
].join('\n');

describe('finding the manifest that declares an object', () => {
  it('finds the right document of a multi-document file, with its first line', () => {
    const files = [{ path: 'apps/web.yaml', text: multi }];

    const found = findDeclarations(files, { kind: 'deployment', name: 'web', namespace: 'shop' });

    expect(found).toEqual([
      {
        path: 'apps/web.yaml',
        document: 1,
        line: 8,
        kind: 'Deployment',
        name: 'web',
        namespace: 'shop',
      },
    ]);
  });

  it('puts a file naming the namespace before one that leaves it to the deployer', () => {
    const files = [
      { path: 'a/web.yaml', text: 'kind: Deployment\nmetadata:\n  name: web\n' },
      { path: 'b/web.yaml', text: multi },
      { path: 'c/web.yaml', text: 'kind: Deployment\nmetadata: {name: web, namespace: other}\n' },
    ];

    const found = findDeclarations(files, { kind: 'Deployment', name: 'web', namespace: 'shop' });

    expect(found.map((m) => m.path)).toEqual(['b/web.yaml', 'a/web.yaml']);
  });

  it('passes over broken YAML, lists and documents that are not objects', () => {
    const files = [
      { path: 'bad.yaml', text: 'kind: [Deployment\nmetadata: {' },
      { path: 'list.yaml', text: '- a\n- b\n' },
      { path: 'empty.yaml', text: '---\n---\n' },
      { path: 'ok.yaml', text: 'kind: ConfigMap\nmetadata:\n  name: settings\n' },
    ];

    const objects = files.flatMap(declaredObjects);

    expect(objects.map((o) => `${o.path} ${o.kind}/${o.name}`)).toEqual([
      'ok.yaml ConfigMap/settings',
    ]);
  });

  it('takes .yaml and .yml files only', () => {
    expect(['a.yaml', 'b.YML', 'c.json', 'README.md'].filter(isManifestPath)).toEqual([
      'a.yaml',
      'b.YML',
    ]);
  });
});
