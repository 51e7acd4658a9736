import { createHash } from 'node:crypto';
import type { ChatMessageInput } from '../chat/message.ts';
import { type Outbox, postToChat } from '../chat/post-to-chat.ts';
import { redactText } from '../policy/redact.ts';
import { actionNamed } from './actions/catalogue.ts';
import type { RunReporter } from './advance.ts';
import type { RunView, StepRecord } from './run-record.ts';

/**
 * What a run says in its channel: one status message, edited as steps start and finish (each
 * distinct state posted once: its job id is a digest of what it says), each agent step's answer
 * and each report, and the end. A run with no channel says nothing in chat; the dashboard shows it.
 */
const MARK: Readonly<Record<StepRecord['state'], string>> = {
  pending: '·',
  running: '…',
  waiting: '⏸',
  succeeded: '✓',
  failed: '✗',
  skipped: '–',
  stopped: '■',
};

export function stepLine(name: string, record: StepRecord | undefined): string {
  const state = record?.state ?? 'pending';
  const detail =
    record === undefined
      ? ''
      : record.state === 'failed'
        ? `: ${record.error}`
        : record.state === 'skipped' || record.state === 'stopped'
          ? `: ${record.reason}`
          : record.state === 'waiting'
            ? ': waiting for a decision on its card'
            : record.state === 'succeeded'
              ? succeededLine(record)
              : '';
  return `${MARK[state]} ${name} (${state})${detail}`;
}

/** A finished step's line: its summary, else the first line of what it gave. */
function succeededLine(record: Extract<StepRecord, { state: 'succeeded' }>): string {
  const summary = typeof record.outputs.summary === 'string' ? record.outputs.summary : record.text;
  const line = summary === undefined ? '' : firstLine(summary);
  return line === '' ? '' : `: ${line}`;
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
}

export function statusMessage(view: RunView): ChatMessageInput {
  const steps = view.run.workflow.steps;
  const done = steps.filter((s) => view.steps[s.name]?.state === 'succeeded').length;
  const skipped = steps.filter((s) => view.steps[s.name]?.state === 'skipped').length;
  const over = view.state !== 'running' && view.state !== 'waiting';
  const tone =
    view.state === 'succeeded'
      ? 'resolved'
      : view.state === 'failed' || view.state === 'stopped'
        ? 'warning'
        : 'neutral';
  return {
    headline: `Workflow ${view.run.workflow.name}: ${over ? view.state : view.state === 'waiting' ? 'waiting for a decision' : 'running'} (${done} of ${steps.length} steps done${skipped > 0 ? `, ${skipped} skipped` : ''})`,
    text: redactText(
      [
        ...steps.map((s) => stepLine(s.name, view.steps[s.name])),
        ...(over && view.summary !== undefined ? ['', view.summary] : []),
      ].join('\n'),
    ).slice(0, 3_000),
    tone,
    footer: `run ${view.run.runId} · ${view.run.trigger} · cluster ${view.run.place.cluster}`,
  };
}

export function chatReporter(outbox: Outbox): RunReporter {
  const status = async (view: RunView) => {
    const place = view.run.place;
    if (place.channel === undefined) return;
    const message = statusMessage(view);
    const digest = createHash('sha256').update(JSON.stringify(message)).digest('hex').slice(0, 16);
    await postToChat(outbox, {
      kind: 'status',
      key: [view.run.runId, digest],
      channel: place.channel,
      thread: place.thread,
      threadOf: place.threadKey,
      message,
      replace: { key: `workflow.${view.run.runId}`, version: Date.now() },
    });
  };
  return {
    progress: status,
    async stepDone(view, step, record) {
      const place = view.run.place;
      if (place.channel === undefined || record.state !== 'succeeded' || !shownStep(view, step))
        return;
      const text = record.text ?? '';
      if (text.trim() === '') return;
      await postToChat(outbox, {
        kind: 'answer',
        key: [view.run.runId, step],
        channel: place.channel,
        thread: place.thread,
        threadOf: place.threadKey,
        message: {
          headline: `${view.run.workflow.name} · ${step}`,
          text: redactText(text).slice(0, 3_000),
          tone: 'info',
        },
      });
    },
    finished: status,
  };
}

/**
 * What a finished step found, when it is a finding: an agent's answer or a read's summary (the
 * first of them is an incident's diagnosis, and when it came). A change or a report is not one.
 */
export function findingOf(view: RunView, step: string): string | undefined {
  const record = view.steps[step];
  if (record?.state !== 'succeeded') return undefined;
  const definition = view.run.workflow.steps.find((s) => s.name === step);
  const body = definition?.branches?.[record.branch === 'false' ? 'false' : 'true'] ?? definition;
  if (body === undefined) return undefined;
  if (body.action !== undefined && actionNamed(body.action)?.kind !== 'read') return undefined;
  const summary = typeof record.outputs.summary === 'string' ? record.outputs.summary : undefined;
  const text = record.text ?? '';
  if (summary === undefined) return text.trim() === '' ? undefined : text;
  return text.trim() === '' || text.startsWith(summary) ? text || summary : `${summary}\n${text}`;
}

/** Agents' answers and reports are for people to read; a read's output is in the status line. */
function shownStep(view: RunView, step: string): boolean {
  const record = view.steps[step];
  if (record?.state !== 'succeeded') return false;
  const definition = view.run.workflow.steps.find((s) => s.name === step);
  const body = definition?.branches?.[record.branch === 'false' ? 'false' : 'true'] ?? definition;
  return body?.agent !== undefined && body.action === undefined ? true : body?.action === 'report';
}
