import { BudgetHeld } from '../agents/runs/budget.ts';
import { LostLockError } from '../agents/tool-use/checkpoints.ts';
import { SuspendRun } from '../agents/tool-use/run-agent.ts';
import type { Proposal } from '../approvals/proposal-store.ts';
import { proposalId } from '../approvals/proposal-store.ts';
import type { Autonomy } from '../config/policy-schema.ts';
import { authorise } from '../policy/authorise.ts';
import { redactText } from '../policy/redact.ts';
import type { GitChange } from '../tools/git/change.ts';
import type { GitRepository } from '../tools/git/repository.ts';
import { gitopsAware } from '../tools/gitops/prefer-git.ts';
import type { KubeAction } from '../tools/kubernetes/actions/action.ts';
import type { KubeContext } from '../tools/kubernetes/context.ts';
import { parseToolInput } from '../tools/tool.ts';
import { actionNamed, type ChangeAction } from './actions/catalogue.ts';
import type { ReadAction } from './actions/reads.ts';
import type { RunPlace, RunView, StepOutputs, StepWork } from './run-record.ts';
import { checkOutputs, lastJsonObject, outputsInstruction } from './step-outputs.ts';
import type { YamlStep } from './yaml-schema.ts';

/**
 * One step's work, wherever it runs (a child job, or `coxswain workflow run`): an agent's task,
 * a read, a change (which only proposes: its gate decides), or the run's report. What it gives is
 * the step's outcome; it never throws for what a person can act on.
 */
export type AgentRequest = {
  runId: string;
  agent: string;
  task: string;
  model?: 'haiku' | 'sonnet' | 'opus' | undefined;
};

/** An agent's answer; `outputs` when it came with structured results (the analyzers'). */
export type AgentAnswer = {
  answer: string;
  proposals: string[];
  outputs?: Record<string, unknown>;
  /** What its model calls cost, orchestrator and specialists together. */
  costUsd?: number;
};

export type Gates = {
  /** Records a change as a proposal and shows its card; `auto` also approves it and queues it. */
  propose(
    proposal: Proposal,
    approval: 'person' | 'auto',
  ): Promise<{ ok: true } | { ok: false; reason: string; stop?: boolean }>;
  /** Shows the cards of proposals an agent made; false where nobody can decide them. */
  show(ids: readonly string[]): Promise<boolean>;
};

export type StepDeps = {
  /** What the step may touch now: the run's place, its channel's binding read again. */
  place: RunPlace;
  kube: KubeContext;
  /**
   * The GitOps repository (the config's `gitops`), undefined when none is configured: a change
   * to what Argo CD manages is proposed there as a pull request, as a model's or `diagnose`'s is.
   */
  git: GitRepository | undefined;
  autonomy: Autonomy;
  agent(request: AgentRequest): Promise<AgentAnswer>;
  gates: Gates;
};

export type StepOutcome =
  | { state: 'succeeded'; outputs: StepOutputs; text?: string; proposals: string[] }
  | { state: 'failed'; error: string }
  /** Nobody here can decide its gate: the run stops, as if it were rejected. */
  | { state: 'stopped'; reason: string }
  | { state: 'waiting'; proposals: string[]; outputs: StepOutputs; text?: string };

export async function runStep(
  view: RunView,
  step: YamlStep,
  work: StepWork,
  deps: StepDeps,
): Promise<StepOutcome> {
  try {
    if (work.type === 'agent') return await agentStep(view, step, work, deps);
    const action = actionNamed(work.action);
    if (action === undefined) return { state: 'failed', error: `no action named ${work.action}` };
    if (action.kind === 'report') return reportStep(view);
    if (action.kind === 'read') return await readStep(step, action, work.inputs, deps);
    return await changeStep(view, step, action, work, deps);
  } catch (error) {
    // Not failures: the step waits for its specialists or for budget held by runs in flight, or
    // another worker has taken it over.
    if (
      error instanceof SuspendRun ||
      error instanceof LostLockError ||
      error instanceof BudgetHeld
    )
      throw error;
    return {
      state: 'failed',
      error: redactText(error instanceof Error ? error.message : String(error)),
    };
  }
}

/** The id of the agent's own run for a step: its checkpoints and proposals hang on it. */
export function stepRunId(runId: string, step: string): string {
  return `${runId}.${step}`;
}

async function agentStep(
  view: RunView,
  step: YamlStep,
  work: Extract<StepWork, { type: 'agent' }>,
  deps: StepDeps,
): Promise<StepOutcome> {
  const declared = step.outputs;
  const task = declared === undefined ? work.task : work.task + outputsInstruction(declared);
  const answer = await deps.agent({
    runId: stepRunId(view.run.runId, step.name),
    agent: work.agent,
    task,
    model: work.model,
  });
  const given = answer.outputs ?? lastJsonObject(answer.answer) ?? {};
  const checked = checkOutputs(declared, given);
  if (!checked.ok) return { state: 'failed', error: checked.error };
  const outputs = { answer: answer.answer, ...checked.outputs };
  const decidable = answer.proposals.length > 0 && (await deps.gates.show(answer.proposals));
  if (work.confirm && answer.proposals.length > 0)
    return decidable
      ? { state: 'waiting', proposals: answer.proposals, outputs, text: answer.answer }
      : { state: 'stopped', reason: 'its proposals need a decision, and nobody can make one here' };
  return { state: 'succeeded', outputs, text: answer.answer, proposals: answer.proposals };
}

async function readStep(
  step: YamlStep,
  action: ReadAction,
  inputs: Record<string, unknown>,
  deps: StepDeps,
): Promise<StepOutcome> {
  const parsed = parseToolInput(action.name, action.input, inputs);
  if (!parsed.ok) return { state: 'failed', error: parsed.error };
  const allowed = authorise.read(
    { tool: action.name, scope: action.scope(parsed.data) },
    { cluster: deps.place.cluster, namespaces: deps.place.namespaces },
  );
  if (!allowed.allowed) return { state: 'failed', error: allowed.reason };
  const result = await action.run(deps.kube, parsed.data);
  const checked = checkOutputs(step.outputs, result.outputs);
  if (!checked.ok) return { state: 'failed', error: checked.error };
  return {
    state: 'succeeded',
    outputs: { ...result.outputs, ...checked.outputs },
    text: result.text,
    proposals: [],
  };
}

async function changeStep(
  view: RunView,
  step: YamlStep,
  action: ChangeAction,
  work: Extract<StepWork, { type: 'action' }>,
  deps: StepDeps,
): Promise<StepOutcome> {
  const tool = action.tool;
  const parsed = parseToolInput(action.name, tool.input, work.inputs);
  if (!parsed.ok) return { state: 'failed', error: parsed.error };
  const place = deps.place;
  const allowed = authorise.read(
    { tool: action.name, scope: tool.scope(parsed.data) },
    { cluster: place.cluster, namespaces: place.namespaces },
  );
  if (!allowed.allowed) return { state: 'failed', error: allowed.reason };
  const judge = (action: KubeAction | GitChange) =>
    authorise.workflowChange(
      { action, confirm: work.confirm, workflow: view.run.workflow.autonomy },
      { autonomy: deps.autonomy, maxTier: place.maxTier },
    );
  // The cluster change as asked is judged too: a pull request that makes it needs no less.
  const asked = { approval: 'auto' as 'person' | 'auto' };
  const change = await gitopsAware(tool, deps.git, view.run.runId, (action) => {
    const answer = judge(action);
    if (!answer.allowed) return answer.reason;
    asked.approval = answer.approval;
    return undefined;
  }).run(deps.kube, parsed.data);
  const decision = judge(change);
  if (!decision.allowed) return { state: 'failed', error: decision.reason };
  const approval = asked.approval === 'person' ? 'person' : decision.approval;
  const id = proposalId(view.run.runId, `step/${step.name}`);
  const proposal: Proposal = {
    id,
    runId: view.run.runId,
    agent: work.agent ?? `workflow ${view.run.workflow.name}`,
    action: change,
    state: 'pending',
    createdAt: new Date().toISOString(),
    rationale: redactText(
      `Step ${step.name} of workflow ${view.run.workflow.name}${view.run.workflow.description ? ` (${view.run.workflow.description})` : ''}`,
    ).slice(0, 1_000),
  };
  const gated = await deps.gates.propose(proposal, approval);
  if (!gated.ok)
    return gated.stop === true
      ? { state: 'stopped', reason: gated.reason }
      : { state: 'failed', error: gated.reason };
  return { state: 'waiting', proposals: [id], outputs: { proposal: id } };
}

/** `report`: the run so far, step by step, and the changes it made. */
function reportStep(view: RunView): StepOutcome {
  const lines: string[] = [];
  const actions: string[] = [];
  for (const step of view.run.workflow.steps) {
    const record = view.steps[step.name];
    if (record === undefined || record.state === 'pending' || record.state === 'running') continue;
    const detail =
      record.state === 'succeeded'
        ? firstLine(String(record.outputs.summary ?? record.text ?? 'done'))
        : record.state === 'failed'
          ? record.error
          : record.state === 'waiting'
            ? 'waiting for a decision'
            : record.reason;
    lines.push(`${step.name}: ${record.state} — ${detail}`);
    if (record.state === 'succeeded' && typeof record.outputs.proposal === 'string')
      actions.push(`${step.name}: ${String(record.outputs.summary ?? record.outputs.state)}`);
  }
  const summary = lines.join('\n') || 'no step has finished yet';
  return {
    state: 'succeeded',
    outputs: { summary, 'actions-taken': actions, steps: lines.length },
    text: summary,
    proposals: [],
  };
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
