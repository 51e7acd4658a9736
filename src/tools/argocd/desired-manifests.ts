import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { CoxswainError } from '../../errors.ts';
import { type GitProcess, runGit } from '../git/run-git.ts';
import { displayUrl } from '../git/secrets.ts';

/**
 * What Git declares for an application at a revision, read the way Argo CD's repo-server reads a
 * directory source: every YAML or JSON file under the path, each document one object. Only a
 * repository this process can read without credentials is read: a `file://` URL or a local path
 * (the sandbox's, a mirror on the same machine); for any other the caller says so.
 */
export type DesiredObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
};

/** Kinds that live outside namespaces, so the destination namespace is not theirs. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'IngressClass',
]);

const MAX_FILES = 200;

/** The local directory of a repository URL, or undefined when it is not a local one. */
export function localRepository(repoURL: string): string | undefined {
  if (repoURL.startsWith('file://')) return fileURLToPath(repoURL);
  return isAbsolute(repoURL) ? repoURL : undefined;
}

export async function desiredObjects(
  source: { repoURL: string; path: string },
  revision: string,
  destinationNamespace: string | undefined,
): Promise<DesiredObject[]> {
  const dir = localRepository(source.repoURL);
  if (dir === undefined)
    throw new CoxswainError(
      'git',
      `the desired state is in ${displayUrl(source.repoURL)}, which this worker cannot read (only file:// and local repositories are read here)`,
    );
  if (!/^[0-9a-zA-Z._/-]+$/.test(revision) || revision.startsWith('-'))
    throw new CoxswainError('git', `"${revision}" is not a revision name`);
  const proc: GitProcess = {
    label: `repository ${source.repoURL}`,
    env: {},
    secrets: [],
    timeoutMs: 15_000,
  };
  const prefix = source.path.replace(/^\.?\/+/, '').replace(/\/+$/, '') || '.';
  const listing = await runGit(proc, [
    '-C',
    dir,
    'ls-tree',
    '-r',
    '-z',
    '--name-only',
    revision,
    '--',
    prefix,
  ]);
  const files = listing
    .split('\0')
    .filter((p) => /\.(ya?ml|json)$/.test(p))
    .sort()
    .slice(0, MAX_FILES);
  const objects: DesiredObject[] = [];
  for (const file of files) {
    const text = await runGit(proc, ['-C', dir, 'cat-file', 'blob', `${revision}:${file}`]);
    objects.push(...objectsOf(text, file, destinationNamespace));
  }
  return objects;
}

/** The objects of one manifest file, each with its namespace as Argo CD would apply it. */
export function objectsOf(
  text: string,
  file: string,
  destinationNamespace: string | undefined,
): DesiredObject[] {
  const out: DesiredObject[] = [];
  for (const document of parseAllDocuments(text) as ReturnType<typeof parseAllDocuments> &
    unknown[]) {
    if (document.errors.length > 0)
      throw new CoxswainError(
        'git',
        `${file}: ${document.errors[0]?.message.split('\n')[0] ?? 'invalid YAML'}`,
      );
    const value = document.toJS() as Partial<DesiredObject> | null;
    if (value === null || typeof value !== 'object') continue;
    const name = value.metadata?.name;
    if (
      typeof value.apiVersion !== 'string' ||
      typeof value.kind !== 'string' ||
      typeof name !== 'string'
    )
      throw new CoxswainError('git', `${file}: a document is not a Kubernetes object with a name`);
    const metadata = { ...value.metadata, name };
    if (!CLUSTER_SCOPED.has(value.kind) && metadata.namespace === undefined && destinationNamespace)
      metadata.namespace = destinationNamespace;
    out.push({ ...value, apiVersion: value.apiVersion, kind: value.kind, metadata });
  }
  return out;
}
