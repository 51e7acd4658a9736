import type { AskResult } from '../agents/runs/answer.ts';
import type { ChatMessageInput } from '../chat/message.ts';
import { LIMITS } from '../chat/message.ts';
import { redactText } from '../policy/redact.ts';
import type { AskRunJob, CommandRunJob } from '../queue/jobs.ts';
import { idOf } from '../shared/channel.ts';

/**
 * How answers read in chat, as cards are rendered in `approvals/render-card.ts`: a question's
 * answer (the agents' text under its headline, the proposals listed, who asked), a command's
 * answer (the skill's message, signed with who asked), and a run's status line.
 */

/** A question's answer. The text is cut before the proposals are listed, so the list is never lost. */
export function questionAnswer(
  run: Pick<AskRunJob, 'requester'>,
  answer: string,
  proposals: readonly string[],
  how?: Pick<AskResult, 'specialists' | 'costUsd' | 'model'>,
): ChatMessageInput {
  const list =
    proposals.length === 0 ? '' : `\n\nProposals awaiting approval: ${proposals.join(', ')}`;
  const { headline, body } = splitHeadline(redactText(answer));
  const text = `${body.slice(0, LIMITS.text - list.length - 1)}${list}`.trim();
  return {
    headline,
    ...(text === '' ? {} : { text }),
    tone: 'info',
    footer: [
      `asked by ${idOf(run.requester)}`,
      ...(how === undefined ? [] : [answeredBy(how)]),
    ].join(' · '),
  };
}

/** Who answered and what it cost: the specialists, model calls, tokens and cost, or the analyzers. */
export function answeredBy(how: Pick<AskResult, 'specialists' | 'costUsd' | 'model'>): string {
  if (how.model === undefined) return 'analyzers, no model';
  const who = how.specialists.length === 0 ? 'the orchestrator' : how.specialists.join(', ');
  const calls = `${how.model.calls} model call${how.model.calls === 1 ? '' : 's'}`;
  return `${who} · ${calls}, ${how.model.tokens.toLocaleString('en-US')} tokens, $${how.costUsd.toFixed(4)}`;
}

/** A command's answer, signed with who asked for what. */
export function commandAnswer(
  run: Pick<CommandRunJob, 'requester' | 'command'>,
  message: ChatMessageInput,
): ChatMessageInput {
  const asked = `${idOf(run.requester)} asked: ${run.command.name}`;
  return { ...message, footer: message.footer ? `${asked} · ${message.footer}` : asked };
}

/** A run's status line, edited in place as the run goes. */
export function statusLine(text: string): ChatMessageInput {
  return { text, tone: 'neutral' };
}

/** What the status line says once the answer is posted. */
export function answeredLine(specialists: readonly string[]): string {
  return `Answered below (${specialists.length === 0 ? 'no specialists asked' : `asked ${specialists.join(', ')}`}).`;
}

/**
 * An answer's first line as the message's headline, read first on a phone and in notifications;
 * the agents are asked to lead with one. Markdown heading and bold marks are dropped from it.
 */
export function splitHeadline(answer: string): { headline: string; body: string } {
  const trimmed = answer.trim();
  const end = trimmed.indexOf('\n');
  const first = (end < 0 ? trimmed : trimmed.slice(0, end))
    .replace(/^#{1,6}\s+/, '')
    .replace(/\*\*/g, '')
    .trim();
  const rest = end < 0 ? '' : trimmed.slice(end + 1).trim();
  if (first === '') return { headline: 'Answer', body: rest };
  if (first.length <= 200) return { headline: first, body: rest };
  // A first line too long for a headline stays whole in the text.
  return {
    headline: `${first.slice(0, first.lastIndexOf(' ', 150) + 1 || 150).trim()} …`,
    body: trimmed,
  };
}
