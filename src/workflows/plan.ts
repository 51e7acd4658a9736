import { isFinished, type StepRecord } from './run-record.ts';
import type { YamlStep } from './yaml-schema.ts';

/**
 * What a run does next, from its steps' records alone: which steps start, which are skipped, and
 * whether the run is over. Pure, so that any worker advancing the run decides the same.
 *
 * - A step waits for its `needs`, or without them for the step before it (handlers aside). A step
 *   it waits for that was skipped, or failed with `on_failure: continue`, counts as done (as a
 *   skipped task does in an Argo Workflows DAG).
 * - A step that fails with `on_failure: stop` (the default), or a gate that is rejected or expires,
 *   halts the run: no new step starts; the ones running finish.
 * - `on_failure: NAME` halts it too, and starts NAME: a step named by an `on_failure` is a handler,
 *   run only when a step it handles fails.
 * - When nothing runs, waits or can start, the run is over; steps still pending are skipped, each
 *   saying why.
 */
export type Moves = {
  start: string[];
  skip: { step: string; reason: string }[];
  outcome?: { state: 'succeeded' | 'failed' | 'stopped'; summary: string };
};

type Steps = Readonly<Record<string, StepRecord>>;

export function nextMoves(steps: readonly YamlStep[], records: Steps): Moves {
  const handlers = new Set(
    steps.flatMap((s) => (isHandlerName(s.on_failure) ? [s.on_failure] : [])),
  );
  const halting = haltingStep(steps, records);
  const start: string[] = [];
  if (halting === undefined) start.push(...readySteps(steps, records, handlers));
  start.push(...calledHandlers(steps, records));
  const busy = steps.some((s) => {
    const state = records[s.name]?.state;
    return state === 'running' || state === 'waiting';
  });
  if (busy || start.length > 0) return { start, skip: [] };
  const skip = steps
    .filter((s) => records[s.name]?.state === 'pending')
    .map((s) => ({ step: s.name, reason: whyNotRun(s, steps, records, handlers, halting) }));
  return { start, skip, outcome: outcomeOf(steps, records, halting) };
}

function isHandlerName(onFailure: string): boolean {
  return onFailure !== 'stop' && onFailure !== 'continue';
}

/** The first step whose end halts the run: failed without `continue`, or a gate said no. */
function haltingStep(steps: readonly YamlStep[], records: Steps): YamlStep | undefined {
  return steps.find((s) => {
    const record = records[s.name];
    if (record?.state === 'stopped') return true;
    return record?.state === 'failed' && s.on_failure !== 'continue';
  });
}

/** What a step waits for: its needs, or the step before it that is not a handler. */
export function waitsFor(
  step: YamlStep,
  steps: readonly YamlStep[],
  handlers: ReadonlySet<string>,
): string[] {
  if (step.needs !== undefined) return [...step.needs];
  const at = steps.indexOf(step);
  for (let i = at - 1; i >= 0; i--) {
    const before = steps[i];
    if (before !== undefined && !handlers.has(before.name)) return [before.name];
  }
  return [];
}

function readySteps(steps: readonly YamlStep[], records: Steps, handlers: ReadonlySet<string>) {
  return steps
    .filter((s) => !handlers.has(s.name) && records[s.name]?.state === 'pending')
    .filter((s) =>
      waitsFor(s, steps, handlers).every((need) => {
        const record = records[need];
        return record !== undefined && isFinished(record) && record.state !== 'stopped';
      }),
    )
    .map((s) => s.name);
}

/** Handlers whose step failed, not yet started. */
function calledHandlers(steps: readonly YamlStep[], records: Steps): string[] {
  const called = steps
    .filter((s) => isHandlerName(s.on_failure) && records[s.name]?.state === 'failed')
    .map((s) => s.on_failure);
  return [...new Set(called)].filter((name) => records[name]?.state === 'pending');
}

function whyNotRun(
  step: YamlStep,
  steps: readonly YamlStep[],
  records: Steps,
  handlers: ReadonlySet<string>,
  halting: YamlStep | undefined,
): string {
  if (handlers.has(step.name)) return 'no step it handles failed';
  if (halting !== undefined)
    return `the run stopped at ${halting.name} (${records[halting.name]?.state})`;
  const blocked = waitsFor(step, steps, handlers).find(
    (need) => !isFinished(records[need]) || records[need]?.state === 'stopped',
  );
  return blocked === undefined ? 'not reached' : `${blocked} did not run`;
}

function outcomeOf(
  steps: readonly YamlStep[],
  records: Steps,
  halting: YamlStep | undefined,
): NonNullable<Moves['outcome']> {
  const record = halting === undefined ? undefined : records[halting.name];
  if (halting !== undefined && record?.state === 'stopped')
    return { state: 'stopped', summary: `stopped at ${halting.name}: ${record.reason}` };
  if (halting !== undefined && record?.state === 'failed')
    return { state: 'failed', summary: `${halting.name} failed: ${record.error}` };
  const failed = steps.filter((s) => records[s.name]?.state === 'failed').map((s) => s.name);
  const done = steps.filter((s) => records[s.name]?.state === 'succeeded').length;
  return {
    state: 'succeeded',
    summary:
      failed.length === 0
        ? `${done} of ${steps.length} steps ran`
        : `${done} of ${steps.length} steps ran; ${failed.join(', ')} failed and the run went on`,
  };
}
