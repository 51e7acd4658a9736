import { type ProposalRecords, proposalId } from '../../approvals/proposal-store.ts';
import { type Autonomy, DEFAULT_AUTONOMY } from '../../config/policy-schema.ts';
import { CoxswainError } from '../../errors.ts';
import { inScope } from '../../policy/command-scope.ts';
import { tierOf } from '../../policy/tiers.ts';
import type { KubeAction } from '../../tools/kubernetes/actions/action.ts';
import { changeLines } from '../../tools/kubernetes/actions/field-changes.ts';
import { KUBERNETES_WRITE_TOOLS } from '../../tools/kubernetes/actions/tools.ts';
import type { KubeContext } from '../../tools/kubernetes/context.ts';
import { isNamespacedKind } from '../../tools/kubernetes/read/get.ts';
import { KUBERNETES_READ_TOOLS } from '../../tools/kubernetes/read/index.ts';
import { runTool } from '../../tools/tool.ts';
import type { AgentTool } from './run-agent.ts';

/**
 * The Kubernetes tools an agent may call, bound to its cluster and run. Read tools run at once;
 * write tools never change anything: they record a proposal (once per run and tool call) and
 * tell the model it was proposed. Forbidden actions are refused whatever the model says.
 */
export type KubeToolDeps = {
  context: KubeContext;
  runId: string;
  agent: string;
  proposals: ProposalRecords;
  autonomy?: Autonomy;
  /** The channel's highest tier; proposals above it are refused. */
  maxTier?: 'safe' | 'confirm';
  now?: () => Date;
};

/** Tools that read nothing namespaced, so any binding may use them. */
const CLUSTER_SAFE = new Set(['nodes']);

/**
 * A call's refusal when it reaches outside the asker's namespaces: with a partial binding, every
 * call must name a namespace the binding covers (cluster-wide listings would show the rest).
 */
function outOfScope(
  tool: string,
  input: unknown,
  namespaces: readonly string[] | undefined,
): string | undefined {
  if (namespaces === undefined || namespaces.includes('*') || CLUSTER_SAFE.has(tool))
    return undefined;
  const fields = (input ?? {}) as { namespace?: unknown; kind?: unknown };
  // A node's description lists the pods of every namespace; a cluster-scoped kind has none.
  if (tool === 'describe' && fields.kind === 'node') {
    return `describing a node shows pods of every namespace; this channel may see ${namespaces.join(', ')}`;
  }
  if (tool === 'get' && !isNamespacedKind(String(fields.kind))) {
    return `get of ${String(fields.kind)} may read outside a namespace; this channel may see ${namespaces.join(', ')}`;
  }
  const namespace = fields.namespace;
  if (typeof namespace !== 'string') {
    return `${tool} needs a namespace here: this channel may see ${namespaces.join(', ')}`;
  }
  if (!inScope(namespaces, namespace)) {
    return `namespace ${namespace} is outside what this channel may see (${namespaces.join(', ')})`;
  }
  return undefined;
}

/**
 * Why an action may not even be proposed here: its verb and kind are forbidden, or it needs more
 * than the channel's highest tier. Judged on the built action, whose target kind is known.
 */
export function tierRefusal(
  action: KubeAction,
  deps: Pick<KubeToolDeps, 'autonomy' | 'maxTier'>,
): string | undefined {
  const tier = tierOf(
    { verb: action.verb, kind: action.target.kind },
    deps.autonomy ?? DEFAULT_AUTONOMY,
  );
  if (tier === 'forbidden')
    return `${action.summary}: forbidden by the autonomy policy; it cannot be proposed`;
  if (tier === 'confirm' && deps.maxTier === 'safe') {
    return `${action.summary}: this channel may only run safe (read-only) actions, so it cannot be proposed here`;
  }
  return undefined;
}

/** Every Kubernetes tool an agent file may name. */
export const KUBE_TOOL_NAMES: readonly string[] = [
  ...KUBERNETES_READ_TOOLS,
  ...KUBERNETES_WRITE_TOOLS,
].map((t) => t.name);

export function kubeTools(names: readonly string[], deps: KubeToolDeps): AgentTool[] {
  const tools: AgentTool[] = [];
  for (const tool of KUBERNETES_READ_TOOLS) {
    if (!names.includes(tool.name)) continue;
    tools.push({
      name: tool.name,
      description: tool.description,
      input: tool.input,
      async run(input) {
        const refused = outOfScope(tool.name, input, deps.context.namespaces);
        if (refused !== undefined) return { content: refused, isError: true };
        const result = await runTool(tool, deps.context, input);
        return result.ok
          ? { content: result.text, isError: false }
          : { content: result.error, isError: true };
      },
    });
  }
  for (const tool of KUBERNETES_WRITE_TOOLS) {
    if (!names.includes(tool.name)) continue;
    tools.push({
      name: tool.name,
      description: `${tool.description} This only creates a proposal that people approve or reject.`,
      input: tool.input,
      async run(input, callId) {
        const refused = outOfScope(tool.name, input, deps.context.namespaces);
        if (refused !== undefined) return { content: refused, isError: true };
        const id = proposalId(deps.runId, callId);
        let proposal = await deps.proposals.get(id);
        if (proposal === undefined) {
          let proposed: Awaited<ReturnType<typeof tool.propose>>;
          try {
            proposed = await tool.propose(deps.context, input);
          } catch (error) {
            // The cluster's refusal is the model's to hear; anything else fails the run's job.
            if (!(error instanceof CoxswainError)) throw error;
            return {
              content: `${tool.name} could not be proposed: ${error.message}`,
              isError: true,
            };
          }
          if (!proposed.ok) return { content: proposed.error, isError: true };
          const action = proposed.action;
          const refusal = tierRefusal(action, deps);
          if (refusal !== undefined) return { content: refusal, isError: true };
          proposal = {
            id,
            runId: deps.runId,
            agent: deps.agent,
            action,
            state: 'pending',
            createdAt: (deps.now ?? (() => new Date()))().toISOString(),
          };
          await deps.proposals.create(proposal);
        }
        const tier = tierOf(
          { verb: proposal.action.verb, kind: proposal.action.target.kind },
          deps.autonomy ?? DEFAULT_AUTONOMY,
        );
        const { summary, diff, changes } = proposal.action;
        const fields = changeLines(changes);
        return {
          content: `Proposed, not done: ${summary} (proposal ${id}, ${tier} tier). It runs only if a person approves it. Fields it changes:\n${fields}\nServer dry-run diff:\n${diff}`,
          isError: false,
        };
      },
    });
  }
  return tools;
}
