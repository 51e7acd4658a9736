import type { z } from 'zod';
import { ARGOCD_READ_TOOLS, ARGOCD_WRITE_TOOLS } from '../../tools/argocd/index.ts';
import type { ArgoContext } from '../../tools/argocd/read-tools.ts';
import type { GitRepository } from '../../tools/git/repository.ts';
import { gitopsAware } from '../../tools/gitops/prefer-git.ts';
import { KUBERNETES_WRITE_TOOLS, type ProposeTool } from '../../tools/kubernetes/actions/tools.ts';
import type { KubeContext } from '../../tools/kubernetes/context.ts';
import { KUBERNETES_READ_TOOLS } from '../../tools/kubernetes/read/index.ts';
import { runParsedTool, type Tool } from '../../tools/tool.ts';
import type { AgentTool } from './model-tools.ts';
import { type ProposeDeps, proposeTool } from './propose-tool.ts';
import { tierRefusal } from './refusals.ts';

/**
 * The Kubernetes tools an agent may call, bound to its cluster and run. Read tools run at once;
 * write tools never change anything: they record a proposal (once per run and tool call) and
 * tell the model it was proposed. Forbidden actions are refused whatever the model says; what a
 * call may touch is checked by the loop, from each tool's `scope`.
 */
type KubeToolDeps = ProposeDeps & {
  context: KubeContext;
  /** The GitOps repository: a fix to what Argo CD manages is proposed there as a pull request. */
  git?: GitRepository | undefined;
};

/** The tools that read the cluster's API: Kubernetes' own kinds, and Argo CD's Applications. */
const READS: readonly Tool<z.ZodType, KubeContext>[] = KUBERNETES_READ_TOOLS;
/** Argo CD's reads also see the GitOps repository's clone: the diff reads Git's side there. */
const ARGOCD_READS: readonly Tool<z.ZodType, ArgoContext>[] = ARGOCD_READ_TOOLS;
const WRITES: readonly ProposeTool[] = KUBERNETES_WRITE_TOOLS;
/** Syncs and rollbacks change the Application itself: never turned into a pull request. */
const ARGOCD_WRITES: readonly ProposeTool[] = ARGOCD_WRITE_TOOLS;

/** Every Kubernetes tool an agent file may name. */
export const KUBE_TOOL_NAMES: readonly string[] = [
  ...READS,
  ...ARGOCD_READS,
  ...WRITES,
  ...ARGOCD_WRITES,
].map((t) => t.name);

export function kubeTools(names: readonly string[], deps: KubeToolDeps): AgentTool[] {
  const named = <T extends { name: string }>(tools: readonly T[]) =>
    tools.filter((t) => names.includes(t.name));
  return [
    ...named(READS).map((t) => readTool(t, deps.context)),
    ...named(ARGOCD_READS).map((t) => readTool(t, { ...deps.context, gitops: deps.git })),
    ...named(WRITES).map((t) =>
      proposeTool(
        gitopsAware(t, deps.git, deps.runId, (action) => tierRefusal(action, deps)),
        deps.context,
        deps,
      ),
    ),
    ...named(ARGOCD_WRITES).map((t) => proposeTool(t, deps.context, deps)),
  ];
}

/** A read tool bound to what it runs with: its output or its failure goes back to the model. */
export function readTool<Context>(tool: Tool<z.ZodType, Context>, context: Context): AgentTool {
  return {
    ...tool,
    async run(_call, input) {
      const result = await runParsedTool(tool, context, input);
      return result.ok
        ? { content: result.text, isError: false }
        : { content: result.error, isError: true };
    },
  };
}
