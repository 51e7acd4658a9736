import type { z } from 'zod';
import { type Proposal, type ProposalRecords, proposalId } from '../../approvals/proposal-store.ts';
import type { Autonomy } from '../../config/policy-schema.ts';
import { CoxswainError } from '../../errors.ts';
import type { MaxTier } from '../../policy/authorise.ts';
import { tierOf } from '../../policy/tiers.ts';
import { changeLines } from '../../tools/kubernetes/actions/field-changes.ts';
import type { ProposedAction } from '../../tools/proposed-action.ts';
import type { Tool } from '../../tools/tool.ts';
import type { AgentTool } from './model-tools.ts';
import { tierRefusal } from './refusals.ts';
import type { ToolOutcome } from './state.ts';

/**
 * A write tool as an agent calls it, whatever it would change (a cluster object, a pull request,
 * a silence): it never changes anything. It records a proposal (once per run and tool call) and
 * tells the model it was proposed; forbidden actions, and actions above the channel's tier, are
 * refused whatever the model says.
 */
export type ProposeDeps = {
  runId: string;
  agent: string;
  proposals: ProposalRecords;
  autonomy: Autonomy;
  /** The channel's highest tier; proposals above it are refused. */
  maxTier: MaxTier;
  now?: () => Date;
};

export function proposeTool<Context>(
  tool: Tool<z.ZodType, Context, ProposedAction>,
  context: Context,
  deps: ProposeDeps,
): AgentTool {
  return {
    ...tool,
    description: `${tool.description} This only creates a proposal that people approve or reject.`,
    async run(call, input) {
      const id = proposalId(deps.runId, call.id);
      const proposal =
        (await deps.proposals.get(id)) ?? (await propose(tool, context, input, id, deps));
      if (typeof proposal === 'string') return { content: proposal, isError: true };
      return proposed(proposal, deps);
    },
  };
}

/** The proposal recorded for this call, or why it could not be proposed. */
async function propose<Context>(
  tool: Tool<z.ZodType, Context, ProposedAction>,
  context: Context,
  input: unknown,
  id: string,
  deps: ProposeDeps,
): Promise<Proposal | string> {
  let action: ProposedAction;
  try {
    action = await tool.run(context, input);
  } catch (error) {
    // The refusal of the cluster, the repository or Alertmanager is the model's to hear;
    // anything else fails the run's job.
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

function proposed(proposal: Proposal, deps: ProposeDeps): ToolOutcome {
  const action = proposal.action;
  const tier = tierOf({ verb: action.verb, kind: action.target.kind }, deps.autonomy);
  const fields =
    action.changes.length === 0 ? '' : `Fields it changes:\n${changeLines(action.changes)}\n`;
  const shown =
    action.type === 'git-change'
      ? 'File diff'
      : action.type.startsWith('silence')
        ? 'Silence'
        : 'Server dry-run diff';
  const note = 'note' in action && action.note !== undefined ? `${action.note}\n` : '';
  return {
    content: `Proposed, not done: ${action.summary} (proposal ${proposal.id}, ${tier} tier). It runs only if a person approves it. ${note}${fields}${shown}:\n${action.diff}`,
    isError: false,
  };
}
