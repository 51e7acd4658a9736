import { z } from 'zod';
import { REDACTED } from '../../policy/redacted.ts';
import type { Tool, ToolScope } from '../tool.ts';
import { hideManifestValues, hideValueLines } from './hide-values.ts';
import { findDeclarations, isManifestPath } from './manifests.ts';
import { type GitRepository, MAX_LOG_ENTRIES } from './repository.ts';

/**
 * The git-operator's read tools on the GitOps repository's clone, fetched before every read.
 * They show no cluster's objects, so they touch no namespace.
 */
export type GitContext = { repo: GitRepository };

/** One tool, its input's type kept for `run`. */
const gitTool = <Input extends z.ZodType>(tool: Tool<Input, GitContext>): Tool<Input, GitContext> =>
  tool;

const noNamespace = (): ToolScope => ({ namespaces: [] });

const Path = z
  .string()
  .min(1)
  .max(500)
  .describe('A path relative to the repository root, such as apps/web/deployment.yaml');

export const GIT_READ_TOOLS = [
  gitTool({
    name: 'git_read_file',
    description: `Read a file of the GitOps repository as the configured branch has it now. Env values and Secret data show as ${REDACTED}; leave them so in a change and they are kept.`,
    verb: 'get',
    scope: noNamespace,
    input: z.object({ path: Path }),
    run: async ({ repo }, input) => {
      const text = await repo.readFile(input.path);
      return isManifestPath(input.path) ? hideManifestValues(text) : text;
    },
  }),
  gitTool({
    name: 'git_log',
    description: `The latest commits of the configured branch (at most ${MAX_LOG_ENTRIES}), optionally only those touching a path: hash, date, author and subject.`,
    verb: 'get',
    scope: noNamespace,
    input: z.object({
      path: Path.optional(),
      limit: z.number().int().min(1).max(MAX_LOG_ENTRIES).default(10).describe('How many commits'),
    }),
    run: async ({ repo }, input) => (await repo.log(input)) || 'no commits',
  }),
  gitTool({
    name: 'git_diff',
    description:
      'The diff between two revisions of the repository (commit hashes, branches, HEAD~N; HEAD and the configured branch mean its latest on the remote), optionally for one path. Long diffs are cut.',
    verb: 'diff',
    scope: noNamespace,
    input: z.object({
      from: z.string().min(1).max(200).describe('The older revision, e.g. HEAD~1 or a commit hash'),
      to: z
        .string()
        .min(1)
        .max(200)
        .optional()
        .describe('The newer revision; unset: the branch now'),
      path: Path.optional(),
    }),
    run: async ({ repo }, input) => hideValueLines(await repo.diff(input)) || 'no differences',
  }),
  gitTool({
    name: 'git_find_manifest',
    description:
      'Find the manifest file(s) under the GitOps path that declare a Kubernetes object (by kind, name and namespace), with the document and line where it starts.',
    verb: 'get',
    scope: noNamespace,
    input: z.object({
      kind: z.string().min(1).max(63).describe('e.g. Deployment'),
      name: z.string().min(1).max(253),
      namespace: z
        .string()
        .max(63)
        .optional()
        .describe('Manifests that leave the namespace to the deployer match too'),
    }),
    run: async ({ repo }, input) => {
      const found = findDeclarations(await repo.manifests(), input);
      if (found.length === 0)
        return `no manifest under ${repo.settings.path} on ${repo.settings.branch} declares ${input.kind} ${input.name}`;
      return found
        .map(
          (m) =>
            `${m.path} (document ${m.document + 1}, line ${m.line}): ${m.kind} ${m.namespace === undefined ? '(namespace set at deploy)' : m.namespace}/${m.name}`,
        )
        .join('\n');
    },
  }),
] as const satisfies readonly Tool<z.ZodType, GitContext>[];
