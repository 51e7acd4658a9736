import type { KubernetesObject } from '@kubernetes/client-node';
import type { z } from 'zod';
import { CoxswainError } from '../../errors.ts';
import { type GitChange, proposeGitChange } from '../git/change.ts';
import { findDeclarations } from '../git/manifests.ts';
import type { GitRepository } from '../git/repository.ts';
import { displayUrl } from '../git/secrets.ts';
import type { KubeAction } from '../kubernetes/actions/action.ts';
import { readTarget } from '../kubernetes/actions/target-api.ts';
import type { ProposeTool } from '../kubernetes/actions/tools.ts';
import type { Cluster } from '../kubernetes/cluster.ts';
import type { KubeContext } from '../kubernetes/context.ts';
import type { Tool } from '../tool.ts';
import { type ArgoManager, argoManagerOf } from './argo-managed.ts';
import { patchManifest } from './patch-manifest.ts';

/**
 * A fix for an object Argo CD manages is a change to the manifest in Git, not a patch its
 * self-heal would revert: a cluster change the manifest can express (replicas, resources, a
 * merge patch) becomes a pull request to the document that declares the object; one it cannot
 * (a rollback, a delete), or one with no repository or manifest to change, stays a change to the
 * cluster, with a note on its card saying what Argo CD will do with it. Anything not managed by
 * Argo CD is returned as it was.
 */
const IN_GIT = new Set<KubeAction['type']>(['scale', 'set-resources', 'patch']);

export async function preferGit(
  cluster: Cluster,
  action: KubeAction,
  repo: GitRepository | undefined,
  /** Names the pull request's branch: one per proposal. */
  key: string,
): Promise<KubeAction | GitChange> {
  if (action.target.kind === 'Pod') return action;
  const live = await readTarget(cluster, action.target).catch(() => undefined);
  if (live === undefined) return action;
  const manager = await argoManagerOf(cluster, live);
  if (manager === undefined) return action;
  const label = `${action.target.kind.toLowerCase()} ${action.target.namespace ? `${action.target.namespace}/` : ''}${action.target.name}`;
  const managed = `Argo CD application ${manager.application} manages ${label}`;
  const reverted = manager.selfHeal
    ? 'with self-heal on, so a change made in the cluster is reverted at its next sync'
    : 'so a change made in the cluster shows as OutOfSync and the next sync reverts it';
  const translatable =
    IN_GIT.has(action.type) &&
    action.change.method === 'patch' &&
    action.change.patchType !== 'json';
  if (!translatable)
    return noted(
      action,
      `${managed}, ${reverted}. ${action.type === 'rollback' ? "Roll back the application instead (Argo CD's history), or revert the change in Git." : 'Make the lasting change in Git.'}`,
    );
  if (repo === undefined)
    return noted(
      action,
      `${managed}, ${reverted}. No GitOps repository is configured (the gitops section of the config file), so this fix could not be proposed as a pull request.`,
    );
  return inGit(action, live, manager, repo, key, `${managed}, ${reverted}`);
}

/**
 * A write tool whose every fix goes through `preferGit`: what a model's write tools and a
 * workflow's change steps propose with, so both make the same pull request (its branch named by
 * the run and the change) where the other would make a patch self-heal reverts. The cluster
 * change is judged first (`judge` gives its refusal): a pull request is a way to make it, so
 * what the policy forbids, or the channel's tier does not allow, is refused as it is asked for.
 */
export function gitopsAware<Input extends z.ZodType>(
  tool: ProposeTool<Input>,
  repo: GitRepository | undefined,
  runId: string,
  judge: (action: KubeAction) => string | undefined,
): Tool<Input, KubeContext, KubeAction | GitChange> {
  return {
    ...tool,
    async run(context, input) {
      const action = await tool.run(context, input);
      const refusal = judge(action);
      if (refusal !== undefined) throw new CoxswainError('forbidden_change', refusal);
      return preferGit(
        context.cluster,
        action,
        repo,
        `${runId.slice(-40)}-${action.digest.slice(0, 10)}`,
      );
    },
  };
}

async function inGit(
  action: KubeAction,
  live: KubernetesObject,
  manager: ArgoManager,
  repo: GitRepository,
  key: string,
  why: string,
): Promise<KubeAction | GitChange> {
  const { target } = action;
  if (!sameRepository(manager.source.repoURL, repo.settings.repo))
    return noted(
      action,
      `${why}. The application deploys from ${displayUrl(manager.source.repoURL) || 'another repository'}, not the configured GitOps repository, so this fix is proposed to the cluster.`,
    );
  // Only the application's own folder: another application may declare an object of that name.
  const folder = manager.source.path.replace(/^\.\/?|\/+$/g, '');
  const files = (await repo.manifests()).filter((f) =>
    deployedBy(f.path, folder, manager.source.recurse),
  );
  const deployedTo = (namespace: string | undefined) => namespace ?? manager.destinationNamespace;
  const [found] = findDeclarations(files, {
    kind: target.kind,
    name: target.name,
    namespace: target.namespace,
  }).filter((m) => deployedTo(m.namespace) === target.namespace);
  const file = found === undefined ? undefined : files.find((f) => f.path === found.path);
  if (found === undefined || file === undefined)
    return noted(
      action,
      `${why}. No manifest under ${folder || 'the root'} of the GitOps repository (the application's path) declares it, so this fix is proposed to the cluster.`,
    );
  let content: string;
  try {
    content = patchManifest(file.text, found.document, action.change);
  } catch (error) {
    if (!(error instanceof CoxswainError)) throw error;
    return noted(action, `${why}. ${found.path} could not be changed to match: ${error.message}.`);
  }
  const change = await proposeGitChange(
    repo,
    {
      path: found.path,
      content,
      title: action.summary.slice(0, 200),
      body: `${why}; this change makes the fix in Git instead (Argo CD application ${manager.application}).`,
      cluster: target.cluster,
      namespace: deployedTo(found.namespace) ?? live.metadata?.namespace,
    },
    key,
  );
  return {
    ...change,
    note: `${why}: the fix is proposed as a pull request to ${found.path}, for Argo CD to deploy once it is merged.`,
  };
}

/**
 * Whether Argo CD applies a file for a directory source at `folder`: the files in it, and in its
 * subfolders only when the source says `directory.recurse`.
 */
function deployedBy(path: string, folder: string, recurse: boolean): boolean {
  const rest =
    folder === ''
      ? path
      : path.startsWith(`${folder}/`)
        ? path.slice(folder.length + 1)
        : undefined;
  return rest !== undefined && (recurse || !rest.includes('/'));
}

function noted(action: KubeAction, note: string): KubeAction {
  return { ...action, note: note.slice(0, 500) };
}

/** The same repository, however its URL is written (scheme, credentials, `.git`, a trailing `/`). */
function sameRepository(a: string, b: string): boolean {
  const norm = (url: string) =>
    url
      .trim()
      .replace(/^[a-z+]+:\/\/([^@/]*@)?/i, '')
      .replace(/^[^@/:]+@([^:]+):/, '$1/')
      .replace(/\.git\/?$|\/+$/g, '')
      .toLowerCase();
  return a !== '' && norm(a) === norm(b);
}
