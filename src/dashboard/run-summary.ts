import { redactText } from '../policy/redact.ts';
import type { RunView, StepRecord } from '../workflows/run-record.ts';
import type { PersonScope } from './person-scope.ts';

/**
 * A workflow run as the dashboard shows it: who started it, where, and each step in the
 * workflow's order with its state and one line about it. Step outputs stay in the store: they can
 * be large, and what a step read from a cluster is summed up, redacted, in that line.
 */
export type RunSummary = {
  runId: string;
  workflow: string;
  trigger: string;
  state: string;
  summary: string | undefined;
  startedAt: string;
  finishedAt: string | undefined;
  channel: string | undefined;
  cluster: string;
  steps: { name: string; state: string; detail: string }[];
};

/** A step's line is cut here; a run's summary here. */
const DETAIL_CHARS = 200;
const SUMMARY_CHARS = 1_000;
/** Only this much of a step's text is read for its first line: outputs can be megabytes. */
const READ_CHARS = 8 * 1024;

export function runSummary(view: RunView): RunSummary {
  return {
    runId: view.run.runId,
    workflow: view.run.workflow.name,
    trigger: view.run.trigger,
    state: view.state,
    summary: view.summary === undefined ? undefined : cut(redactText(view.summary), SUMMARY_CHARS),
    startedAt: view.run.startedAt,
    finishedAt: view.finishedAt,
    channel: view.run.place.channel,
    cluster: view.run.place.cluster,
    steps: view.run.workflow.steps.map((step) => {
      const record = view.steps[step.name] ?? { state: 'pending' };
      return { name: step.name, state: record.state, detail: detailOf(record) };
    }),
  };
}

function detailOf(record: StepRecord): string {
  switch (record.state) {
    case 'pending':
    case 'running':
      return '';
    case 'waiting':
      return `waiting for a decision on ${record.proposals.join(', ')}`;
    case 'succeeded': {
      const summary = record.outputs.summary;
      return oneLine(typeof summary === 'string' ? summary : (record.text ?? 'done'));
    }
    case 'failed':
      return oneLine(record.error);
    case 'skipped':
    case 'stopped':
      return oneLine(record.reason);
  }
}

/** The first line with words on it, redacted, at most `DETAIL_CHARS`. */
function oneLine(text: string): string {
  const line = text
    .slice(0, READ_CHARS)
    .split('\n')
    .find((l) => l.trim() !== '');
  return cut(redactText(line?.trim() ?? ''), DETAIL_CHARS);
}

function cut(text: string, chars: number): string {
  return text.length > chars ? `${text.slice(0, chars - 1)}…` : text;
}

/**
 * Whether a person sees a run: one that reports to a channel, when that channel is theirs (as
 * History has it); one with no channel (a schedule or an alert no route sends anywhere), when the
 * person's channels are bound to its cluster and to every namespace it may read, as Status has
 * it: such a run reads the whole cluster, so only a person who sees the whole cluster sees it.
 */
export function mayShowRun(view: RunView, scope: PersonScope): boolean {
  const { channel, cluster, namespaces } = view.run.place;
  if (channel !== undefined) return scope.channels.has(channel);
  const globs = scope.namespaces.get(cluster);
  if (globs === undefined) return false;
  return globs.includes('*') || namespaces.every((namespace) => globs.includes(namespace));
}
