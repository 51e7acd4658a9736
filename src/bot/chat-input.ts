import type { Queue } from 'bullmq';
import type { ButtonClick, ChatInput, InputOutcome } from '../chat/inbound.ts';
import { parseCommandText } from '../commands/grammar.ts';
import { COMMAND_HELP, helpMessage } from '../commands/help.ts';
import { type WorkflowCommand, workflowRequest } from '../commands/workflow.ts';
import type { Binding } from '../config/policy-schema.ts';
import { bindingFor } from '../policy/bindings.ts';
import { commandScope, inScope } from '../policy/command-scope.ts';
import type { RunJobInput } from '../queue/jobs.ts';
import { type Workflows, workflowTask } from '../workflows/markdown.ts';

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
  workflows: Workflows;
  /** Approve and Reject on a card. */
  decide?: (click: ButtonClick, verdict: 'approve' | 'reject') => Promise<InputOutcome>;
  now?: () => Date;
};

const warning = (headline: string, text?: string): InputOutcome => ({
  kind: 'reply',
  message: { headline, tone: 'warning', ...(text === undefined ? {} : { text }) },
});

export async function handleChatInput(input: ChatInput, deps: InputDeps): Promise<InputOutcome> {
  const parsed = parseCommandText(input.text);
  const id = `${input.channel.replace(':', '.')}.${input.messageId}`.replace(
    /[^A-Za-z0-9_.-]/g,
    '_',
  );
  if (parsed === undefined) {
    const question = input.addressed ? input.text.trim() : mentionOf(input.text);
    if (question === undefined || question === '') return { kind: 'ignored' };
    return askQuestion(input, question, `ask.${id}`, deps);
  }
  if (!parsed.ok) return warning(`I could not read that: ${parsed.error}`, COMMAND_HELP);
  const command = parsed.command;
  const binding = bindingFor(input.channel, deps.bindings);
  if (command.name === 'help')
    return { kind: 'reply', message: helpMessage(input.channel, binding, deps.workflows.values()) };
  if (command.name === 'deploy' || command.name === 'workflow')
    return runWorkflow(input, command, `workflow.${id}`, deps);
  const scope = commandScope(command, binding, deps.clusters, input.channel);
  if (!scope.allowed) return warning(`I cannot run ${command.name} here`, scope.reason);
  const runId = `command.${id}`;
  await deps.runs.add(
    'command',
    {
      kind: 'command',
      receivedAt: now(deps).toISOString(),
      channel: input.channel,
      requester: input.requester,
      ...(input.thread === undefined ? {} : { thread: input.thread }),
      command: {
        ...command,
        cluster: scope.cluster,
        ...(scope.namespace === undefined ? {} : { namespace: scope.namespace }),
      },
    },
    { jobId: runId },
  );
  return { kind: 'queued', runId, what: command.name };
}

/** The question in a message that mentions the bot (`@coxswain why is …`), if it does. */
function mentionOf(text: string): string | undefined {
  const match = /^\s*@coxswain\b[\s,:]*(.+)$/is.exec(text);
  return match?.[1]?.trim() || undefined;
}

/** A question becomes an orchestrator run, scoped to what the channel's binding may see. */
async function askQuestion(
  input: ChatInput,
  question: string,
  runId: string,
  deps: InputDeps,
  cluster?: string,
): Promise<InputOutcome> {
  const binding = bindingFor(input.channel, deps.bindings);
  const chosen = cluster ?? binding?.clusters[0];
  if (binding === undefined || chosen === undefined) {
    return warning(
      'I cannot answer questions here',
      `this channel (${input.channel}) has no binding, so I can only answer help here. An operator can add one to the config file (COXSWAIN_CONFIG) under bindings:.`,
    );
  }
  if (!binding.clusters.includes(chosen))
    return warning(
      `I cannot run that on cluster ${chosen}`,
      `this channel is bound to ${binding.clusters.join(', ')}`,
    );
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
      cluster: chosen,
      namespaces: [...binding.namespaces],
    },
    { jobId: runId },
  );
  return { kind: 'queued', runId, what: 'question' };
}

/** `deploy APP` and `workflow NAME k=v…`: a Markdown workflow's task, for the orchestrator. */
async function runWorkflow(
  input: ChatInput,
  command: WorkflowCommand,
  runId: string,
  deps: InputDeps,
): Promise<InputOutcome> {
  const { name, inputs } = workflowRequest(command);
  const workflow = deps.workflows.get(name);
  if (workflow === undefined) {
    const known = [...deps.workflows.keys()];
    return warning(
      `There is no workflow named ${name}`,
      known.length === 0 ? 'No workflows are installed.' : `Workflows: ${known.join(', ')}`,
    );
  }
  const task = workflowTask(workflow, inputs);
  if (!task.ok) return warning(`I cannot run workflow ${name}`, task.error);
  // A namespace given as an input is checked like -n on any command: the agents would refuse
  // it anyway, but the person should hear why at once.
  const binding = bindingFor(input.channel, deps.bindings);
  const namespace = inputs.namespace;
  if (binding !== undefined && namespace !== undefined && !inScope(binding.namespaces, namespace))
    return warning(
      `I cannot run workflow ${name} here`,
      `this channel is not bound to namespace ${namespace} (bound: ${binding.namespaces.join(', ')})`,
    );
  const outcome = await askQuestion(input, task.task, runId, deps, command.cluster);
  return outcome.kind === 'queued' ? { ...outcome, what: `workflow ${name}` } : outcome;
}

function now(deps: InputDeps): Date {
  return (deps.now ?? (() => new Date()))();
}
