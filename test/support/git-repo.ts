import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Cluster } from '../../src/tools/kubernetes/cluster.ts';

/**
 * A local bare repository standing for a GitOps repository on a forge: created with its first
 * commit of `files` (paths relative to its root), as someone pushing there would leave it.
 */
export const run = promisify(execFile);

/** The environment of a person's `git` in tests: a fixed author, nothing from the machine. */
export const GIT_PERSON = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Dev',
  GIT_AUTHOR_EMAIL: 'dev@example.com',
  GIT_COMMITTER_NAME: 'Dev',
  GIT_COMMITTER_EMAIL: 'dev@example.com',
};

export async function seedBareRepository(
  bare: string,
  seed: string,
  files: Record<string, string>,
  message: string,
): Promise<void> {
  await run('git', ['init', '-q', '--bare', '-b', 'main', bare]);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(seed, path, '..'), { recursive: true });
    await writeFile(join(seed, path), text);
  }
  const git = ['--git-dir', bare, '--work-tree', seed];
  await run('git', [...git, 'add', '-A'], { env: GIT_PERSON });
  await run('git', [...git, 'commit', '-q', '-m', message], { env: GIT_PERSON });
}

/**
 * An Argo CD Application `name` (in namespace argocd, project default) deploying `source` to
 * `namespace` on the cluster it runs in, with `syncPolicy` when given.
 */
export async function createApplication(
  cluster: Cluster,
  name: string,
  options: {
    source: Record<string, unknown>;
    namespace: string;
    syncPolicy?: Record<string, unknown>;
  },
): Promise<void> {
  await cluster.custom.createNamespacedCustomObject({
    group: 'argoproj.io',
    version: 'v1alpha1',
    namespace: 'argocd',
    plural: 'applications',
    body: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name, namespace: 'argocd' },
      spec: {
        project: 'default',
        source: options.source,
        destination: { server: 'https://kubernetes.default.svc', namespace: options.namespace },
        ...(options.syncPolicy ? { syncPolicy: options.syncPolicy } : {}),
      },
    },
  });
}
