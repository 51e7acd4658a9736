import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { CoxswainError } from '../../errors.ts';
import { FieldChange } from '../kubernetes/actions/action.ts';
import { findPullRequest, openPullRequest, type PullRequest } from './forge.ts';
import { judgeManifestChange } from './judge-manifest.ts';
import { type GitRepository, safePath } from './repository.ts';
import { hideSecrets, secretsOf } from './secrets.ts';

/**
 * A manifest change as a pull request: proposed against the branch's commit of the moment, with
 * the file's diff for the card; executed (after approval) as one commit on a branch of its own,
 * pushed, and a pull request opened through the forge. Nothing here decides who may do it.
 */
export const GitChange = z.object({
  type: z.literal('git-change'),
  verb: z.literal('commit'),
  /**
   * What the change reaches once Argo CD applies it, for the bindings: the cluster of the run that
   * proposed it, the namespace its objects deploy to (`*` when several or cluster-wide), and the
   * first object it changes.
   */
  target: z.object({
    cluster: z.string().min(1),
    namespace: z.string().min(1),
    kind: z.string().min(1),
    name: z.string().min(1),
  }),
  /** Every field of every declared object the change touches, old → new, redacted. */
  changes: z.array(FieldChange),
  /** The repository as people may see it (no credentials). */
  repo: z.string().min(1),
  base: z.string().min(1),
  baseCommit: z.string().regex(/^[0-9a-f]{40,64}$/),
  path: z.string().min(1),
  content: z.string().max(1_000_000),
  /** The branch the change is pushed to: one per proposal. */
  branch: z.string().min(1),
  title: z.string().min(1).max(200),
  body: z.string().max(4_000),
  summary: z.string().min(1).max(300),
  /** For people: the file's unified diff, redacted and bounded. */
  diff: z.string(),
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  /** Why this is a pull request (Argo CD manages the object), shown on its card. */
  note: z.string().max(500).optional(),
});
export type GitChange = z.infer<typeof GitChange>;

const MAX_CARD_DIFF_LINES = 200;

export async function proposeGitChange(
  repo: GitRepository,
  input: {
    path: string;
    content: string;
    title: string;
    body?: string | undefined;
    /** The cluster the run is on, and the namespace the manifest deploys to when it names none. */
    cluster: string;
    namespace?: string | undefined;
  },
  /** Names the branch, so a retried execution finds its own push. */
  key: string,
): Promise<GitChange> {
  const path = underManifests(repo, input.path);
  return repo.serial(async () => {
    await repo.sync();
    const baseCommit = (
      await repo.git(['rev-parse', '--verify', `${repo.remoteBranch}^{commit}`])
    ).trim();
    const oldBlob = await blobOf(repo, baseCommit, path);
    const newBlob = (await repo.git(['hash-object', '-w', '--stdin'], input.content)).trim();
    if (oldBlob === newBlob)
      throw new CoxswainError(
        'no_change',
        `${path} already has that content on ${repo.settings.branch}`,
      );
    const before =
      oldBlob === undefined ? undefined : await repo.git(['cat-file', 'blob', oldBlob]);
    const judged = judgeManifestChange(path, before, input.content, input.namespace);
    const from = oldBlob ?? (await repo.git(['hash-object', '-w', '--stdin'], '')).trim();
    const raw = await repo.git(['diff', '--no-color', '--no-ext-diff', from, newBlob]);
    const diff = labelDiff(raw, path, oldBlob === undefined);
    return {
      type: 'git-change',
      verb: 'commit',
      target: {
        cluster: input.cluster,
        namespace: judged.namespace,
        kind: judged.object.kind,
        name: judged.object.name,
      },
      changes: judged.changes,
      repo: repo.label.replace(/^repository /, ''),
      base: repo.settings.branch,
      baseCommit,
      path,
      content: input.content,
      branch: `coxswain/${key.replace(/[^\w.-]/g, '-').slice(0, 80)}`,
      title: input.title,
      body: input.body ?? '',
      summary:
        `open a pull request changing ${path} on ${repo.settings.branch}: ${input.title}`.slice(
          0,
          300,
        ),
      diff: hideSecrets(diff, secretsOf(repo.settings)),
      digest: digestOf(baseCommit, path, input.content),
    };
  });
}

export type GitChangeOutcome = { commit: string; pullRequest: PullRequest };

/**
 * Commits the change on its own branch from the commit it was proposed against, pushes the
 * branch, and opens the pull request. The work tree is never touched: the commit is built in a
 * private index. A file changed on the branch since the proposal is refused, not overwritten.
 */
export async function executeGitChange(
  repo: GitRepository,
  change: GitChange,
  approvedBy: string,
): Promise<GitChangeOutcome> {
  if (digestOf(change.baseCommit, change.path, change.content) !== change.digest)
    throw new CoxswainError('git', 'the change does not match the one approved');
  const { commit, pushedBefore } = await repo.serial(async () => {
    await repo.sync();
    // Pushed already by an attempt that stopped before the pull request: that push stands.
    const pushed = (
      await repo.git([
        'for-each-ref',
        '--format=%(objectname)',
        `refs/remotes/origin/${change.branch}`,
      ])
    ).trim();
    if (pushed !== '') return { commit: pushed, pushedBefore: true };
    const now = (await repo.git(['rev-parse', '--verify', `${repo.remoteBranch}^{commit}`])).trim();
    if (
      now !== change.baseCommit &&
      (await blobOf(repo, now, change.path)) !==
        (await blobOf(repo, change.baseCommit, change.path))
    )
      throw new CoxswainError(
        'target_changed',
        `${change.path} changed on ${change.base} since the change was proposed; propose it again`,
      );
    const made = await commitChange(repo, change, approvedBy);
    await repo.git([
      'push',
      '--quiet',
      '--porcelain',
      'origin',
      `${made}:refs/heads/${change.branch}`,
    ]);
    return { commit: made, pushedBefore: false };
  });
  // An attempt that stopped after the forge opened the pull request: that one stands.
  const opened = pushedBefore
    ? await findPullRequest(repo.settings, change.branch, change.base)
    : undefined;
  if (opened !== undefined) return { commit, pullRequest: opened };
  const pullRequest = await openPullRequest(repo.settings, {
    head: change.branch,
    base: change.base,
    title: change.title,
    body: `${change.body}\n\nProposed by Coxswain and approved by ${approvedBy}.`.trim(),
  });
  return { commit, pullRequest };
}

/** The change's pull request when it is open already: its branch pushed and the forge showing it. */
export async function openedPullRequest(
  repo: GitRepository,
  change: GitChange,
): Promise<PullRequest | undefined> {
  const pushed = await repo.serial(async () => {
    await repo.sync();
    const ref = await repo.git([
      'for-each-ref',
      '--format=%(objectname)',
      `refs/remotes/origin/${change.branch}`,
    ]);
    return ref.trim() !== '';
  });
  if (!pushed) return undefined;
  return findPullRequest(repo.settings, change.branch, change.base);
}

async function commitChange(
  repo: GitRepository,
  change: GitChange,
  approvedBy: string,
): Promise<string> {
  const index = join(repo.settings.workDir, '.git', `coxswain-index-${change.digest.slice(0, 12)}`);
  const env = {
    GIT_INDEX_FILE: index,
    GIT_AUTHOR_NAME: 'Coxswain',
    GIT_AUTHOR_EMAIL: 'coxswain@localhost',
    GIT_COMMITTER_NAME: 'Coxswain',
    GIT_COMMITTER_EMAIL: 'coxswain@localhost',
  };
  try {
    await repo.git(['read-tree', change.baseCommit], undefined, env);
    const blob = (await repo.git(['hash-object', '-w', '--stdin'], change.content)).trim();
    await repo.git(
      ['update-index', '--add', '--cacheinfo', `100644,${blob},${change.path}`],
      undefined,
      env,
    );
    const tree = (await repo.git(['write-tree'], undefined, env)).trim();
    const message = `${change.title}\n\n${change.body}\n\nApproved-by: ${approvedBy}\n`.replace(
      /\n{3,}/g,
      '\n\n',
    );
    return (
      await repo.git(['commit-tree', tree, '-p', change.baseCommit, '-F', '-'], message, env)
    ).trim();
  } finally {
    await rm(index, { force: true });
  }
}

/** The blob id of `path` at `commit`, or undefined when the file is not there. */
async function blobOf(
  repo: GitRepository,
  commit: string,
  path: string,
): Promise<string | undefined> {
  const line = await repo.git(['ls-tree', commit, '--', path]);
  return /^\d+ blob ([0-9a-f]+)\t/.exec(line)?.[1];
}

function underManifests(repo: GitRepository, path: string): string {
  const clean = safePath(path);
  const root = repo.settings.path;
  if (root !== '.' && !clean.startsWith(`${root.replace(/\/+$/, '')}/`))
    throw new CoxswainError('git', `${path} is outside the manifests folder ${root}`);
  if (!/\.ya?ml$/i.test(clean)) throw new CoxswainError('git', `${path} is not a YAML manifest`);
  return clean;
}

/** The blob diff's header names the file, as people expect to read it; long diffs are cut. */
function labelDiff(raw: string, path: string, created: boolean): string {
  const lines = raw
    .split('\n')
    .filter((l) => !l.startsWith('diff --git') && !l.startsWith('index '));
  const body = lines.map((l) =>
    l.startsWith('--- ')
      ? created
        ? '--- /dev/null'
        : `--- a/${path}`
      : l.startsWith('+++ ')
        ? `+++ b/${path}`
        : l,
  );
  if (body.length <= MAX_CARD_DIFF_LINES) return body.join('\n').trimEnd();
  return `${body.slice(0, MAX_CARD_DIFF_LINES).join('\n')}\n… ${body.length - MAX_CARD_DIFF_LINES} more lines`;
}

function digestOf(baseCommit: string, path: string, content: string): string {
  return createHash('sha256').update(`${baseCommit}\0${path}\0${content}`).digest('hex');
}
