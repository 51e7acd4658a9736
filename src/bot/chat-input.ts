import type { Queue } from 'bullmq';
import type { ButtonClick, ChatInput, InputOutcome } from '../chat/inbound.ts';
import { COMMAND_HELP, helpMessage } from '../commands/help.ts';
import { inputId, routeInput } from '../commands/route-input.ts';
import { type WorkflowCommand, workflowRequest } from '../commands/workflow.ts';
import type { Binding } from '../config/policy-schema.ts';
import { authorise } from '../policy/authorise.ts';
import type { SkillCommand } from '../queue/command-data.ts';
import type { RunJobInput } from '../queue/jobs.ts';
import type { WorkflowFiles } from '../workflows/load-files.ts';
import { workflowTask } from '../workflows/markdown.ts';
import { typedInputs } from '../workflows/start-run.ts';
import type { YamlWorkflow } from '../workflows/yaml-schema.ts';

/**
 * What a person said to the bot, from any platform, and what the bot does with it: `help` and
 * refusals are answered at once; skills become a run for a worker; other text addressed to the
 * bot becomes a question for the orchestrator. The platform adapter delivers the reply its own
 * way (in a thread, ephemeral, as an interaction response).
 */
export type InputDeps = {
  runs: Queue<RunJobInput>;
  bindings: readonly Binding[];
  clusters: readonly string[];
  /** The workflows as the bot read them at start: Markdown ones run as a question, YAML ones by the engine. */
  workflows: Pick<WorkflowFiles, 'markdown' | 'yaml'>;
  /** Approve and Reject on a card. */
  decide?: (click: ButtonClick, verdict: 'approve' | 'reject') => Promise<InputOutcome>;
  /** An alert message's "Silence 2h": a silence of its group proposed as a card. */
  silence?: (click: ButtonClick) => Promise<InputOutcome>;
  /** 👍 and 👎 under an answer or a report. */
  feedback?: (click: ButtonClick) => Promise<InputOutcome>;
  now?: () => Date;
};

const warning = (headline: string, text?: string): InputOutcome => ({
  kind: 'reply',
  message: { headline, tone: 'warning', ...(text === undefined ? {} : { text }) },
});

export async function handleChatInput(input: ChatInput, deps: InputDeps): Promise<InputOutcome> {
  const id = inputId(input);
  const route = routeInput(input, deps.bindings, deps.clusters);
  switch (route.kind) {
    case 'ignored':
      return { kind: 'ignored' };
    case 'question':
      return askQuestion(input, route.question, `ask.${id}`, deps);
    case 'unreadable':
      return warning(`I could not read that: ${route.error}`, COMMAND_HELP);
    case 'help':
      return {
        kind: 'reply',
        message: helpMessage(input.channel, route.binding, workflowSummaries(deps.workflows)),
      };
    case 'workflow':
      return runWorkflow(input, route.command, `workflow.${id}`, deps);
    case 'refused':
      return warning(route.headline, route.reason);
    case 'skill':
      return queueSkill(input, route.command, `command.${id}`, deps);
  }
}

/** A skill becomes a run for a worker, which checks the binding again before it reads. */
async function queueSkill(
  input: ChatInput,
  command: SkillCommand,
  runId: string,
  deps: InputDeps,
): Promise<InputOutcome> {
  await deps.runs.add(
    'command',
    {
      kind: 'command',
      receivedAt: now(deps).toISOString(),
      channel: input.channel,
      requester: input.requester,
      ...(input.thread === undefined ? {} : { thread: input.thread }),
      command,
    },
    { jobId: runId },
  );
  return { kind: 'queued', runId, what: command.name };
}

/** A question becomes an orchestrator run, scoped to what the channel's binding may see. */
async function askQuestion(
  input: ChatInput,
  question: string,
  runId: string,
  deps: InputDeps,
  cluster?: string,
): Promise<InputOutcome> {
  const allowed = authorise.ask({ channel: input.channel, cluster }, deps);
  if (!allowed.allowed) return warning(allowed.headline, allowed.reason);
  await deps.runs.add(
    'ask',
    {
      kind: 'ask',
      runId,
      receivedAt: now(deps).toISOString(),
      question: question.slice(0, 4000),
      channel: input.channel,
      requester: input.requester,
      ...(input.thread === undefined ? {} : { thread: input.thread }),
      ...(input.conversation === undefined ? {} : { conversation: input.conversation }),
      cluster: allowed.cluster,
      namespaces: [...allowed.namespaces],
    },
    { jobId: runId },
  );
  return { kind: 'queued', runId, what: 'question' };
}

/** `deploy APP` and `workflow NAME k=v…`: a Markdown workflow's task, or a YAML workflow's run. */
async function runWorkflow(
  input: ChatInput,
  command: WorkflowCommand,
  runId: string,
  deps: InputDeps,
): Promise<InputOutcome> {
  const { name, inputs } = workflowRequest(command);
  const yaml = deps.workflows.yaml.get(name);
  if (yaml !== undefined)
    return startYamlWorkflow(input, yaml, inputs, runId, deps, command.cluster);
  const workflow = deps.workflows.markdown.get(name);
  if (workflow === undefined) {
    const known = [...deps.workflows.markdown.keys(), ...deps.workflows.yaml.keys()].sort();
    return warning(
      `There is no workflow named ${name}`,
      known.length === 0 ? 'No workflows are installed.' : `Workflows: ${known.join(', ')}`,
    );
  }
  const task = workflowTask(workflow, inputs);
  if (!task.ok) return warning(`I cannot run workflow ${name}`, task.error);
  const namespace = namespaceAllowed(input, inputs, deps);
  if (namespace !== undefined) return warning(`I cannot run workflow ${name} here`, namespace);
  const outcome = await askQuestion(input, task.task, runId, deps, command.cluster);
  return outcome.kind === 'queued' ? { ...outcome, what: `workflow ${name}` } : outcome;
}

/**
 * A namespace given as an input is checked like -n on any command: the run would refuse it
 * anyway, but the person should hear why at once.
 */
function namespaceAllowed(
  input: ChatInput,
  inputs: Readonly<Record<string, string>>,
  deps: InputDeps,
): string | undefined {
  const namespace = authorise.workflowNamespace(
    { channel: input.channel, namespace: inputs.namespace },
    deps,
  );
  return namespace.allowed ? undefined : namespace.reason;
}

/** A YAML workflow's run, for the engine on a worker: its inputs and the binding checked here first. */
async function startYamlWorkflow(
  input: ChatInput,
  workflow: YamlWorkflow,
  given: Readonly<Record<string, string>>,
  runId: string,
  deps: InputDeps,
  cluster: string | undefined,
): Promise<InputOutcome> {
  const name = workflow.name;
  if (!workflow.trigger.some((t) => t.kind === 'manual'))
    return warning(
      `Workflow ${name} is not run by hand`,
      `It runs on ${workflow.trigger.map((t) => t.kind).join(' and ')}.`,
    );
  const inputs = typedInputs(workflow, given);
  if (!inputs.ok) return warning(`I cannot run workflow ${name}`, inputs.error);
  const allowed = authorise.ask({ channel: input.channel, cluster }, deps);
  if (!allowed.allowed) return warning(`I cannot run workflow ${name} here`, allowed.reason);
  const namespace = namespaceAllowed(input, given, deps);
  if (namespace !== undefined) return warning(`I cannot run workflow ${name} here`, namespace);
  await deps.runs.add(
    'workflow',
    {
      kind: 'workflow',
      runId,
      workflow: name,
      trigger: 'manual',
      inputs: inputs.inputs,
      channel: input.channel,
      ...(input.thread === undefined ? {} : { thread: input.thread }),
      requester: input.requester,
      cluster: allowed.cluster,
    },
    { jobId: runId },
  );
  return { kind: 'queued', runId, what: `workflow ${name}` };
}

/** Both kinds of workflow, as `help` lists them. */
export function workflowSummaries(workflows: InputDeps['workflows']) {
  return [
    ...workflows.markdown.values(),
    ...[...workflows.yaml.values()]
      .filter((w) => w.trigger.some((t) => t.kind === 'manual'))
      .map((w) => ({ name: w.name, description: w.description, inputs: Object.keys(w.inputs) })),
  ].sort((a, b) => a.name.localeCompare(b.name));
}

function now(deps: InputDeps): Date {
  return (deps.now ?? (() => new Date()))();
}
