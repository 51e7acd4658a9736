import type { z } from 'zod';
import { gitProposeChangeTool } from '../../tools/git/propose-tool.ts';
import { GIT_READ_TOOLS, type GitContext } from '../../tools/git/read-tools.ts';
import type { GitRepository } from '../../tools/git/repository.ts';
import { runParsedTool, type Tool } from '../../tools/tool.ts';
import type { AgentTool } from './model-tools.ts';
import { type ProposeDeps, proposeTool } from './propose-tool.ts';

/**
 * The GitOps repository's tools an agent may call: reads of the clone, and a manifest change
 * proposed as a pull request. Without a `gitops` section in the config file they are still
 * listed, so an agent file naming them stays valid, and each one says what is missing.
 */
export const GIT_TOOL_NAMES: readonly string[] = [
  ...GIT_READ_TOOLS.map((t) => t.name),
  gitProposeChangeTool.name,
];

export function gitTools(
  names: readonly string[],
  repo: GitRepository | undefined,
  proposing: ProposeDeps & { cluster: string },
): AgentTool[] {
  const reads: readonly Tool<z.ZodType, GitContext>[] = GIT_READ_TOOLS;
  return [
    ...reads.filter((t) => names.includes(t.name)).map((tool) => readTool(tool, repo)),
    ...(names.includes(gitProposeChangeTool.name)
      ? [
          proposeTool(
            gitProposeChangeTool,
            { repo, cluster: proposing.cluster, runId: proposing.runId },
            proposing,
          ),
        ]
      : []),
  ];
}

function readTool(tool: Tool<z.ZodType, GitContext>, repo: GitRepository | undefined): AgentTool {
  return {
    ...tool,
    async run(_call, input) {
      if (repo === undefined)
        return {
          content: 'no GitOps repository is configured (the gitops section of the config file)',
          isError: true,
        };
      const result = await runParsedTool(tool, { repo }, input);
      return result.ok
        ? { content: result.text, isError: false }
        : { content: result.error, isError: true };
    },
  };
}
