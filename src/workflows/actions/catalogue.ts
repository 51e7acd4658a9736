import type { z } from 'zod';
import { KUBERNETES_WRITE_TOOLS, type ProposeTool } from '../../tools/kubernetes/actions/tools.ts';
import type { KubeContext } from '../../tools/kubernetes/context.ts';
import { KUBERNETES_READ_TOOLS } from '../../tools/kubernetes/read/index.ts';
import { runParsedTool, type Tool } from '../../tools/tool.ts';
import { type ReadAction, WORKFLOW_READS } from './reads.ts';

/**
 * Every action a workflow step may name, in one list:
 * - the workflow reads (`diagnose`, `get-pod-status`, `analyze-logs`…), which give named outputs;
 * - the agents' read tools under their names with `-` (`pod-logs`, `rollout-status`), whose one
 *   output is `text`;
 * - the agents' write tools (`scale`, `set-resources`, `rollback`…), which only ever propose: the
 *   change becomes a proposal with its card, decided by people or by the workflow's
 *   `auto_approve`, and is executed once by the actions queue;
 * - `report`, which sums up the run so far.
 * The seed's `restart-pod` and `update-resources` are `delete-pod` and `set-resources`.
 */
export type ChangeAction = { kind: 'change'; name: string; tool: ProposeTool };
export type ReportAction = { kind: 'report'; name: 'report' };
export type WorkflowAction = ReadAction | ChangeAction | ReportAction;

const ALIASES: Readonly<Record<string, string>> = {
  'restart-pod': 'delete-pod',
  'update-resources': 'set-resources',
};

const dashed = (name: string) => name.replaceAll('_', '-');

function toolRead(tool: Tool<z.ZodType, KubeContext>): ReadAction {
  return {
    kind: 'read',
    name: dashed(tool.name),
    description: tool.description,
    input: tool.input,
    outputs: ['text'],
    scope: (input) => tool.scope(input),
    async run(kube, input) {
      const result = await runParsedTool(tool, kube, input);
      if (!result.ok) throw new Error(result.error);
      return { text: result.text, outputs: { text: result.text } };
    },
  };
}

const ACTIONS: ReadonlyMap<string, WorkflowAction> = new Map<string, WorkflowAction>([
  ...WORKFLOW_READS.map((a) => [a.name, a as unknown as ReadAction] as const),
  ...KUBERNETES_READ_TOOLS.map((t) => {
    const action = toolRead(t as unknown as Tool<z.ZodType, KubeContext>);
    return [action.name, action] as const;
  }),
  ...KUBERNETES_WRITE_TOOLS.map((t) => {
    const name = dashed(t.name);
    return [name, { kind: 'change', name, tool: t as unknown as ProposeTool }] as const;
  }),
  ['report', { kind: 'report', name: 'report' }],
]);

export function actionNamed(name: string): WorkflowAction | undefined {
  return ACTIONS.get(ALIASES[name] ?? name);
}

export function actionNames(): string[] {
  return [...ACTIONS.keys(), ...Object.keys(ALIASES)].sort();
}

/** What an action's `outputs` may name; undefined: anything (an agent's answer declares its own). */
export function outputsOf(action: WorkflowAction): readonly string[] {
  if (action.kind === 'read') return action.outputs;
  if (action.kind === 'report') return ['summary', 'actions-taken', 'steps'];
  return ['state', 'summary', 'verified', 'approved_by', 'proposal'];
}
