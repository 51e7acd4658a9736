import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CoxswainError } from '../../errors.ts';
import { defineTool, namespaceScope } from '../tool.ts';
import { type GitChange, proposeGitChange } from './change.ts';
import type { GitRepository } from './repository.ts';

/**
 * The git-operator's write tool: a manifest's new content proposed as a pull request. Nothing is
 * committed or pushed until a person approves the card; the proposal carries the file's diff and
 * every field of every object the change touches.
 */
export type GitProposeContext = {
  repo: GitRepository | undefined;
  /** The cluster of the run: Argo CD deploys the manifest there. */
  cluster: string;
  /** Names the branch, with the change's own hash: one branch per proposed change. */
  runId: string;
};

export const gitProposeChangeTool = defineTool({
  name: 'git_propose_change',
  description:
    'Propose a change to one manifest file of the GitOps repository, given its whole new content: once a person approves, it is committed on a new branch, pushed, and a pull request opened. Use it for objects Argo CD manages, where a patch to the cluster would be reverted by self-heal. Read the file first (git_read_file, git_find_manifest) and change only what the fix needs.',
  verb: 'commit',
  input: z.object({
    path: z.string().min(1).max(500).describe('The manifest file, relative to the repository root'),
    content: z.string().min(1).max(200_000).describe('The whole new content of the file'),
    title: z.string().min(1).max(200).describe("The pull request's title"),
    body: z
      .string()
      .max(4_000)
      .optional()
      .describe('Why: what was found, and what the change does'),
    namespace: z
      .string()
      .min(1)
      .max(253)
      .optional()
      .describe('The namespace the manifest deploys to, when its objects name none'),
  }),
  scope: (input) => namespaceScope(input.namespace),
  async run(context: GitProposeContext, input): Promise<GitChange> {
    if (context.repo === undefined)
      throw new CoxswainError(
        'git',
        'no GitOps repository is configured (the gitops section of the config file)',
      );
    const hash = createHash('sha256')
      .update(`${input.path}\0${input.content}`)
      .digest('hex')
      .slice(0, 10);
    return proposeGitChange(
      context.repo,
      {
        path: input.path,
        content: input.content,
        title: input.title,
        body: input.body,
        cluster: context.cluster,
        namespace: input.namespace,
      },
      `${context.runId.slice(-40)}-${hash}`,
    );
  },
});
