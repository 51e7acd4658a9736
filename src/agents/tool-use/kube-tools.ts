import type { z } from 'zod';
import { type Proposal, type ProposalRecords, proposalId } from '../../approvals/proposal-store.ts';
import type { Autonomy } from '../../config/policy-schema.ts';
import { CoxswainError } from '../../errors.ts';
import type { MaxTier } from '../../policy/authorise.ts';
import { tierOf } from '../../policy/tiers.ts';
import { ARGOCD_READ_TOOLS, ARGOCD_WRITE_TOOLS } from '../../tools/argocd/index.ts';
import { changeLines } from '../../tools/kubernetes/actions/field-changes.ts';
import { KUBERNETES_WRITE_TOOLS, type ProposeTool } from '../../tools/kubernetes/actions/tools.ts';
import type { KubeContext } from '../../tools/kubernetes/context.ts';
import { KUBERNETES_READ_TOOLS } from '../../tools/kubernetes/read/index.ts';
import { runParsedTool, type Tool } from '../../tools/tool.ts';
import type { AgentTool } from './model-tools.ts';
import { tierRefusal } from './refusals.ts';
import type { ToolOutcome } from './state.ts';

/**
 * The Kubernetes tools an agent may call, bound to its cluster and run. Read tools run at once;
 * write tools never change anything: they record a proposal (once per run and tool call) and
 * tell the model it was proposed. Forbidden actions are refused whatever the model says; what a
 * call may touch is checked by the loop, from each tool's `scope`.
 */
type KubeToolDeps = {
  context: KubeContext;
  runId: string;
  agent: string;
  proposals: ProposalRecords;
  autonomy: Autonomy;
  /** The channel's highest tier; proposals above it are refused. */
  maxTier: MaxTier;
  now?: () => Date;
};

/** The tools that read or change the cluster's API: Kubernetes' own kinds and Argo CD's Applications. */
const READS: readonly Tool<z.ZodType, KubeContext>[] = [
  ...KUBERNETES_READ_TOOLS,
  ...ARGOCD_READ_TOOLS,
];
const WRITES: readonly ProposeTool[] = [...KUBERNETES_WRITE_TOOLS, ...ARGOCD_WRITE_TOOLS];

/** Every Kubernetes tool an agent file may name. */
export const KUBE_TOOL_NAMES: readonly string[] = [...READS, ...WRITES].map((t) => t.name);

export function kubeTools(names: readonly string[], deps: KubeToolDeps): AgentTool[] {
  const reads = READS;
  const writes = WRITES;
  return [
    ...reads.filter((t) => names.includes(t.name)).map((t) => readTool(t, deps.context)),
    ...writes.filter((t) => names.includes(t.name)).map((t) => proposeTool(t, deps)),
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

function proposeTool(tool: ProposeTool, deps: KubeToolDeps): AgentTool {
  return {
    ...tool,
    description: `${tool.description} This only creates a proposal that people approve or reject.`,
    async run(call, input) {
      const id = proposalId(deps.runId, call.id);
      const proposal = (await deps.proposals.get(id)) ?? (await propose(tool, input, id, deps));
      if (typeof proposal === 'string') return { content: proposal, isError: true };
      return proposed(proposal, deps);
    },
  };
}

/** The proposal recorded for this call, or why it could not be proposed. */
async function propose(
  tool: ProposeTool,
  input: unknown,
  id: string,
  deps: KubeToolDeps,
): Promise<Proposal | string> {
  let action: Awaited<ReturnType<typeof tool.run>>;
  try {
    action = await tool.run(deps.context, input);
  } catch (error) {
    // The cluster's refusal is the model's to hear; anything else fails the run's job.
    if (!(error instanceof CoxswainError)) throw error;
    return `${tool.name} could not be proposed: ${error.message}`;
  }
  const refusal = tierRefusal(action, deps);
  if (refusal !== undefined) return refusal;
  const proposal: Proposal = {
    id,
    runId: deps.runId,
    agent: deps.agent,
    action,
    state: 'pending',
    createdAt: (deps.now ?? (() => new Date()))().toISOString(),
  };
  await deps.proposals.create(proposal);
  return proposal;
}

function proposed(proposal: Proposal, deps: KubeToolDeps): ToolOutcome {
  const tier = tierOf(
    { verb: proposal.action.verb, kind: proposal.action.target.kind },
    deps.autonomy,
  );
  const { summary, diff, changes } = proposal.action;
  const fields = changeLines(changes);
  return {
    content: `Proposed, not done: ${summary} (proposal ${proposal.id}, ${tier} tier). It runs only if a person approves it. Fields it changes:\n${fields}\nServer dry-run diff:\n${diff}`,
    isError: false,
  };
}
