import { type ProposalRecords, proposalId } from '../../approvals/proposal-store.ts';
import { inScope } from '../../policy/command-scope.ts';
import { type Autonomy, DEFAULT_AUTONOMY } from '../../policy/schema.ts';
import { tierOf } from '../../policy/tiers.ts';
import { KUBERNETES_WRITE_TOOLS } from '../../tools/kubernetes/actions/tools.ts';
import type { KubeContext } from '../../tools/kubernetes/context.ts';
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
  const namespace = (input as { namespace?: unknown } | null)?.namespace;
  if (typeof namespace !== 'string') {
    return `${tool} needs a namespace here: this channel may see ${namespaces.join(', ')}`;
  }
  if (!inScope(namespaces, namespace)) {
    return `namespace ${namespace} is outside what this channel may see (${namespaces.join(', ')})`;
  }
  return undefined;
}

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
        const parsed = tool.input.safeParse(input);
        if (!parsed.success) {
          const issues = parsed.error.issues.map(
            (i) => `${i.path.join('.') || 'input'}: ${i.message}`,
          );
          return { content: `invalid input for ${tool.name}: ${issues.join('; ')}`, isError: true };
        }
        const tier = tierOf({ verb: tool.verb }, deps.autonomy ?? DEFAULT_AUTONOMY);
        if (tier === 'forbidden') {
          return {
            content: `${tool.name} is forbidden by the autonomy policy; it cannot be proposed`,
            isError: true,
          };
        }
        const id = proposalId(deps.runId, callId);
        const existing = await deps.proposals.get(id);
        let summary = existing?.action.summary;
        let diff = existing?.action.diff;
        if (existing === undefined) {
          try {
            // biome-ignore lint/suspicious/noExplicitAny: the tool's own schema just parsed this input
            const action = await tool.propose(deps.context, parsed.data as any);
            await deps.proposals.create({
              id,
              runId: deps.runId,
              agent: deps.agent,
              action,
              state: 'pending',
              createdAt: (deps.now ?? (() => new Date()))().toISOString(),
            });
            summary = action.summary;
            diff = action.diff;
          } catch (error) {
            return {
              content: `${tool.name} could not be proposed: ${(error as Error).message}`,
              isError: true,
            };
          }
        }
        return {
          content: `Proposed, not done: ${summary} (proposal ${id}, ${tier} tier). It runs only if a person approves it. Server dry-run diff:\n${diff}`,
          isError: false,
        };
      },
    });
  }
  return tools;
}
