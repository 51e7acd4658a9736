import { parseAllDocuments } from 'yaml';
import { CoxswainError } from '../../errors.ts';
import { type GitRepository, readTree, type Tree } from '../git/repository.ts';
import { type GitProcess, runGit } from '../git/run-git.ts';
import { displayUrl } from '../git/secrets.ts';
import { localPath, sameRepository } from './repo-url.ts';
import { CLUSTER_SCOPED } from './resource-path.ts';

/**
 * What Git declares for an application at a revision, read the way Argo CD's repo-server reads a
 * directory source: every YAML or JSON file under the path, each document one object. Read from
 * the configured GitOps repository's clone when the Application's `repoURL` names it (the
 * clone's credentials, fetched as needed), or from a local repository (a `file://` URL or a path:
 * the sandbox's, a mirror on the same machine); any other repository is refused with what is
 * readable. Helm charts and Kustomize directories are refused too: their manifests are rendered.
 */
export type DesiredObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
};

export type DesiredSource = { app: string; repoURL: string; path: string };

const MAX_FILES = 200;
const MANIFEST = /\.(ya?ml|json)$/;

/** Files whose presence at the path's root makes Argo CD render the directory, not apply it. */
const RENDERED: readonly { file: RegExp; tool: string }[] = [
  { file: /^Chart\.ya?ml$/, tool: 'a Helm chart' },
  { file: /^(kustomization\.ya?ml|Kustomization)$/, tool: 'a Kustomize directory' },
];

export async function desiredObjects(
  source: DesiredSource,
  revision: string,
  destinationNamespace: string | undefined,
  gitops: GitRepository | undefined,
): Promise<DesiredObject[]> {
  const prefix = source.path.replace(/^\.?\/+/, '').replace(/\/+$/, '') || '.';
  const pick = (paths: string[]) =>
    paths
      .filter((p) => MANIFEST.test(p))
      .sort()
      .slice(0, MAX_FILES);
  const tree =
    gitops !== undefined && sameRepository(source.repoURL, gitops.settings.repo)
      ? await gitops.treeAt(revision, prefix, pick)
      : await localTree(source, revision, prefix, pick, gitops);
  refuseRendered(tree.paths, prefix, source.app);
  return tree.files.flatMap((f) => objectsOf(f.text, f.path, destinationNamespace));
}

/** The tree of a repository on this machine, or the refusal naming what this worker reads. */
async function localTree(
  source: DesiredSource,
  revision: string,
  prefix: string,
  pick: (paths: string[]) => string[],
  gitops: GitRepository | undefined,
): Promise<Tree> {
  const dir = localPath(source.repoURL);
  if (dir === undefined) {
    const configured =
      gitops === undefined ? 'none is configured' : displayUrl(gitops.settings.repo);
    throw new CoxswainError(
      'usage',
      `argocd_diff reads the Application's source from the configured gitops repository (${configured}) or a local path; ${source.app}'s source is ${displayUrl(source.repoURL)}`,
    );
  }
  if (!/^[0-9a-zA-Z._/-]+$/.test(revision) || revision.startsWith('-'))
    throw new CoxswainError('git', `"${revision}" is not a revision name`);
  const proc: GitProcess = {
    label: `repository ${displayUrl(source.repoURL)}`,
    env: {},
    secrets: [],
    timeoutMs: 15_000,
  };
  return readTree(
    (args, input) => runGit(proc, ['-C', dir, ...args], input === undefined ? {} : { input }),
    revision,
    prefix,
    pick,
  );
}

/** A Helm chart or a Kustomize directory at the path's root: its manifests are rendered. */
export function refuseRendered(paths: readonly string[], prefix: string, app: string): void {
  const root = prefix === '.' ? '' : `${prefix}/`;
  for (const path of paths) {
    if (!path.startsWith(root)) continue;
    const name = path.slice(root.length);
    const rendered = RENDERED.find((r) => r.file.test(name));
    if (rendered !== undefined)
      throw new CoxswainError(
        'usage',
        `argocd_diff covers plain manifest directories only: application ${app}'s source is ${rendered.tool} (${path}), whose manifests Argo CD renders`,
      );
  }
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
