import type { ChatInput } from '../chat/inbound.ts';
import type { Binding } from '../config/policy-schema.ts';
import { authorise } from '../policy/authorise.ts';
import { bindingFor } from '../policy/bindings.ts';
import type { SkillCommand } from '../queue/command-data.ts';
import { parseCommandText } from './grammar.ts';
import type { WorkflowCommand } from './workflow.ts';

/**
 * Where a chat input goes, decided without touching a queue: ignored, a question for the
 * orchestrator, a command that cannot be read, `help`, a workflow, a skill the binding refuses,
 * or a skill to run in the scope the binding allows.
 */
type InputRoute =
  | { kind: 'ignored' }
  | { kind: 'question'; question: string }
  | { kind: 'unreadable'; error: string }
  | { kind: 'help'; binding: Binding | undefined }
  | { kind: 'workflow'; command: WorkflowCommand }
  | { kind: 'refused'; headline: string; reason: string }
  | { kind: 'skill'; command: SkillCommand };

export function routeInput(
  input: Pick<ChatInput, 'channel' | 'text' | 'addressed'>,
  bindings: readonly Binding[],
  clusters: readonly string[],
): InputRoute {
  const parsed = parseCommandText(input.text);
  if (parsed === undefined) {
    const question = input.addressed ? input.text.trim() : mentionOf(input.text);
    if (question === undefined || question === '') return { kind: 'ignored' };
    return { kind: 'question', question };
  }
  if (!parsed.ok) return { kind: 'unreadable', error: parsed.error };
  const command = parsed.command;
  const binding = bindingFor(input.channel, bindings);
  if (command.name === 'help') return { kind: 'help', binding };
  if (command.name === 'deploy' || command.name === 'workflow')
    return { kind: 'workflow', command };
  const scope = authorise.command({ channel: input.channel, command }, { bindings, clusters });
  if (!scope.allowed)
    return { kind: 'refused', headline: `I cannot run ${command.name} here`, reason: scope.reason };
  return {
    kind: 'skill',
    command: {
      ...command,
      cluster: scope.cluster,
      ...(scope.namespace === undefined ? {} : { namespace: scope.namespace }),
    },
  };
}

/** The question in a message that mentions the bot (`@coxswain why is …`), if it does. */
export function mentionOf(text: string): string | undefined {
  const match = /^\s*@coxswain\b[\s,:]*(.+)$/is.exec(text);
  return match?.[1]?.trim() || undefined;
}

/** The input's part of its job ids: platform, channel and message, in the characters ids allow. */
export function inputId(input: Pick<ChatInput, 'channel' | 'messageId'>): string {
  return `${input.channel.replace(':', '.')}.${input.messageId}`.replace(/[^A-Za-z0-9_.-]/g, '_');
}
