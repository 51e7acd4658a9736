import type { Queue } from 'bullmq';
import { bindingFor } from '../policy/bindings.ts';
import { commandScope } from '../policy/command-scope.ts';
import type { Binding } from '../policy/schema.ts';
import type { ChannelRef } from '../queue/channel.ts';
import { COMMAND_HELP, parseCommandText } from '../queue/command.ts';
import type { OutboxJobInput, RunJobInput } from '../queue/jobs.ts';

/**
 * A chat message, read as a command when it is one. `help` and refusals are answered here, at
 * once; allowed commands become a run for a worker. Anything else is left alone (a question for
 * the agents, or talk between people).
 */
export type ChatInput = { channel: ChannelRef; requester: string; text: string; messageId: string };
export type CommandDeps = {
  runs: Queue<RunJobInput>;
  outbox: Queue<OutboxJobInput>;
  bindings: readonly Binding[];
  clusters: readonly string[];
  now?: () => Date;
};

export type CommandOutcome = 'not-a-command' | 'answered' | 'queued';

export async function handleChatCommand(
  input: ChatInput,
  deps: CommandDeps,
): Promise<CommandOutcome> {
  const parsed = parseCommandText(input.text);
  const id = `${input.channel.replace(':', '.')}.${input.messageId}`;
  const reply = async (headline: string, text: string | undefined, tone: 'info' | 'warning') => {
    const message = { headline, tone, ...(text === undefined ? {} : { text }) };
    await deps.outbox.add('reply', { channel: input.channel, message }, { jobId: `reply.${id}` });
    return 'answered' as const;
  };
  if (parsed === undefined) {
    const question = mentionOf(input.text);
    if (question === undefined) return 'not-a-command';
    return askQuestion(input, question, id, deps, reply);
  }
  if (!parsed.ok) return reply(`I could not read that: ${parsed.error}`, COMMAND_HELP, 'warning');
  const command = parsed.command;
  const binding = bindingFor(input.channel, deps.bindings);
  if (command.name === 'help') {
    const where =
      binding === undefined
        ? 'This channel has no binding yet, so only help works here. An operator binds it in the config file (COXSWAIN_CONFIG, bindings:).'
        : `This channel may read clusters ${binding.clusters.join(', ')}, namespaces ${binding.namespaces.join(', ')}; changes up to the ${binding.maxTier} tier.`;
    return reply('Coxswain commands', `${COMMAND_HELP}\n\n${where}`, 'info');
  }
  const scope = commandScope(command, binding, deps.clusters);
  if (!scope.allowed) return reply(`I cannot run ${command.name} here`, scope.reason, 'warning');
  const now = (deps.now ?? (() => new Date()))();
  await deps.runs.add(
    'command',
    {
      kind: 'command',
      receivedAt: now.toISOString(),
      channel: input.channel,
      requester: input.requester,
      command: { ...command, cluster: scope.cluster },
    },
    { jobId: `command.${id}` },
  );
  return 'queued';
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
  id: string,
  deps: CommandDeps,
  reply: (
    headline: string,
    text: string | undefined,
    tone: 'info' | 'warning',
  ) => Promise<'answered'>,
): Promise<CommandOutcome> {
  const binding = bindingFor(input.channel, deps.bindings);
  const cluster = binding?.clusters[0];
  if (binding === undefined || cluster === undefined) {
    return reply(
      'I cannot answer questions here',
      'this channel has no binding, so I can only answer help here. An operator can add one to the config file (COXSWAIN_CONFIG) under bindings:.',
      'warning',
    );
  }
  const now = (deps.now ?? (() => new Date()))();
  const runId = `ask.${id}`;
  await deps.runs.add(
    'ask',
    {
      kind: 'ask',
      runId,
      receivedAt: now.toISOString(),
      question: question.slice(0, 4000),
      channel: input.channel,
      requester: input.requester,
      cluster,
      namespaces: [...binding.namespaces],
    },
    { jobId: runId },
  );
  return 'queued';
}
